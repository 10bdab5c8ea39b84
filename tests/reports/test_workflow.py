"""The state machine: every transition in workflow.TRANSITIONS works through the service, and
every (status, target, actor) combination that is not in the table is refused and changes nothing."""

import itertools
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from tests.conftest import image_bytes
from thesaban.core.models import AuditEntry
from thesaban.reports import services, workflow
from thesaban.reports.models import Report, ReportEvent, ReportPhoto
from thesaban.reports.workflow import OPEN_STATUSES, TRANSITIONS, Actor, Status

ALLOWED = {(t.source, t.target, t.actor) for t in TRANSITIONS}
FORBIDDEN = sorted(
    combination
    for combination in itertools.product(Status.values, Status.values, Actor.values)
    if combination not in ALLOWED
)
NOTE = "ซ่อมเรียบร้อยแล้ว / Repaired."


def _id(combination) -> str:
    return "-".join(str(part) for part in combination)


@pytest.fixture
def make_report(municipality, category, resident):
    def make(status=Status.SUBMITTED, **kwargs):
        if status in (Status.RESOLVED, Status.CLOSED):
            kwargs.setdefault("resolved_at", timezone.now() - timedelta(hours=1))
        if status == Status.CLOSED:
            kwargs.setdefault("closed_at", timezone.now() - timedelta(minutes=30))
        kwargs.setdefault("reporter", resident)
        return factories.ReportFactory(
            municipality=municipality, category=category, status=status, **kwargs
        )

    return make


def _actor_for(kind, *, report, officer):
    return {Actor.STAFF: officer, Actor.REPORTER: report.reporter, Actor.SYSTEM: None}[kind]


def _snapshot(report: Report) -> dict:
    report.refresh_from_db()
    return {
        field: getattr(report, field)
        for field in (
            "status",
            "updated_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "department_id",
            "assigned_to_id",
            "duplicate_of_id",
        )
    }


def test_table_is_not_empty_and_forbidden_set_is_the_complement():
    assert len(ALLOWED) == len(TRANSITIONS)  # no transition listed twice
    assert len(FORBIDDEN) == len(Status.values) ** 2 * len(Actor.values) - len(ALLOWED)
    assert ALLOWED.isdisjoint(FORBIDDEN)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "transition", TRANSITIONS, ids=lambda t: f"{t.source}-{t.target}-{t.actor}"
)
def test_every_allowed_transition_succeeds(transition, make_report, officer):
    report = make_report(transition.source)
    actor = _actor_for(transition.actor, report=report, officer=officer)
    before = timezone.now()

    result = services.report_transition(
        report=report,
        actor=actor,
        to_status=transition.target,
        public_note=NOTE if transition.public_note_required else "",
        actor_kind=transition.actor,
    )

    report.refresh_from_db()
    assert result.status == report.status == transition.target
    assert report.updated_at >= before
    event = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.STATUS)
    assert (event.from_status, event.to_status) == (transition.source, transition.target)
    assert event.is_public
    assert event.municipality_id == report.municipality_id
    assert event.actor == (actor if transition.actor != Actor.SYSTEM else None)
    audit = AuditEntry.objects.get(action="report.transition", target_id=str(report.pk))
    assert audit.actor == (actor if transition.actor != Actor.SYSTEM else None)
    assert audit.municipality_id == report.municipality_id
    assert audit.target_type == "reports.report"
    assert audit.data == {
        "from": transition.source,
        "to": transition.target,
        "by": transition.actor,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("combination", FORBIDDEN, ids=_id)
def test_every_transition_not_in_the_table_is_refused_and_changes_nothing(
    combination, make_report, officer
):
    source, target, actor_kind = combination
    report = make_report(source)
    actor = _actor_for(actor_kind, report=report, officer=officer)
    before = _snapshot(report)

    with pytest.raises(ValidationError):
        services.report_transition(
            report=report,
            actor=actor,
            to_status=target,
            public_note=NOTE,
            internal_note="internal",
            actor_kind=actor_kind,
        )

    assert _snapshot(report) == before
    assert not ReportEvent.objects.filter(report=report).exists()
    assert not AuditEntry.objects.filter(action="report.transition").exists()


@pytest.mark.django_db
def test_unknown_target_status_is_a_validation_error(make_report, officer):
    report = make_report()
    with pytest.raises(ValidationError):
        services.report_transition(
            report=report, actor=officer, to_status="teleported", public_note=NOTE
        )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


NOTE_REQUIRED = [t for t in TRANSITIONS if t.public_note_required]


def test_resolve_and_reject_require_a_public_note():
    targets = {t.target for t in NOTE_REQUIRED}
    assert targets == {Status.RESOLVED, Status.REJECTED}
    # ... and every resolve or reject in the table requires one.
    assert all(t.public_note_required for t in TRANSITIONS if t.target in targets)


@pytest.mark.django_db
@pytest.mark.parametrize("transition", NOTE_REQUIRED, ids=lambda t: f"{t.source}-{t.target}")
@pytest.mark.parametrize("note", ["", "   \n "])
def test_missing_public_note_is_refused(transition, note, make_report, officer):
    report = make_report(transition.source)
    with pytest.raises(ValidationError) as caught:
        services.report_transition(
            report=report,
            actor=officer,
            to_status=transition.target,
            public_note=note,
            internal_note="only internal",
            actor_kind=transition.actor,
        )
    assert "public_note" in caught.value.error_dict
    report.refresh_from_db()
    assert report.status == transition.source
    assert not ReportEvent.objects.filter(report=report).exists()
    assert not AuditEntry.objects.filter(action="report.transition").exists()


@pytest.mark.django_db
def test_public_note_is_kept_on_the_event_and_internal_note_is_private(make_report, officer):
    report = make_report()
    services.report_transition(
        report=report,
        actor=officer,
        to_status=Status.RESOLVED,
        public_note="  Filled the pothole. ",
        internal_note="Contractor B, invoice 42",
    )
    status_event = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.STATUS)
    assert status_event.note == "Filled the pothole."
    assert status_event.is_public
    note = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.NOTE)
    assert note.note == "Contractor B, invoice 42"
    assert not note.is_public


