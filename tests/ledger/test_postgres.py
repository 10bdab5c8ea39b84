"""Concurrent appends on PostgreSQL: one lock row per municipality gives gap-free, unique indexes,
and a rolled-back transaction leaves no leaf, while other writers keep appending."""

import pytest
from django.db import connection, transaction

from tests import factories
from tests.postgres.test_postgres import run_in_threads
from thesaban.ledger import selectors
from thesaban.ledger.models import LedgerEntry, LedgerHead
from thesaban.ledger.verification import ledger_verify
from thesaban.reports import services as report_services

from .conftest import reference_root

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks, concurrent writers); set DATABASE_URL=postgres://…",
)


@pytest.fixture
def towns(transactional_db):
    towns = []
    for slug in ("pga", "pgb"):
        municipality = factories.MunicipalityFactory(slug=slug, tracking_prefix=slug.upper())
        towns.append((municipality, factories.CategoryFactory(municipality=municipality)))
    return towns


def test_concurrent_appends_get_unique_gap_free_indexes(towns):
    (a, category_a), (b, category_b) = towns
    threads, per_thread = 8, 6
    assert not LedgerHead.objects.exists()  # the first appends also race to create the head

    def work(i: int) -> list[str]:
        municipality, category = (a, category_a) if i % 2 else (b, category_b)
        codes = []
        for n in range(per_thread):
            try:
                with transaction.atomic():
                    report = report_services.report_create(
                        municipality=municipality,
                        category=category,
                        description=f"thread {i} report {n}",
                        address="ตลาด",
                    )
                    if n == 2:
                        raise RuntimeError("rolled back after its leaf was appended")
                    codes.append(report.tracking_code)
            except RuntimeError:
                pass
        return codes

    results, errors = run_in_threads(threads, work)
    assert errors == []
    per_town = threads // 2 * (per_thread - 1)
    for municipality in (a, b):
        indexes = list(
            LedgerEntry.objects.filter(municipality=municipality)
            .order_by("index")
            .values_list("index", flat=True)
        )
        assert indexes == list(range(per_town))
        head = selectors.ledger_tree_head(municipality=municipality)
        assert head.tree_size == per_town
        assert head.root_hash == reference_root(municipality)
        assert ledger_verify(municipality=municipality).ok
    assert LedgerHead.objects.count() == 2
    logged = {
        code
        for leaf in LedgerEntry.objects.values_list("leaf", flat=True)
        for code in [leaf.split('"tracking_code":"')[1].split('"')[0]]
    }
    assert logged == {code for batch in results for code in batch}
