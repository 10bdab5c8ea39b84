"""Appending to the ledger: leaves from report status changes, transactions, idempotence, the API
other apps use (registry, ledger_append, ledger_entry_for), keys and signatures."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from tests import factories
from tests.ledger.conftest import leaf_hashes, reference_root
from thesaban.core.models import AuditEntry
from thesaban.ledger import keys, merkle, selectors, services
from thesaban.ledger.canonical import LeafError, canonical_json
from thesaban.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from thesaban.ledger.registry import RecordTypeRegistry, record_types
from thesaban.reports import services as report_services
from thesaban.reports.models import ReportEvent
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.django_db


def entries(municipality) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(municipality=municipality).order_by("index"))


# -- canonical JSON -----------------------------------------------------------------------------


def test_canonical_json_sorts_keys_drops_spaces_and_keeps_thai():
    text = canonical_json({"b": [1, True, None], "a": "ถนน", "c": {"z": 1, "y": "x"}})
    assert text == '{"a":"ถนน","b":[1,true,null],"c":{"y":"x","z":1}}'
    assert text.encode("utf-8") == '{"a":"ถนน","b":[1,true,null],"c":{"y":"x","z":1}}'.encode()


def test_canonical_json_writes_amounts_and_times_one_way():
    when = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
    assert canonical_json({"amount": Decimal("1500.50"), "at": when}) == (
        '{"amount":"1500.50","at":"2026-01-02T03:04:05.600000Z"}'
    )


@pytest.mark.parametrize(
    "value",
    [
        {"amount": 1.5},
        {"at": datetime(2026, 1, 1)},
        {"reporter_email": "a@b.c"},
        {"nested": {"phone": "0812345678"}},
        {1: "x"},
        {"x": object()},
    ],
)
def test_canonical_json_refuses_values_without_one_form_and_personal_fields(value):
    with pytest.raises(LeafError):
        canonical_json(value)


# -- report status changes ----------------------------------------------------------------------


def test_reports_status_changes_are_appended_without_personal_data(make_report, admin_user):
    report = make_report()
    report_services.report_transition(report=report, actor=admin_user, to_status=Status.ACCEPTED)
    report_services.report_transition(
        report=report,
        actor=admin_user,
        to_status=Status.RESOLVED,
        public_note="คุณสมศรี ลับเฉพาะ แจ้งว่าซ่อมแล้ว",
    )
    logged = entries(report.municipality)
    assert [e.index for e in logged] == [0, 1, 2]
    leaves = [json.loads(e.leaf) for e in logged]
    assert [(leaf["from_status"], leaf["to_status"]) for leaf in leaves] == [
        ("", "submitted"),
        ("submitted", "accepted"),
        ("accepted", "resolved"),
    ]
    events = ReportEvent.objects.filter(report=report, kind__in=["created", "status"]).order_by(
        "id"
    )
    assert leaves[0] == {
        "record_type": "report.status",
        "event_id": events[0].pk,
        "tracking_code": report.tracking_code,
        "category": "road",
        "from_status": "",
        "to_status": "submitted",
        "at": events[0].created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
    }
    everything = " ".join(e.leaf for e in logged)
    for secret in ("สมศรี", "somsri.secret", "089-876-5432", "ถนนเป็นหลุม", "ซอย 5", "ซ่อมแล้ว"):
        assert secret not in everything
    assert all(e.record_type == "report.status" for e in logged)
    assert all(bytes(e.leaf_hash) == merkle.leaf_hash(e.leaf.encode()) for e in logged)


def test_internal_notes_assignments_and_ratings_are_not_logged(make_report, admin_user, department):
    report = make_report()
    report_services.report_note_add(report=report, actor=admin_user, note="ภายใน", is_public=False)
    report_services.report_note_add(report=report, actor=admin_user, note="สาธารณะ", is_public=True)
    report_services.report_assign(report=report, actor=admin_user, department=department)
    assert len(entries(report.municipality)) == 1  # the creation only


def test_a_rolled_back_business_write_leaves_no_leaf(make_report, admin_user, municipality):
    make_report()
    head_before = selectors.ledger_tree_head(municipality=municipality)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_report(description="rolled back")
        assert len(entries(municipality)) == 2  # appended inside the transaction...
        raise RuntimeError("the business write fails after the append")
    assert len(entries(municipality)) == 1  # ...and gone with it
    head_after = selectors.ledger_tree_head(municipality=municipality)
    assert (head_after.tree_size, head_after.root_hash) == (1, head_before.root_hash)
    assert LedgerNode.objects.filter(municipality=municipality).count() == 0
    report = make_report()
    assert [e.index for e in entries(municipality)] == [0, 1]
    assert json.loads(entries(municipality)[1].leaf)["tracking_code"] == report.tracking_code


def test_the_stored_tree_is_the_rfc_9162_tree_of_the_leaves(make_report, municipality):
    for _ in range(13):
        make_report()
    head = selectors.ledger_tree_head(municipality=municipality)
    assert head.tree_size == 13
    assert head.root_hash == reference_root(municipality)
    # 13 leaves: 6 + 3 + 1 completed subtrees above the leaves.
    assert LedgerNode.objects.filter(municipality=municipality).count() == 10
    hashes = leaf_hashes(municipality)
    for size in range(1, 14):
        assert selectors.ledger_root_at(municipality=municipality, tree_size=size) == (
            merkle.root_of(hashes[:size])
        )
        for index in range(size):
            path = selectors.ledger_inclusion_proof(
                municipality=municipality, index=index, tree_size=size
            )
            assert merkle.verify_inclusion(
                index, size, hashes[index], path, merkle.root_of(hashes[:size])
            )
        path = selectors.ledger_consistency_proof(municipality=municipality, first=size, second=13)
        assert merkle.verify_consistency(
            size, 13, merkle.root_of(hashes[:size]), head.root_hash, path
        )


def test_a_proof_reads_a_fixed_number_of_rows(make_report, municipality, django_assert_num_queries):
    for _ in range(40):
        make_report()
    with django_assert_num_queries(2):  # leaf hashes, then subtree hashes
        selectors.ledger_inclusion_proof(municipality=municipality, index=17, tree_size=40)


def test_every_tree_head_is_signed_with_the_published_key(make_report, municipality):
    empty = selectors.ledger_tree_head(municipality=municipality)
    assert (empty.tree_size, empty.root_hash) == (0, merkle.EMPTY_ROOT)
    make_report()
    head = selectors.ledger_tree_head(municipality=municipality)
    assert head.public_key == empty.public_key
    message = services.tree_head_message(
        slug=municipality.slug,
        root_hash=head.root_hash,
        timestamp=head.timestamp,
        tree_size=head.tree_size,
    )
    assert keys.signature_valid(head.public_key, head.signature, message)
    assert not keys.signature_valid(head.public_key, head.signature, message.replace(b"1", b"2"))
    assert (
        AuditEntry.objects.filter(municipality=municipality, action="ledger.key_create").count()
        == 1
    )


def test_the_private_key_is_stored_encrypted_and_needs_the_secret(
    make_report, municipality, settings
):
    make_report()
    row = LedgerHead.objects.get(municipality=municipality)
    assert len(bytes(row.private_key_encrypted)) == 48  # 32-byte key + 16-byte GCM tag
    settings.LEDGER_KEY_SECRET = "another deployment's secret"
    with pytest.raises(ImproperlyConfigured):
        make_report()


def test_each_municipality_has_its_own_log_and_key(make_report, municipality, other_municipality):
    make_report()
    other_category = factories.CategoryFactory(municipality=other_municipality, code="road")
    report_services.report_create(
        municipality=other_municipality, category=other_category, description="x", address="y"
    )
    a = selectors.ledger_tree_head(municipality=municipality)
    b = selectors.ledger_tree_head(municipality=other_municipality)
    assert a.tree_size == b.tree_size == 1
    assert a.public_key != b.public_key
    assert [e.index for e in entries(other_municipality)] == [0]


# -- the API other apps use ---------------------------------------------------------------------


def test_ledger_append_is_idempotent_and_ledger_entry_for_finds_it(make_report, municipality):
    report = make_report()
    event = ReportEvent.objects.get(report=report, kind="created")
    first = selectors.ledger_entry_for(record=event)
    again = services.ledger_append(
        municipality=municipality, record_type="report.status", record=event
    )
    assert again.pk == first.pk and len(entries(municipality)) == 1
    assert first.get_absolute_url() == f"/{municipality.slug}/ledger/entries/0/"
    assert first.get_json_url() == f"/{municipality.slug}/ledger/entries/0.json"
    assert selectors.ledger_entry_for(record=report) is None  # reports themselves are not logged
    found = selectors.ledger_entries_for(records=[event])
    assert found[("reports.reportevent", str(event.pk))].pk == first.pk


def test_ledger_append_refuses_mismatches(make_report, municipality, other_municipality):
    report = make_report()
    event = ReportEvent.objects.get(report=report, kind="created")
    with pytest.raises(ValueError, match="another municipality"):
        services.ledger_append(
            municipality=other_municipality, record_type="report.status", record=event
        )
    with pytest.raises(LookupError):
        services.ledger_append(municipality=municipality, record_type="no.such", record=event)
    with pytest.raises(ValueError, match="is for reports.ReportEvent"):
        services.ledger_append(
            municipality=municipality, record_type="report.status", record=report
        )
    assert len(entries(municipality)) == 1


def test_the_registry_takes_the_documented_arguments_and_refuses_a_conflict():
    registry = RecordTypeRegistry()
    spec = registry.register("test.thing", model="reports.Category", derive_leaf=lambda c: {})
    assert spec.model_label == "reports.category"
    assert registry.get("test.thing") is spec
    with pytest.raises(ValueError):
        registry.register("test.thing", model="reports.Report", derive_leaf=lambda r: {})
    with pytest.raises(LookupError):
        registry.get("missing")
    assert "report.status" in record_types


def test_a_record_type_registered_by_another_app_is_appended_and_verified(municipality):
    from thesaban.ledger.verification import ledger_verify

    def category_leaf(category):
        return {
            "record_type": "test.category",
            "code": category.code,
            "sla_hours": category.sla_hours,
        }

    record_types.register("test.category", model="reports.Category", derive_leaf=category_leaf)
    try:
        category = factories.CategoryFactory(municipality=municipality, code="lights")
        with transaction.atomic():
            entry = services.ledger_append(
                municipality=municipality, record_type="test.category", record=category
            )
        assert entry.leaf == '{"code":"lights","record_type":"test.category","sla_hours":72}'
        assert ledger_verify(municipality=municipality).ok
    finally:
        record_types._types.pop("test.category")


# -- backfill -----------------------------------------------------------------------------------


def test_paused_appends_are_backfilled_in_event_order_once(make_report, admin_user, municipality):
    with services.ledger_automatic_appends_paused():
        first = make_report()
        second = make_report()
        report_services.report_transition(report=first, actor=admin_user, to_status=Status.ACCEPTED)
    assert entries(municipality) == []
    assert services.ledger_backfill(municipality=municipality) == 3
    codes = [json.loads(e.leaf)["tracking_code"] for e in entries(municipality)]
    assert codes == [first.tracking_code, second.tracking_code, first.tracking_code]
    assert services.ledger_backfill(municipality=municipality) == 0
    make_report()  # appends resume after the block
    assert len(entries(municipality)) == 4
    assert selectors.ledger_tree_head(municipality=municipality).root_hash == reference_root(
        municipality
    )


def test_the_readiness_measure_of_ledgered_public_records(db, municipality, category):
    """Report status changes appended automatically count as ledgered; a paused append does not."""
    from datetime import timedelta

    from django.utils import timezone

    from thesaban.ledger.services import ledger_automatic_appends_paused
    from thesaban.readiness.registry import live_indicators
    from thesaban.reports import services as report_services

    measure = live_indicators.get("ledger.public_records_share")
    today = timezone.localdate()
    period = (today - timedelta(days=30), today)
    assert measure.function(municipality, *period) is None
    report_services.report_create(
        municipality=municipality, category=category, description="x", address="y"
    )
    with ledger_automatic_appends_paused():
        report_services.report_create(
            municipality=municipality, category=category, description="z", address="y"
        )
    result = measure.function(municipality, *period)
    assert (result.numerator, result.denominator) == (1, 2)
