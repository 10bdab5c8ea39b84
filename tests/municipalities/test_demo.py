"""`thesaban demo`: idempotent, every state present, everything inside its community."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Max

from thesaban.accounts.models import ConsentRecord, StaffRole, User
from thesaban.core.models import AuditEntry
from thesaban.insight.models import CategoriserModel
from thesaban.municipalities import geo
from thesaban.municipalities.demo import builder
from thesaban.municipalities.models import Community, Department, Municipality
from thesaban.reports.models import (
    Category,
    Report,
    ReportComment,
    ReportEvent,
    ReportFollower,
    ReportSupport,
    RoutingRule,
)
from thesaban.reports.workflow import Status

COUNTED = [
    Municipality,
    Department,
    Community,
    Category,
    RoutingRule,
    User,
    StaffRole,
    ConsentRecord,
    Report,
    ReportEvent,
    ReportSupport,
    ReportFollower,
    ReportComment,
    AuditEntry,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _run() -> str:
    out = StringIO()
    call_command("demo", "--no-progress", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Built once for the module (it takes a few seconds); the tests below only read."""
    with django_db_blocker.unblock():
        audit_before = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
        consent_before = ConsentRecord.objects.aggregate(last=Max("id"))["last"] or 0
        first_output = _run()
        first = _counts()
        second_output = _run()
        second = _counts()
        yield {"first": first, "second": second, "output": first_output + second_output}
        # Committed outside the tests' transactions: leave the database as it was found.
        AuditEntry.objects.filter(id__gt=audit_before).delete()
        ConsentRecord.objects.filter(id__gt=consent_before).delete()
        Report.objects.filter(municipality__slug="demo").delete()
        Municipality.objects.filter(slug="demo").delete()
        User.objects.filter(email__endswith="@demo.thesaban.local").delete()
        User.objects.filter(email__endswith="@demo.invalid").delete()  # opinion-group voters
        CategoriserModel.objects.filter(municipality__isnull=True).delete()  # the shipped model


@pytest.fixture
def municipality(demo, db):
    return Municipality.objects.get(slug="demo")


def test_second_run_changes_nothing(demo):
    assert demo["first"]["Report"] == 400
    assert demo["second"] == demo["first"]


def test_every_status_is_present(municipality):
    present = set(Report.objects.filter(municipality=municipality).values_list("status", flat=True))
    assert present == set(Status.values)


def test_staff_roles_and_printed_credentials(municipality, demo):
    roles = StaffRole.objects.filter(municipality=municipality)
    assert {r.role for r in roles} == set(StaffRole.Role.values)
    admin = User.objects.get(email="admin@demo.thesaban.local")
    assert admin.check_password(builder.DEMO_PASSWORD)
    assert roles.get(user=admin).role == StaffRole.Role.ADMINISTRATOR
    # Every department with categories has an officer of its own.
    routed = set(
        Category.objects.filter(municipality=municipality).values_list("department", flat=True)
    )
    officers = set(roles.filter(role=StaffRole.Role.OFFICER).values_list("department", flat=True))
    assert routed <= officers
    assert "admin@demo.thesaban.local" in demo["output"]
    assert builder.DEMO_PASSWORD in demo["output"]


def test_reports_belong_to_demo_and_lie_in_their_community(municipality):
    assert not Report.objects.exclude(municipality=municipality).exists()
    reports = Report.objects.filter(municipality=municipality).select_related(
        "community", "category"
    )
    for report in reports:
        assert report.community is not None, report.tracking_code
        assert report.community.municipality_id == municipality.id
        assert report.category.municipality_id == municipality.id
        assert geo.contains(report.community.boundary, report.lat, report.lng), report.tracking_code


def test_communities_tile_the_municipality_without_overlap(municipality):
    communities = list(Community.objects.filter(municipality=municipality))
    assert 6 <= len(communities) <= 10
    min_lat, max_lat, min_lng, max_lng = geo.bounds(municipality.boundary)
    steps = 40
    for i in range(steps):
        for j in range(steps):
            lat = min_lat + (max_lat - min_lat) * (i + 0.5) / steps
            lng = min_lng + (max_lng - min_lng) * (j + 0.5) / steps
            inside = sum(geo.contains(c.boundary, lat, lng) for c in communities)
            assert inside == (1 if geo.contains(municipality.boundary, lat, lng) else 0), (lat, lng)


def test_history_is_consistent(municipality):
    reports = Report.objects.filter(municipality=municipality)
    events = ReportEvent.objects.filter(municipality=municipality)
    assert not events.filter(created_at__lt=F("report__submitted_at")).exists()
    assert not reports.filter(resolved_at__lt=F("submitted_at")).exists()
    assert not reports.filter(closed_at__lt=F("resolved_at")).exists()
    assert not reports.filter(updated_at__lt=F("submitted_at")).exists()
    assert not reports.filter(
        status__in=[Status.RESOLVED, Status.CLOSED], resolved_at__isnull=True
    ).exists()
    assert (
        reports.filter(satisfaction__isnull=False).count()
        > reports.filter(status=Status.CLOSED).count() / 2
    )
    assert (
        reports.filter(duplicate_of__isnull=False).count()
        == reports.filter(status=Status.DUPLICATE).count()
    )
    assert ReportSupport.objects.filter(municipality=municipality).exists()
    assert ReportComment.objects.filter(municipality=municipality).exists()
    assert reports.filter(is_anonymous=True, reporter__isnull=True, reporter_name="").exists()
    # A year of history: the dashboard's monthly trend has (at least) twelve months.
    months = {
        timestamp.strftime("%Y-%m") for timestamp in reports.values_list("submitted_at", flat=True)
    }
    assert len(months) >= 12


def test_unknown_profile_is_refused(db):
    with pytest.raises(CommandError):
        call_command("demo", "atlantis", "--no-progress", stdout=StringIO())


def test_generated_profile_has_structure_but_no_people(db):
    structure = builder.ensure_structure(builder.load_profile("bench-test"))
    assert structure.municipality.tracking_prefix == "BENCHTEST"
    assert len(structure.categories) == len(builder.category_specs())
    assert not StaffRole.objects.filter(municipality=structure.municipality).exists()
