"""Report services: creation, tracking codes, routing, reopen, rating, support, merge,
permissions and notifications."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests import factories
from thesaban.accounts.models import ConsentRecord
from thesaban.core.models import AuditEntry
from thesaban.municipalities.services import community_save
from thesaban.reports import services
from thesaban.reports.models import (
    Report,
    ReportEvent,
    ReportFollower,
    ReportPhoto,
    ReportSequence,
    ReportSupport,
    RoutingRule,
)
from thesaban.reports.workflow import REOPEN_WINDOW_DAYS, Actor, Status

INSIDE = {"lat": 13.005, "lng": 100.005}  # inside tests.factories.SQUARE
OUTSIDE = {"lat": 13.5, "lng": 100.5}
NOTE = "ซ่อมแล้ว"


def create(municipality, category, **kwargs):
    kwargs.setdefault("description", "ไฟถนนดับ")
    if "address" not in kwargs and "lat" not in kwargs:
        kwargs.update(INSIDE)
    return services.report_create(municipality=municipality, category=category, **kwargs)


@pytest.fixture
def report(municipality, category, resident):
    return factories.ReportFactory(municipality=municipality, category=category, reporter=resident)


def resolved(report, *, days_ago: float = 1) -> Report:
    when = timezone.now() - timedelta(days=days_ago)
    Report.objects.filter(pk=report.pk).update(status=Status.RESOLVED, resolved_at=when)
    report.refresh_from_db()
    return report


# -- creation ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_writes_report_event_audit_and_follower(municipality, category, resident):
    report = create(municipality, category, reporter=resident, description="  ถนนเป็นหลุม  ")
    assert report.status == Status.SUBMITTED
    assert report.description == "ถนนเป็นหลุม"
    assert report.municipality == municipality
    assert report.sla_due_at == report.submitted_at + timedelta(hours=category.sla_hours)
    assert report.reporter_email == resident.email  # staff can reach the account holder
    event = ReportEvent.objects.get(report=report)
    assert (event.kind, event.to_status, event.actor) == (
        ReportEvent.Kind.CREATED,
        Status.SUBMITTED,
        resident,
    )
    assert AuditEntry.objects.filter(
        action="report.create", actor=resident, municipality=municipality, target_id=str(report.pk)
    ).exists()
    assert ReportFollower.objects.filter(report=report, user=resident).exists()


@pytest.mark.django_db
def test_anonymous_reporter_follows_by_email_only_with_consent(municipality, category):
    without = create(municipality, category, reporter_email="a@example.org")
    assert not ReportFollower.objects.filter(report=without).exists()
    assert not ConsentRecord.objects.exists()
    with_consent = create(
        municipality, category, reporter_email="B@Example.org", contact_consent=True
    )
    assert ReportFollower.objects.get(report=with_consent).email == "b@example.org"
    consent = ConsentRecord.objects.get()
    assert consent.purpose == ConsentRecord.Purpose.REPORT_CONTACT
    assert consent.subject_email == "b@example.org"
    assert consent.municipality == municipality


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"description": "   "}, "description"),
        ({"lat": 13.0, "lng": None}, "lat"),
        ({"lat": None, "lng": 100.0, "address": "x"}, "lat"),
        ({"address": "   "}, "address"),
    ],
)
def test_create_refuses_incomplete_reports(municipality, category, kwargs, field):
    with pytest.raises(ValidationError) as caught:
        create(municipality, category, **kwargs)
    assert field in caught.value.error_dict
    assert not Report.objects.exists()
    assert not ReportSequence.objects.filter(last_number__gt=0).exists()


@pytest.mark.django_db
def test_create_refuses_another_municipalitys_category(municipality, other_municipality):
    foreign = factories.CategoryFactory(municipality=other_municipality)
    with pytest.raises(ValidationError) as caught:
        create(municipality, foreign)
    assert "category" in caught.value.error_dict
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_create_refuses_more_than_three_photos(municipality, category, jpeg_upload):
    with pytest.raises(ValidationError) as caught:
        create(municipality, category, photos=[jpeg_upload() for _ in range(4)])
    assert "photos" in caught.value.error_dict
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_create_with_address_only_has_no_community(municipality, category):
    report = create(municipality, category, address="หน้าตลาดสด")
    assert report.lat is None and report.community is None
    assert report.department == category.department


@pytest.mark.django_db
def test_create_stores_cleaned_photos(municipality, category, jpeg_upload):
    report = create(municipality, category, photos=[jpeg_upload(size=(3000, 1500)), jpeg_upload()])
    photos = list(ReportPhoto.objects.filter(report=report))
    assert [p.position for p in photos] == [0, 1]
    assert (photos[0].width, photos[0].height) == (2048, 1024)
    assert all(not p.by_staff and p.municipality_id == municipality.id for p in photos)
    assert photos[0].image.name.endswith(".jpg") and photos[0].thumbnail.name.endswith(".jpg")


# -- tracking codes ------------------------------------------------------------------------


@pytest.mark.django_db
def test_tracking_codes_are_sequential_per_municipality_and_buddhist_year(
    municipality, category, other_municipality
):
    other_category = factories.CategoryFactory(municipality=other_municipality)
    when = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
    codes = [create(municipality, category, submitted_at=when).tracking_code for _ in range(3)]
    assert codes == ["ALPHA-2569-000001", "ALPHA-2569-000002", "ALPHA-2569-000003"]
    assert (
        create(other_municipality, other_category, submitted_at=when).tracking_code
        == "BETA-2569-000001"
    )
    # A new Buddhist-era year starts again from 1; the old year goes on where it stopped.
    next_year = datetime(2027, 2, 1, 5, 0, tzinfo=UTC)
    assert (
        create(municipality, category, submitted_at=next_year).tracking_code == "ALPHA-2570-000001"
    )
    assert create(municipality, category, submitted_at=when).tracking_code == "ALPHA-2569-000004"


@pytest.mark.django_db
def test_tracking_year_follows_bangkok_time(municipality, category):
    # 17:30 UTC on 31 Dec 2026 is already 1 Jan 2027 (2570) in Bangkok.
    report = create(municipality, category, submitted_at=datetime(2026, 12, 31, 17, 30, tzinfo=UTC))
    assert report.tracking_code == "ALPHA-2570-000001"


@pytest.mark.django_db
def test_tracking_code_is_unique_per_municipality_in_the_database(
    municipality, category, other_municipality
):
    factories.ReportFactory(
        municipality=municipality, category=category, tracking_code="X-2569-000001"
    )
    other_category = factories.CategoryFactory(municipality=other_municipality)
    # The same code in another municipality is fine...
    factories.ReportFactory(
        municipality=other_municipality, category=other_category, tracking_code="X-2569-000001"
    )
    # ...but not twice in one.
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReportFactory(
            municipality=municipality, category=category, tracking_code="X-2569-000001"
        )


@pytest.mark.django_db
def test_refused_report_does_not_use_up_a_number(municipality, category):
    create(municipality, category)
    with pytest.raises(ValidationError):
        create(
            municipality,
            category,
            photos=[SimpleUploadedFile("x.jpg", b"text", content_type="image/jpeg")],
        )
    assert create(municipality, category).tracking_code.endswith("-000002")


# -- routing -------------------------------------------------------------------------------


@pytest.fixture
def community(municipality):
    return community_save(
        municipality=municipality,
        code="market",
        name_th="ชุมชนตลาด",
        name_en="Market",
        boundary=factories.SQUARE,
    )


@pytest.mark.django_db
def test_community_found_from_polygon_and_category_department_by_default(
    municipality, category, community
):
    inside = create(municipality, category, **INSIDE)
    assert inside.community == community
    assert inside.department == category.department
    outside = create(municipality, category, **OUTSIDE)
    assert outside.community is None
    assert outside.department == category.department


@pytest.mark.django_db
def test_routing_rule_for_the_community_overrides_the_category_department(
    municipality, category, community
):
    sanitation = factories.DepartmentFactory(municipality=municipality, code="sanitation")
    RoutingRule.objects.create(
        municipality=municipality, category=category, community=community, department=sanitation
    )
    assert create(municipality, category, **INSIDE).department == sanitation
    assert create(municipality, category, **OUTSIDE).department == category.department
    # Another category in the same community keeps its own department.
    lights = factories.CategoryFactory(municipality=municipality)
    assert create(municipality, lights, **INSIDE).department == lights.department


@pytest.mark.django_db
def test_routing_rule_of_another_community_does_not_apply(municipality, category, community):
    elsewhere = community_save(
        municipality=municipality,
        code="far",
        name_th="ไกล",
        name_en="Far",
        boundary={
            "type": "Polygon",
            "coordinates": [[[101, 14], [101.1, 14], [101.1, 14.1], [101, 14.1], [101, 14]]],
        },
    )
    sanitation = factories.DepartmentFactory(municipality=municipality)
    RoutingRule.objects.create(
        municipality=municipality, category=category, community=elsewhere, department=sanitation
    )
    report = create(municipality, category, **INSIDE)
    assert report.community == community
    assert report.department == category.department


# -- SLA -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sla_breach_flag(report):
    now = timezone.now()
    report.sla_due_at = now + timedelta(hours=1)
    assert not report.sla_breached  # open, not yet due
    report.sla_due_at = now - timedelta(hours=1)
    assert report.sla_breached  # open and overdue
    report.status, report.resolved_at = Status.RESOLVED, now - timedelta(hours=2)
    assert not report.sla_breached  # resolved before the deadline
    report.resolved_at = now
    assert report.sla_breached  # resolved after it
    report.status = Status.CLOSED
    assert report.sla_breached  # closing keeps the verdict
    report.status, report.resolved_at = Status.REJECTED, None
    assert not report.sla_breached


# -- reopen --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reporter_account_reopens_within_14_days(report, resident):
    resolved(report, days_ago=REOPEN_WINDOW_DAYS - 1)
    services.report_reopen(report=report, user=resident, reason="ยังไม่ได้ซ่อม")
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert report.reopen_count == 1
    assert report.resolved_at is None
    event = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.STATUS)
    assert (event.from_status, event.to_status, event.note) == (
        Status.RESOLVED,
        Status.ACCEPTED,
        "ยังไม่ได้ซ่อม",
    )
    audit = AuditEntry.objects.get(action="report.transition")
    assert audit.data["by"] == Actor.REPORTER and audit.actor == resident


@pytest.mark.django_db
def test_reporter_without_account_reopens_with_the_follow_token(municipality, category):
    report = factories.ReportFactory(municipality=municipality, category=category, reporter=None)
    resolved(report)
    services.report_reopen(
        report=report, user=None, follow_token=report.follow_token, reason="Still dark"
    )
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED


@pytest.mark.django_db
def test_reopen_refused_after_14_days(report, resident):
    resolved(report, days_ago=REOPEN_WINDOW_DAYS + 0.01)
    assert not services.reopen_window(report).open
    with pytest.raises(ValidationError):
        services.report_reopen(report=report, user=resident, reason="Still broken")
    with pytest.raises(ValidationError):
        services.report_reopen(
            report=report, user=None, follow_token=report.follow_token, reason="Still broken"
        )
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.reopen_count == 0
    assert not ReportEvent.objects.filter(report=report).exists()


@pytest.mark.django_db
def test_reopen_window_ends_exactly_14_days_after_resolution(report):
    resolved(report, days_ago=3)
    window = services.reopen_window(report)
    assert window.open
    assert window.until == report.resolved_at + timedelta(days=14)


@pytest.mark.django_db
def test_reopen_by_someone_else_or_with_a_wrong_token_is_refused(report):
    resolved(report)
    stranger = factories.UserFactory()
    with pytest.raises(PermissionDenied):
        services.report_reopen(report=report, user=stranger, reason="x")
    with pytest.raises(PermissionDenied):
        services.report_reopen(report=report, user=None, follow_token="guessed-token", reason="x")
    with pytest.raises(PermissionDenied):
        services.report_reopen(report=report, user=None, follow_token="", reason="x")
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Status.SUBMITTED, Status.IN_PROGRESS, Status.CLOSED, Status.REJECTED]
)
def test_only_resolved_reports_can_be_reopened(report, resident, status):
    Report.objects.filter(pk=report.pk).update(status=status, resolved_at=timezone.now())
    report.refresh_from_db()
    with pytest.raises(ValidationError):
        services.report_reopen(report=report, user=resident, reason="x")
    report.refresh_from_db()
    assert report.status == status


@pytest.mark.django_db
def test_reopen_needs_a_reason(report, resident):
    resolved(report)
    with pytest.raises(ValidationError) as caught:
        services.report_reopen(report=report, user=resident, reason="  ")
    assert "reason" in caught.value.error_dict
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


# -- rating --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
def test_reporter_rates_a_resolved_report(report, resident, score):
    resolved(report)
    services.report_rate(report=report, user=resident, score=score, comment=" ดีมาก ")
    report.refresh_from_db()
    assert report.satisfaction == score
    assert report.satisfaction_comment == "ดีมาก"
    assert report.rated_at is not None
    assert ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.RATED).data == {
        "score": score
    }
    assert AuditEntry.objects.get(action="report.rate").data == {"score": score}


@pytest.mark.django_db
def test_rating_a_closed_report_with_the_follow_token(report):
    Report.objects.filter(pk=report.pk).update(status=Status.CLOSED, resolved_at=timezone.now())
    report.refresh_from_db()
    services.report_rate(report=report, user=None, follow_token=report.follow_token, score=4)
    report.refresh_from_db()
    assert report.satisfaction == 4


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6, -1])
def test_rating_outside_1_to_5_is_refused(report, resident, score):
    resolved(report)
    with pytest.raises(ValidationError):
        services.report_rate(report=report, user=resident, score=score)
    report.refresh_from_db()
    assert report.satisfaction is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REJECTED, Status.DUPLICATE],
)
def test_rating_before_resolution_is_refused(report, resident, status):
    Report.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    with pytest.raises(ValidationError):
        services.report_rate(report=report, user=resident, score=5)
    report.refresh_from_db()
    assert report.satisfaction is None


@pytest.mark.django_db
def test_only_the_reporter_rates(report, officer):
    resolved(report)
    for user, token in ((factories.UserFactory(), ""), (officer, ""), (None, "wrong")):
        with pytest.raises(PermissionDenied):
            services.report_rate(report=report, user=user, follow_token=token, score=5)
    report.refresh_from_db()
    assert report.satisfaction is None
    assert not ReportEvent.objects.filter(kind=ReportEvent.Kind.RATED).exists()


# -- support -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_support_is_idempotent(report):
    neighbour = factories.UserFactory()
    assert services.report_support(report=report, user=neighbour) is True
    assert services.report_support(report=report, user=neighbour) is False
    report.refresh_from_db()
    assert report.support_count == 1
    assert ReportSupport.objects.filter(report=report).count() == 1
    assert ReportFollower.objects.filter(report=report, user=neighbour).count() == 1
    assert AuditEntry.objects.filter(action="report.support").count() == 1


@pytest.mark.django_db
def test_support_is_unique_in_the_database(report):
    neighbour = factories.UserFactory()
    ReportSupport.objects.create(municipality=report.municipality, report=report, user=neighbour)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportSupport.objects.create(
            municipality=report.municipality, report=report, user=neighbour
        )


@pytest.mark.django_db
def test_self_support_is_refused(report, resident):
    with pytest.raises(ValidationError):
        services.report_support(report=report, user=resident)
    report.refresh_from_db()
    assert report.support_count == 0
    assert not ReportSupport.objects.exists()


@pytest.mark.django_db
def test_supports_from_many_people_add_up(report):
    for _ in range(3):
        services.report_support(report=report, user=factories.UserFactory())
    report.refresh_from_db()
    assert report.support_count == 3


# -- merge ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_merge_moves_supports_and_followers_and_marks_duplicate(municipality, category, officer):
    keep_reporter, dup_reporter = factories.UserFactory(), factories.UserFactory()
    keep = factories.ReportFactory(
        municipality=municipality, category=category, reporter=keep_reporter
    )
    duplicate = factories.ReportFactory(
        municipality=municipality, category=category, reporter=dup_reporter
    )
    both, only_dup, keeps_reporter = factories.UserFactory(), factories.UserFactory(), keep_reporter
    services.report_support(report=keep, user=both)
    services.report_support(report=duplicate, user=both)
    services.report_support(report=duplicate, user=only_dup)
    services.report_support(report=duplicate, user=keeps_reporter)  # the kept report's own reporter
    services.report_follow(report=duplicate, email="Watcher@example.org")
    services.report_follow(report=duplicate, user=dup_reporter)

    result = services.report_merge(duplicate=duplicate, into=keep, actor=officer)

    duplicate.refresh_from_db()
    assert result.pk == keep.pk
    assert duplicate.status == Status.DUPLICATE
    assert duplicate.duplicate_of == keep
    assert duplicate.support_count == 0
    assert not ReportSupport.objects.filter(report=duplicate).exists()
    assert not ReportFollower.objects.filter(report=duplicate).exists()
    supporters = set(ReportSupport.objects.filter(report=keep).values_list("user_id", flat=True))
    # `both` once; `only_dup` moved; the duplicate's reporter counts as a supporter; the kept
    # report's own reporter is not made a supporter of their own report.
    assert supporters == {both.id, only_dup.id, dup_reporter.id}
    assert result.support_count == 3
    followers = ReportFollower.objects.filter(report=keep)
    assert {f.user_id for f in followers if f.user_id} >= {both.id, only_dup.id, dup_reporter.id}
    assert "watcher@example.org" in {f.email for f in followers}
    assert all(f.municipality_id == municipality.id for f in followers)
    assert ReportEvent.objects.filter(report=keep, kind=ReportEvent.Kind.MERGED).exists()
    status_event = ReportEvent.objects.get(report=duplicate, kind=ReportEvent.Kind.STATUS)
    assert status_event.to_status == Status.DUPLICATE and keep.tracking_code in status_event.note
    # Two supports are new on the kept report (`only_dup` and the duplicate's reporter).
    assert AuditEntry.objects.get(action="report.merge").data == {
        "into": keep.tracking_code,
        "moved_supports": 2,
    }


@pytest.mark.django_db
def test_merge_refusals_change_nothing(municipality, category, officer, other_municipality, viewer):
    keep = factories.ReportFactory(municipality=municipality, category=category)
    duplicate = factories.ReportFactory(municipality=municipality, category=category)
    supporter = factories.UserFactory()
    services.report_support(report=duplicate, user=supporter)
    foreign = factories.ReportFactory(municipality=other_municipality)
    already_duplicate = factories.ReportFactory(
        municipality=municipality, category=category, status=Status.DUPLICATE, duplicate_of=keep
    )
    finished = factories.ReportFactory(
        municipality=municipality, category=category, status=Status.CLOSED
    )
    services.report_support(report=finished, user=supporter)

    for dup, into in (
        (duplicate, duplicate),
        (duplicate, foreign),
        (duplicate, already_duplicate),
        (finished, keep),
    ):
        with pytest.raises(ValidationError):
            services.report_merge(duplicate=dup, into=into, actor=officer)
    with pytest.raises(PermissionDenied):
        services.report_merge(duplicate=duplicate, into=keep, actor=viewer)

    for report, status in (
        (duplicate, Status.SUBMITTED),
        (finished, Status.CLOSED),
        (keep, Status.SUBMITTED),
    ):
        report.refresh_from_db()
        assert report.status == status
        assert report.duplicate_of_id is None
    assert duplicate.support_count == 1 and keep.support_count == 0
    assert not ReportSupport.objects.filter(report=keep).exists()
    assert not AuditEntry.objects.filter(action="report.merge").exists()


# -- staff actions and permissions ---------------------------------------------------------


@pytest.mark.django_db
def test_note_and_assign_are_audited(report, officer, municipality):
    other_department = factories.DepartmentFactory(municipality=municipality)
    services.report_note_add(
        report=report, actor=officer, note="Called the reporter", is_public=False
    )
    services.report_assign(
        report=report, actor=officer, department=other_department, officer=officer
    )
    report.refresh_from_db()
    assert report.department == other_department and report.assigned_to == officer
    assert report.first_response_at is None  # an internal note is not a response to the resident
    assert set(AuditEntry.objects.filter(actor=officer).values_list("action", flat=True)) == {
        "report.note",
        "report.assign",
    }
    assert not ReportEvent.objects.get(kind=ReportEvent.Kind.ASSIGNED).is_public
    services.report_note_add(
        report=report, actor=officer, note="We will come on Monday", is_public=True
    )
    report.refresh_from_db()
    assert report.first_response_at is not None


@pytest.mark.django_db
def test_assign_refuses_another_municipalitys_department_or_officer(
    report, officer, other_municipality, make_staff
):
    foreign_department = factories.DepartmentFactory(municipality=other_municipality)
    foreign_officer = make_staff(other_municipality, "officer")
    with pytest.raises(ValidationError):
        services.report_assign(report=report, actor=officer, department=foreign_department)
    with pytest.raises(ValidationError):
        services.report_assign(
            report=report, actor=officer, department=None, officer=foreign_officer
        )
    report.refresh_from_db()
    assert report.department == report.category.department and report.assigned_to is None


@pytest.mark.django_db
def test_viewer_and_other_municipality_staff_get_permission_denied(
    report, viewer, other_municipality, make_staff, resident
):
    foreign_admin = make_staff(other_municipality, "administrator")
    for actor in (viewer, foreign_admin, resident):
        with pytest.raises(PermissionDenied):
            services.report_transition(report=report, actor=actor, to_status=Status.ACCEPTED)
        with pytest.raises(PermissionDenied):
            services.report_note_add(report=report, actor=actor, note="x", is_public=True)
        with pytest.raises(PermissionDenied):
            services.report_assign(report=report, actor=actor, department=None)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert not ReportEvent.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="report.").exists()


@pytest.mark.django_db
def test_bulk_action_is_scoped_to_the_municipality_and_per_report(
    municipality, category, officer, other_municipality
):
    a = factories.ReportFactory(municipality=municipality, category=category)
    b = factories.ReportFactory(municipality=municipality, category=category)
    closed = factories.ReportFactory(
        municipality=municipality, category=category, status=Status.CLOSED
    )
    foreign = factories.ReportFactory(municipality=other_municipality)
    changed, errors = services.report_bulk_action(
        municipality=municipality,
        actor=officer,
        report_ids=[a.pk, b.pk, closed.pk, foreign.pk],
        to_status=Status.ACCEPTED,
    )
    assert changed == 2
    assert len(errors) == 1 and errors[0].startswith(closed.tracking_code)
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses == {
        a.pk: Status.ACCEPTED,
        b.pk: Status.ACCEPTED,
        closed.pk: Status.CLOSED,
        foreign.pk: Status.SUBMITTED,
    }


@pytest.mark.django_db
def test_bulk_action_refused_transition_also_undoes_that_reports_assignment(
    municipality, category, officer
):
    closed = factories.ReportFactory(
        municipality=municipality, category=category, status=Status.CLOSED
    )
    elsewhere = factories.DepartmentFactory(municipality=municipality)
    changed, errors = services.report_bulk_action(
        municipality=municipality,
        actor=officer,
        report_ids=[closed.pk],
        to_status=Status.ACCEPTED,
        department=elsewhere,
    )
    assert (changed, len(errors)) == (0, 1)
    closed.refresh_from_db()
    assert closed.department == category.department
    assert not AuditEntry.objects.filter(action="report.assign").exists()


@pytest.mark.django_db
def test_comment_and_follow(report, resident):
    with pytest.raises(ValidationError):
        services.report_comment_create(report=report, author=resident, body="  ")
    comment = services.report_comment_create(report=report, author=resident, body=" ขอบคุณค่ะ ")
    report.refresh_from_db()
    assert comment.body == "ขอบคุณค่ะ" and report.comment_count == 1
    with pytest.raises(ValidationError):
        services.report_follow(report=report)
    first = services.report_follow(report=report, email="Someone@Example.org")
    again = services.report_follow(report=report, email="someone@example.org")
    assert first.pk == again.pk
    assert services.report_unfollow(report=report, token="wrong") is False
    assert services.report_unfollow(report=report, token=first.unsubscribe_token) is True
    assert not ReportFollower.objects.filter(email="someone@example.org").exists()


# -- notifications -------------------------------------------------------------------------


@pytest.fixture
def followed(report, officer):
    follower_user = factories.UserFactory(email="account-follower@example.org")
    services.report_follow(report=report, user=follower_user)
    services.report_follow(report=report, email="address-follower@example.org")
    services.report_follow(report=report, user=officer)  # the acting officer follows too
    mail.outbox.clear()
    return report


@pytest.mark.django_db
def test_followers_get_an_email_on_a_public_event(
    followed, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_transition(
            report=followed, actor=officer, to_status=Status.RESOLVED, public_note=NOTE
        )
    recipients = sorted(address for message in mail.outbox for address in message.to)
    # The acting officer follows too but gets no e-mail about their own action.
    assert recipients == ["account-follower@example.org", "address-follower@example.org"]
    for message in mail.outbox:
        assert followed.tracking_code in message.subject + message.body
        assert "/unfollow/" in message.body


@pytest.mark.django_db
def test_public_note_notifies_but_internal_note_does_not(
    followed, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.report_note_add(
            report=followed, actor=officer, note="Budget code 7-31", is_public=False
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.report_note_add(
            report=followed, actor=officer, note="We come on Monday", is_public=True
        )
    assert len(mail.outbox) == 2
    assert all(followed.tracking_code in m.subject + m.body for m in mail.outbox)
    assert not any("Budget code 7-31" in m.body for m in mail.outbox)


@pytest.mark.django_db
def test_reporter_gets_a_receipt_with_the_tracking_code(
    municipality, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = create(
            municipality, category, reporter_email="somsri@example.org", contact_consent=True
        )
    assert [m.to for m in mail.outbox] == [["somsri@example.org"]]
    assert report.tracking_code in mail.outbox[0].subject + mail.outbox[0].body
    assert (
        report.follow_token in mail.outbox[0].body
    )  # the private link to follow without an account


@pytest.mark.django_db
def test_nothing_is_sent_when_the_transaction_rolls_back(
    followed, officer, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.report_transition(report=followed, actor=officer, to_status=Status.CLOSED)
    assert callbacks == []
    assert mail.outbox == []
