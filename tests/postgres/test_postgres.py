"""Behaviour that only PostgreSQL can show: real row locks and truly concurrent transactions.

SQLite serialises every writer on the whole database file, so these races cannot happen there
and the tests skip with that reason.
"""

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from tests import factories
from thesaban.core.db import EpochSeconds
from thesaban.reports import selectors, services
from thesaban.reports.models import Report, ReportEvent, ReportSequence, ReportSupport
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (row locks, concurrent writers); set DATABASE_URL=postgres://…",
)
WHEN = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # 2569 in the Buddhist era, far from New Year


def run_in_threads(count: int, work: Callable[[int], object]) -> tuple[list, list[BaseException]]:
    """Run `work(i)` in `count` threads started together, each on its own database connection."""
    barrier = threading.Barrier(count)
    results: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            result = work(i)
            with lock:
                results.append(result)
        except BaseException as error:  # collected and re-checked by the test
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results, errors


@pytest.fixture
def tenant(transactional_db):
    municipality = factories.MunicipalityFactory(slug="pg", tracking_prefix="PG")
    category = factories.CategoryFactory(municipality=municipality)
    return municipality, category


def test_concurrent_reports_get_unique_gap_free_tracking_codes(tenant):
    municipality, category = tenant
    threads, per_thread = 8, 5

    def work(i: int) -> list[str]:
        return [
            services.report_create(
                municipality=municipality,
                category=category,
                description=f"thread {i} report {n}",
                address="ตลาด",
                submitted_at=WHEN,
            ).tracking_code
            for n in range(per_thread)
        ]

    results, errors = run_in_threads(threads, work)
    assert errors == []
    codes = [code for batch in results for code in batch]
    expected = {f"PG-2569-{n:06d}" for n in range(1, threads * per_thread + 1)}
    assert len(codes) == len(set(codes)) == threads * per_thread
    assert set(codes) == expected
    assert (
        ReportSequence.objects.get(municipality=municipality, year_be=2569).last_number
        == threads * per_thread
    )
    # Each thread's own reports are numbered in the order it created them.
    for batch in results:
        assert batch == sorted(batch)


def test_concurrent_retries_of_one_submission_create_one_report_and_waste_no_number(tenant):
    municipality, category = tenant

    def work(_i: int) -> str:
        return services.report_create(
            municipality=municipality,
            category=category,
            description="เสาไฟล้ม",
            address="ซอย 3",
            submitted_at=WHEN,
            idempotency_key="form-token-123",
        ).tracking_code

    results, errors = run_in_threads(6, work)
    assert errors == []
    assert set(results) == {"PG-2569-000001"}
    assert Report.objects.filter(municipality=municipality).count() == 1
    following = services.report_create(
        municipality=municipality,
        category=category,
        description="next",
        address="x",
        submitted_at=WHEN,
    )
    assert following.tracking_code == "PG-2569-000002"


def test_concurrent_supports_by_one_person_count_once(tenant):
    municipality, category = tenant
    report = factories.ReportFactory(municipality=municipality, category=category)
    supporter = factories.UserFactory()
    results, errors = run_in_threads(
        6, lambda _i: services.report_support(report=report, user=supporter)
    )
    assert errors == []
    assert sorted(results) == [False] * 5 + [True]
    report.refresh_from_db()
    assert report.support_count == 1
    assert ReportSupport.objects.filter(report=report).count() == 1


def test_concurrent_supports_by_many_people_all_count(tenant):
    municipality, category = tenant
    report = factories.ReportFactory(municipality=municipality, category=category)
    people = [factories.UserFactory() for _ in range(8)]
    results, errors = run_in_threads(
        8, lambda i: services.report_support(report=report, user=people[i])
    )
    assert errors == [] and results == [True] * 8
    report.refresh_from_db()
    assert report.support_count == 8  # F() increments, no lost update


