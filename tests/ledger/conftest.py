import pytest

from thesaban.ledger import merkle
from thesaban.ledger.models import LedgerEntry
from thesaban.reports import services as report_services


@pytest.fixture
def make_report(municipality, category):
    def make(**kwargs):
        defaults = {
            "municipality": municipality,
            "category": category,
            "description": "ถนนเป็นหลุม",
            "address": "ซอย 5",
            "reporter_name": "สมศรี ลับเฉพาะ",
            "reporter_email": "somsri.secret@example.org",
            "reporter_phone": "089-876-5432",
            "contact_consent": True,
        }
        return report_services.report_create(**{**defaults, **kwargs})

    return make


def leaf_hashes(municipality) -> list[bytes]:
    return [
        bytes(value)
        for value in LedgerEntry.objects.filter(municipality=municipality)
        .order_by("index")
        .values_list("leaf_hash", flat=True)
    ]


def reference_root(municipality, size: int | None = None) -> bytes:
    hashes = leaf_hashes(municipality)
    return merkle.root_of(hashes if size is None else hashes[:size])