@pytest.mark.django_db
def test_resolve_with_photos_stores_staff_photos(make_report, officer):
    report = make_report(Status.IN_PROGRESS)
    upload = SimpleUploadedFile(
        "after.jpg", image_bytes(size=(800, 600)), content_type="image/jpeg"
    )
    services.report_transition(
        report=report, actor=officer, to_status=Status.RESOLVED, public_note=NOTE, photos=[upload]
    )
    photo = ReportPhoto.objects.get(report=report)
    assert photo.by_staff
    assert photo.municipality_id == report.municipality_id
    assert (photo.width, photo.height) == (800, 600)


@pytest.mark.django_db
def test_a_bad_photo_refuses_the_whole_transition(make_report, officer):
    report = make_report(Status.IN_PROGRESS)
    bad = SimpleUploadedFile("after.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        services.report_transition(
            report=report, actor=officer, to_status=Status.RESOLVED, public_note=NOTE, photos=[bad]
        )
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert not ReportPhoto.objects.exists()
    assert not ReportEvent.objects.exists()


@pytest.mark.django_db
def test_timestamps_through_a_whole_life(make_report, officer, admin_user):
    report = make_report()
    assert report.first_response_at is None

    services.report_transition(report=report, actor=officer, to_status=Status.ACCEPTED)
    report.refresh_from_db()
    first_response = report.first_response_at
    assert first_response is not None
    assert report.resolved_at is None and report.closed_at is None

    services.report_transition(report=report, actor=admin_user, to_status=Status.IN_PROGRESS)
    report.refresh_from_db()
    assert report.first_response_at == first_response  # only the first staff action counts

    services.report_transition(
        report=report, actor=officer, to_status=Status.RESOLVED, public_note=NOTE
    )
    report.refresh_from_db()
    resolved_at = report.resolved_at
    assert resolved_at is not None and resolved_at >= first_response
    assert report.closed_at is None

    services.report_transition(
        report=report, actor=None, to_status=Status.CLOSED, actor_kind=Actor.SYSTEM
    )
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    assert report.closed_at is not None and report.closed_at >= resolved_at
    assert report.resolved_at == resolved_at
    assert report.first_response_at == first_response
    assert list(
        ReportEvent.objects.filter(report=report).values_list("from_status", "to_status")
    ) == [
        (Status.SUBMITTED, Status.ACCEPTED),
        (Status.ACCEPTED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.RESOLVED),
        (Status.RESOLVED, Status.CLOSED),
    ]
    assert (
        AuditEntry.objects.filter(action="report.transition", target_id=str(report.pk)).count() == 4
    )


@pytest.mark.django_db
def test_system_transition_is_not_a_first_response(make_report):
    report = make_report()
    services.report_transition(
        report=report, actor=None, to_status=Status.DUPLICATE, actor_kind=Actor.SYSTEM
    )
    report.refresh_from_db()
    assert report.status == Status.DUPLICATE
    assert report.first_response_at is None


@pytest.mark.django_db
def test_reopen_clears_resolution_and_counts(make_report):
    report = make_report(Status.RESOLVED)
    services.report_transition(
        report=report,
        actor=report.reporter,
        to_status=Status.ACCEPTED,
        public_note="Still broken",
        actor_kind=Actor.REPORTER,
    )
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert report.resolved_at is None
    assert report.reopen_count == 1
    assert report.first_response_at is None  # a reporter's action is not a staff response


@pytest.mark.django_db
@pytest.mark.parametrize(
    "transition",
    [t for t in TRANSITIONS if t.actor == Actor.STAFF],
    ids=lambda t: f"{t.source}-{t.target}",
)
def test_viewer_cannot_make_any_staff_transition(transition, make_report, viewer):
    report = make_report(transition.source)
    with pytest.raises(PermissionDenied):
        services.report_transition(
            report=report, actor=viewer, to_status=transition.target, public_note=NOTE
        )
    report.refresh_from_db()
    assert report.status == transition.source
    assert not ReportEvent.objects.exists()


@pytest.mark.django_db
def test_staff_of_another_municipality_and_residents_are_refused(
    make_report, make_staff, other_municipality, resident
):
    report = make_report()
    foreigner = make_staff(other_municipality, "administrator")
    for actor in (foreigner, resident, None):
        with pytest.raises(PermissionDenied):
            services.report_transition(report=report, actor=actor, to_status=Status.ACCEPTED)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert not AuditEntry.objects.filter(action="report.transition").exists()


def test_transitions_from_lists_only_that_actors_moves():
    staff_targets = {t.target for t in workflow.transitions_from(Status.SUBMITTED, Actor.STAFF)}
    assert staff_targets == {Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED}
    assert workflow.transitions_from(Status.CLOSED, Actor.STAFF) == []
    assert [t.target for t in workflow.transitions_from(Status.RESOLVED, Actor.REPORTER)] == [
        Status.ACCEPTED
    ]


def test_terminal_states_have_no_way_out():
    for status in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE):
        assert not [t for t in TRANSITIONS if t.source == status]
    assert {t.source for t in TRANSITIONS if t.target == Status.DUPLICATE} == set(OPEN_STATUSES)