def test_transition_waits_for_the_row_lock_and_then_sees_the_new_status(tenant, make_staff):
    municipality, category = tenant
    first, second = (
        make_staff(municipality, "administrator"),
        make_staff(municipality, "administrator"),
    )
    report = factories.ReportFactory(municipality=municipality, category=category)
    holding = threading.Event()
    release = threading.Event()

    def hold_lock(_i: int) -> str:
        with transaction.atomic():
            locked = Report.objects.select_for_update().get(pk=report.pk)
            holding.set()
            release.wait(timeout=30)
            services.report_transition(
                report=locked, actor=first, to_status=Status.REJECTED, public_note="ซ้ำ"
            )
        return "rejected"

    outcome: dict[str, object] = {}

    def transition_meanwhile() -> None:
        holding.wait(timeout=30)
        started = time.monotonic()
        try:
            services.report_transition(report=report, actor=second, to_status=Status.ACCEPTED)
        except ValidationError as error:
            outcome["error"] = error
        finally:
            outcome["waited"] = time.monotonic() - started
            connections.close_all()

    other = threading.Thread(target=transition_meanwhile)
    other.start()

    def release_later() -> None:
        holding.wait(timeout=30)
        time.sleep(0.5)
        release.set()

    releaser = threading.Thread(target=release_later)
    releaser.start()
    results, errors = run_in_threads(1, hold_lock)
    other.join(timeout=60)
    releaser.join(timeout=60)
    assert errors == [] and results == ["rejected"]
    # The second transition waited for the lock, then read REJECTED and was refused, instead of
    # overwriting the rejection with a stale SUBMITTED -> ACCEPTED.
    assert outcome["waited"] >= 0.4
    assert isinstance(outcome.get("error"), ValidationError)
    report.refresh_from_db()
    assert report.status == Status.REJECTED
    assert list(ReportEvent.objects.filter(report=report).values_list("to_status", flat=True)) == [
        Status.REJECTED
    ]


def test_racing_staff_transitions_one_wins(tenant, make_staff):
    municipality, category = tenant
    staff = [make_staff(municipality, "administrator") for _ in range(2)]
    report = factories.ReportFactory(municipality=municipality, category=category)
    targets = [Status.RESOLVED, Status.REJECTED]

    def work(i: int) -> str:
        services.report_transition(
            report=report, actor=staff[i], to_status=targets[i], public_note="done"
        )
        return targets[i]

    results, errors = run_in_threads(2, work)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    report.refresh_from_db()
    assert report.status == results[0]
    assert ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.STATUS).count() == 1


def test_epoch_seconds_matches_python(tenant):
    municipality, category = tenant
    moment = datetime(2026, 11, 21, 3, 4, 5, 250000, tzinfo=UTC)
    factories.ReportFactory(municipality=municipality, category=category, submitted_at=moment)
    value = (
        Report.objects.annotate(epoch=EpochSeconds("submitted_at"))
        .values_list("epoch", flat=True)
        .get()
    )
    assert value == pytest.approx(moment.timestamp(), abs=1e-3)


def test_priority_ordering_in_sql(tenant):
    municipality, category = tenant
    now = timezone.now()
    minor = factories.CategoryFactory(municipality=municipality, severity=1)
    severe = factories.CategoryFactory(municipality=municipality, severity=5)
    overdue = factories.ReportFactory(
        municipality=municipality,
        category=minor,
        submitted_at=now - timedelta(hours=100),
        sla_due_at=now - timedelta(hours=28),
    )
    half_used = factories.ReportFactory(
        municipality=municipality,
        category=minor,
        submitted_at=now - timedelta(hours=36),
        sla_due_at=now + timedelta(hours=36),
    )
    fresh_severe = factories.ReportFactory(
        municipality=municipality,
        category=severe,
        submitted_at=now,
        sla_due_at=now + timedelta(hours=72),
    )
    fresh_minor = factories.ReportFactory(
        municipality=municipality,
        category=minor,
        submitted_at=now,
        sla_due_at=now + timedelta(hours=72),
    )
    queue = list(selectors.triage_queue(municipality=municipality, now=now))
    assert [r.pk for r in queue] == [overdue.pk, fresh_severe.pk, half_used.pk, fresh_minor.pk]
    shares = {r.pk: r.sla_share for r in queue}
    assert shares[half_used.pk] == pytest.approx(0.5, abs=0.001)
    assert shares[overdue.pk] == pytest.approx(100 / 72, abs=0.001)
    # Ordering and pagination happen in the database.
    assert [r.pk for r in selectors.triage_queue(municipality=municipality, now=now)[1:3]] == [
        fresh_severe.pk,
        half_used.pk,
    ]
