"""`thesaban ledger verify`: a changed record, a changed leaf, a changed subtree, a deleted record
or a forged head are found and named; an intact log passes."""

import json

import pytest
from django.core.management import CommandError, call_command

from thesaban.ledger import services
from thesaban.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from thesaban.ledger.verification import ledger_verify
from thesaban.reports import services as report_services
from thesaban.reports.models import ReportEvent
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(make_report, admin_user, municipality):
    reports = [make_report() for _ in range(5)]
    report_services.report_transition(
        report=reports[2], actor=admin_user, to_status=Status.ACCEPTED
    )
    return reports


def entry(municipality, index) -> LedgerEntry:
    return LedgerEntry.objects.get(municipality=municipality, index=index)


def run_verify(slug) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(
        "ledger", "verify", "--municipality", slug, "--no-progress", stdout=out, stderr=err
    )
    return out.getvalue(), err.getvalue()


def test_an_intact_log_verifies(log, municipality):
    result = ledger_verify(municipality=municipality)
    assert result.ok and result.checked == result.tree_size == 6
    out, _ = run_verify(municipality.slug)
    assert out.startswith("OK: 6 entries")


def test_a_changed_record_is_named(log, municipality):
    target = entry(municipality, 5)  # the accepted → status change of the third report
    ReportEvent.objects.filter(pk=target.record_id).update(to_status=Status.REJECTED)
    result = ledger_verify(municipality=municipality)
    assert not result.ok
    (problem,) = result.problems
    assert (problem.index, problem.record_type, problem.record) == (
        5,
        "report.status",
        f"reports.reportevent #{target.record_id}",
    )
    assert "record was changed" in problem.message
    with pytest.raises(CommandError, match="does not verify: 1 problem"):
        run_verify(municipality.slug)


def test_a_changed_leaf_is_named(log, municipality):
    target = entry(municipality, 3)
    forged = json.loads(target.leaf) | {"to_status": "closed"}
    LedgerEntry.objects.filter(pk=target.pk).update(
        leaf=json.dumps(forged, sort_keys=True, separators=(",", ":"))
    )
    result = ledger_verify(municipality=municipality)
    messages = {(p.index, p.message.split(":")[0]) for p in result.problems}
    assert (3, "the stored leaf was changed") in messages
    assert (3, "the record was changed") in messages
    assert all(p.record == f"reports.reportevent #{target.record_id}" for p in result.problems)


def test_a_changed_leaf_with_a_matching_leaf_hash_still_fails(log, municipality):
    from thesaban.ledger import merkle

    target = entry(municipality, 1)
    forged = target.leaf.replace('"to_status":"submitted"', '"to_status":"resolved"')
    LedgerEntry.objects.filter(pk=target.pk).update(
        leaf=forged, leaf_hash=merkle.leaf_hash(forged.encode())
    )
    problems = [str(p) for p in ledger_verify(municipality=municipality).problems]
    assert any(
        p.startswith("entry 1 (report.status") and "record was changed" in p for p in problems
    )
    assert any("subtree of entries 0–1 (level 1) was changed" in p for p in problems)
    assert any("not the head's root" in p for p in problems)


def test_a_deleted_record_a_changed_subtree_and_a_forged_head_are_found(log, municipality):
    ReportEvent.objects.filter(pk=entry(municipality, 0).record_id).delete()
    LedgerNode.objects.filter(municipality=municipality, level=2, position=0).update(
        hash=b"\0" * 32
    )
    head = LedgerHead.objects.get(municipality=municipality)
    LedgerHead.objects.filter(pk=head.pk).update(tree_size=7)
    problems = [str(p) for p in ledger_verify(municipality=municipality).problems]
    assert any(p.startswith("entry 0 (report.status") and "deleted" in p for p in problems)
    assert any("entries 0–3 (level 2) was changed" in p for p in problems)
    assert any("the head says 7 entries, the log holds 6" in p for p in problems)
    assert any("signature is not valid" in p for p in problems)


def test_a_missing_entry_is_found(log, municipality):
    LedgerEntry.objects.filter(municipality=municipality, index=2).delete()
    problems = [str(p) for p in ledger_verify(municipality=municipality).problems]
    assert "entry 2: entries 2–2 are missing" in problems


def test_backfill_command_then_verify(make_report, municipality):
    with services.ledger_automatic_appends_paused():
        make_report()
        make_report()
    from io import StringIO

    out = StringIO()
    call_command(
        "ledger", "backfill", "--municipality", municipality.slug, "--no-progress", stdout=out
    )
    assert "Appended 2 record(s)" in out.getvalue()
    assert run_verify(municipality.slug)[0].startswith("OK: 2 entries")
    out = StringIO()
    call_command("ledger", "head", "--municipality", municipality.slug, stdout=out)
    assert json.loads(out.getvalue())["tree_size"] == 2


def test_an_unknown_municipality_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No municipality with the slug 'nowhere'"):
        call_command("ledger", "verify", "--municipality", "nowhere")
