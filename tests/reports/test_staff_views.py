"""The staff back office through HTTP: queue, one report and its forms, bulk actions, dashboard."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories
from thesaban.accounts.services import staff_role_grant
from thesaban.core.dates import format_month
from thesaban.reports.models import Report, ReportEvent, ReportFollower, ReportSupport
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.django_db
THAI_MO = Path(settings.LOCALE_PATHS[0]) / "th" / "LC_MESSAGES" / "django.mo"


def url(name, municipality, **kwargs):
    return reverse(f"staff:{name}", kwargs={"municipality": municipality.slug, **kwargs})


def login(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def codes(response):
    return [report.tracking_code for report in response.context["page"].object_list]


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def other_department(municipality):
    return factories.DepartmentFactory(municipality=municipality, code="health")


@pytest.fixture
def report(municipality, category):
    return factories.ReportFactory(
        municipality=municipality, category=category, reporter_email="somchai@example.org"
    )


# --- access ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, municipality):
    response = client.get(url("queue", municipality))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_residents_and_other_municipalities_staff_are_refused(
    client, municipality, other_municipality, resident, make_staff
):
    login(client, resident)
    assert client.get(url("queue", municipality)).status_code == 403
    login(client, make_staff(other_municipality, "administrator"))
    assert client.get(url("dashboard", municipality)).status_code == 403


def test_another_municipalitys_report_is_not_found(
    client, municipality, other_municipality, admin_user
):
    foreign = factories.ReportFactory(municipality=other_municipality)
    login(client, admin_user)
    assert client.get(url("report", municipality, code=foreign.tracking_code)).status_code == 404
    response = client.post(
        url("transition", municipality, code=foreign.tracking_code), {"to_status": "accepted"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["transition", "assign", "note", "merge"])
def test_post_endpoints_refuse_get(client, admin_user, municipality, report, name):
    login(client, admin_user)
    assert client.get(url(name, municipality, code=report.tracking_code)).status_code == 405


def test_bulk_refuses_get(client, admin_user, municipality):
    login(client, admin_user)
    assert client.get(url("bulk", municipality)).status_code == 405


# --- queue -------------------------------------------------------------------------------------


def test_officers_see_their_department_and_unassigned_by_default(
    client, municipality, category, department, other_department, officer, admin_user
):
    own = factories.ReportFactory(
        municipality=municipality, category=category, department=department
    )
    unassigned = factories.ReportFactory(
        municipality=municipality, category=category, department=None
    )
    other = factories.ReportFactory(
        municipality=municipality, category=category, department=other_department
    )

    login(client, officer)
    response = client.get(url("queue", municipality))
    assert response.status_code == 200
    assert set(codes(response)) == {own.tracking_code, unassigned.tracking_code}
    # The department filter widens or narrows the view.
    response = client.get(url("queue", municipality), {"department": "all"})
    assert set(codes(response)) == {
        own.tracking_code,
        unassigned.tracking_code,
        other.tracking_code,
    }
    response = client.get(url("queue", municipality), {"department": other_department.pk})
    assert codes(response) == [other.tracking_code]

    login(client, admin_user)
    response = client.get(url("queue", municipality))
    assert set(codes(response)) == {
        own.tracking_code,
        unassigned.tracking_code,
        other.tracking_code,
    }


def test_queue_filters_by_category_status_community_date_and_search(
    client, municipality, category, admin_user
):
    community = factories.CommunityFactory(municipality=municipality)
    other_category = factories.CategoryFactory(municipality=municipality, code="light")
    now = timezone.now()
    match = factories.ReportFactory(
        municipality=municipality,
        category=category,
        community=community,
        description="Deep pothole near the school",
        submitted_at=now - timedelta(days=2),
    )
    factories.ReportFactory(municipality=municipality, category=other_category, community=community)
    factories.ReportFactory(
        municipality=municipality, category=category, submitted_at=now - timedelta(days=40)
    )
    done = factories.ReportFactory(
        municipality=municipality, category=category, status=Status.RESOLVED, resolved_at=now
    )

    login(client, admin_user)
    queue_url = url("queue", municipality)
    assert codes(
        client.get(queue_url, {"category": other_category.pk, "community": community.pk})
    ) != [match.tracking_code]
    assert codes(client.get(queue_url, {"category": category.pk, "community": community.pk})) == [
        match.tracking_code
    ]
    since = (now - timedelta(days=7)).date().isoformat()
    assert codes(client.get(queue_url, {"category": category.pk, "date_from": since})) == [
        match.tracking_code
    ]
    assert codes(client.get(queue_url, {"q": "pothole"})) == [match.tracking_code]
    assert codes(client.get(queue_url, {"q": match.tracking_code.lower()})) == [match.tracking_code]
    # Open reports by default; finished ones on request.
    assert done.tracking_code not in codes(client.get(queue_url))
    assert codes(client.get(queue_url, {"status": "done"})) == [done.tracking_code]


def test_invalid_filters_are_reported_not_a_500(
    client, municipality, other_municipality, admin_user, report
):
    foreign_category = factories.CategoryFactory(municipality=other_municipality)
    login(client, admin_user)
    response = client.get(
        url("queue", municipality),
        {
            "category": foreign_category.pk,
            "date_from": "not a date",
            "department": "999999",
            "page": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["filter_form"].errors
    assert codes(response) == [report.tracking_code]


def test_queue_columns_and_breach_flag_in_words(client, municipality, category, admin_user):
    late = factories.ReportFactory(
        municipality=municipality,
        category=category,
        submitted_at=timezone.now() - timedelta(days=5),
    )
    login(client, admin_user)
    response = client.get(url("queue", municipality))
    html = response.content.decode()
    assert late.tracking_code in html
    assert 'class="breach"' in html and "Overdue" in html  # text, not colour only
    for heading in (
        "Tracking code",
        "Category",
        "Age",
        "SLA",
        "Supports",
        "Priority",
        "Department",
        "Officer",
    ):
        assert f">{heading}</th>" in html
    assert 'class="table-scroll"' in html
    assert f'name="reports" value="{late.pk}"' in html


def test_priority_an_overdue_report_outranks_a_fresh_one(
    client, municipality, category, admin_user
):
    fresh = factories.ReportFactory(municipality=municipality, category=category, support_count=3)
    overdue = factories.ReportFactory(
        municipality=municipality,
        category=category,
        submitted_at=timezone.now() - timedelta(days=4),
    )
    login(client, admin_user)
    assert codes(client.get(url("queue", municipality))) == [
        overdue.tracking_code,
        fresh.tracking_code,
    ]


def test_priority_more_supports_outrank_fewer(client, municipality, category, admin_user):
    when = timezone.now() - timedelta(hours=6)
    few = factories.ReportFactory(
        municipality=municipality, category=category, submitted_at=when, support_count=1
    )
    many = factories.ReportFactory(
        municipality=municipality, category=category, submitted_at=when, support_count=25
    )
    login(client, admin_user)
    assert codes(client.get(url("queue", municipality))) == [many.tracking_code, few.tracking_code]


def test_queue_is_paginated_by_fifty_and_keeps_filters(client, municipality, category, admin_user):
    for _i in range(51):
        factories.ReportFactory(municipality=municipality, category=category)
    login(client, admin_user)
    response = client.get(url("queue", municipality), {"category": category.pk})
    assert len(response.context["page"].object_list) == 50
    assert f"category={category.pk}&amp;page=2" in response.content.decode()
    response = client.get(url("queue", municipality), {"category": category.pk, "page": 2})
    assert len(response.context["page"].object_list) == 1


def test_queue_query_count_does_not_grow_with_rows(
    client, municipality, category, department, other_department, admin_user, officer
):
    community = factories.CommunityFactory(municipality=municipality)

    def add(count):
        for index in range(count):
            factories.ReportFactory(
                municipality=municipality,
                category=category,
                department=department if index % 2 else other_department,
                community=community if index % 3 else None,
                assigned_to=officer if index % 2 else admin_user,
            )

    def queries():
        with CaptureQueriesContext(connection) as context:
            response = client.get(url("queue", municipality))
        assert response.status_code == 200
        return len(context.captured_queries), len(response.context["page"].object_list)

    login(client, admin_user)
    add(10)
    few, rows_few = queries()
    add(30)
    many, rows_many = queries()
    assert (rows_few, rows_many) == (10, 40)
    assert few == many


# --- bulk actions ------------------------------------------------------------------------------


def test_bulk_accept_changes_every_selected_report(client, municipality, category, admin_user):
    first, second = (
        factories.ReportFactory(municipality=municipality, category=category) for _i in range(2)
    )
    login(client, admin_user)
    response = client.post(
        url("bulk", municipality),
        {
            "reports": [first.pk, second.pk],
            "action": "accept",
            "next": url("queue", municipality) + "?status=submitted",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?status=submitted")
    assert set(
        Report.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {Status.ACCEPTED}
    assert "2 reports changed." in messages_of(response)


def test_bulk_reports_each_refusal_and_changes_the_rest(
    client, municipality, category, other_department, officer
):
    own = factories.ReportFactory(municipality=municipality, category=category)
    closed = factories.ReportFactory(
        municipality=municipality, category=category, status=Status.CLOSED
    )
    elsewhere = factories.ReportFactory(
        municipality=municipality, category=category, department=other_department
    )
    login(client, officer)
    response = client.post(
        url("bulk", municipality), {"reports": [own.pk, closed.pk, elsewhere.pk], "action": "start"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    closed.refresh_from_db()
    elsewhere.refresh_from_db()
    assert own.status == Status.IN_PROGRESS
    assert closed.status == Status.CLOSED
    assert elsewhere.status == Status.SUBMITTED
    texts = messages_of(response)
    assert "1 report changed." in texts
    assert any(closed.tracking_code in text for text in texts)
    assert any(elsewhere.tracking_code in text for text in texts)


def test_bulk_resolve_needs_a_public_note(client, municipality, report, admin_user):
    login(client, admin_user)
    response = client.post(url("bulk", municipality), {"reports": [report.pk], "action": "resolve"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert "A public note is required to resolve or reject a report." in messages_of(response)

    response = client.post(
        url("bulk", municipality),
        {"reports": [report.pk], "action": "resolve", "public_note": "Filled the hole."},
    )
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.events.filter(kind=ReportEvent.Kind.STATUS, note="Filled the hole.").exists()


def test_bulk_assign_department(client, municipality, category, other_department, admin_user):
    report = factories.ReportFactory(municipality=municipality, category=category)
    login(client, admin_user)
    client.post(
        url("bulk", municipality),
        {"reports": [report.pk], "action": "assign", "department": other_department.pk},
    )
    report.refresh_from_db()
    assert report.department == other_department


def test_bulk_ignores_other_municipalities_reports(
    client, municipality, other_municipality, admin_user
):
    foreign = factories.ReportFactory(municipality=other_municipality)
    login(client, admin_user)
    response = client.post(url("bulk", municipality), {"reports": [foreign.pk], "action": "accept"})
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.status == Status.SUBMITTED
    assert "0 reports changed." in messages_of(response)


def test_bulk_refuses_an_outside_next_url(client, municipality, report, admin_user):
    login(client, admin_user)
    response = client.post(
        url("bulk", municipality),
        {"reports": [report.pk], "action": "accept", "next": "https://evil.example/"},
    )
    assert response["Location"] == url("queue", municipality)


# --- one report --------------------------------------------------------------------------------


def test_detail_shows_contact_data_internal_notes_and_allowed_buttons(
    client, municipality, report, admin_user
):
    ReportEvent.objects.create(
        municipality=municipality,
        report=report,
        kind=ReportEvent.Kind.NOTE,
        note="Call the contractor first",
        is_public=False,
        created_at=timezone.now(),
    )
    login(client, admin_user)
    response = client.get(url("report", municipality, code=report.tracking_code))
    assert response.status_code == 200
    html = response.content.decode()
    assert "somchai@example.org" in html and report.reporter_phone in html
    assert "Call the contractor first" in html and "Internal" in html
    assert [t.target for t in response.context["transitions"]] == [
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.REJECTED,
    ]
    assert 'value="closed"' not in html and 'value="duplicate"' not in html


def test_viewer_reads_without_contact_data_and_cannot_write(
    client, municipality, report, viewer, department
):
    login(client, viewer)
    response = client.get(url("report", municipality, code=report.tracking_code))
    assert response.status_code == 200
    html = response.content.decode()
    assert "somchai@example.org" not in html and report.reporter_phone not in html
    assert 'name="to_status"' not in html
    posts = {
        "transition": {"to_status": "accepted"},
        "assign": {"department": department.pk},
        "note": {"note": "hello", "visibility": "internal"},
        "merge": {"into": report.tracking_code},
    }
    for name, data in posts.items():
        assert (
            client.post(url(name, municipality, code=report.tracking_code), data).status_code == 403
        )
    assert (
        client.post(
            url("bulk", municipality), {"reports": [report.pk], "action": "accept"}
        ).status_code
        == 403
    )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_officer_cannot_change_another_departments_report(
    client, municipality, category, other_department, officer
):
    other = factories.ReportFactory(
        municipality=municipality, category=category, department=other_department
    )
    login(client, officer)
    assert client.get(url("report", municipality, code=other.tracking_code)).status_code == 200
    response = client.post(
        url("transition", municipality, code=other.tracking_code), {"to_status": "accepted"}
    )
    assert response.status_code == 403


def test_transition_with_note_photos_and_internal_note(
    client, municipality, report, officer, jpeg_upload
):
    login(client, officer)
    response = client.post(
        url("transition", municipality, code=report.tracking_code),
        {
            "to_status": "resolved",
            "public_note": "Filled the pothole.",
            "internal_note": "2 bags of asphalt",
            "photos": [jpeg_upload("after.jpg")],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("report", municipality, code=report.tracking_code)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.photos.filter(by_staff=True).count() == 1
    assert report.events.filter(
        kind=ReportEvent.Kind.NOTE, is_public=False, note="2 bags of asphalt"
    ).exists()


def test_resolving_without_a_public_note_shows_the_error(client, municipality, report, admin_user):
    login(client, admin_user)
    response = client.post(
        url("transition", municipality, code=report.tracking_code), {"to_status": "resolved"}
    )
    assert response.status_code == 200
    assert "A public note is required to resolve or reject a report." in response.content.decode()
    assert response.context["transition_form"].errors["public_note"]
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


@pytest.mark.skipif(not THAI_MO.exists(), reason="Thai catalogue not compiled yet")
def test_resolving_without_a_note_shows_the_error_in_thai(client, municipality, report, admin_user):
    login(client, admin_user, language="th")
    response = client.post(
        url("transition", municipality, code=report.tracking_code), {"to_status": "rejected"}
    )
    assert response.status_code == 200
    [error] = response.context["transition_form"].errors["public_note"]
    assert any("\u0e00" <= char <= "\u0e7f" for char in error)


@pytest.mark.parametrize("target", [Status.CLOSED, Status.DUPLICATE, "nonsense"])
def test_a_forbidden_transition_is_refused_cleanly(
    client, municipality, report, admin_user, target
):
    login(client, admin_user)
    response = client.post(
        url("transition", municipality, code=report.tracking_code), {"to_status": target}
    )
    assert response.status_code == 200
    assert response.context["transition_form"].non_field_errors()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_transition_without_a_button_asks_what_to_do(client, municipality, report, admin_user):
    login(client, admin_user)
    response = client.post(
        url("transition", municipality, code=report.tracking_code), {"public_note": "x"}
    )
    assert response.status_code == 200
    assert response.context["transition_form"].errors["to_status"]


def test_assign_department_and_officer(
    client, municipality, report, other_department, admin_user, make_staff
):
    health_officer = make_staff(municipality, "officer", other_department)
    login(client, admin_user)
    response = client.post(
        url("assign", municipality, code=report.tracking_code),
        {"department": other_department.pk, "officer": health_officer.pk},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.department, report.assigned_to) == (other_department, health_officer)
    assert report.events.filter(kind=ReportEvent.Kind.ASSIGNED).exists()
    response = client.get(url("report", municipality, code=report.tracking_code))
    assert str(health_officer) in response.content.decode()


def test_assign_refuses_other_municipalities_departments_and_people(
    client, municipality, other_municipality, report, admin_user, resident, make_staff
):
    foreign_department = factories.DepartmentFactory(municipality=other_municipality)
    foreign_staff = make_staff(other_municipality, "officer")
    login(client, admin_user)
    for data in (
        {"department": foreign_department.pk},
        {"officer": foreign_staff.pk},
        {"officer": resident.pk},
    ):
        response = client.post(url("assign", municipality, code=report.tracking_code), data)
        assert response.status_code == 200
        assert response.context["assign_form"].errors
    report.refresh_from_db()
    assert report.assigned_to is None


def test_public_reply_and_internal_note(client, municipality, report, officer):
    login(client, officer)
    note_url = url("note", municipality, code=report.tracking_code)
    assert (
        client.post(
            note_url, {"note": "We will come on Monday.", "visibility": "public"}
        ).status_code
        == 302
    )
    assert (
        client.post(note_url, {"note": "Budget code 42", "visibility": "internal"}).status_code
        == 302
    )
    assert report.events.get(note="We will come on Monday.").is_public
    assert not report.events.get(note="Budget code 42").is_public
    response = client.post(note_url, {"note": "  ", "visibility": "public"})
    assert response.status_code == 200
    assert response.context["note_form"].errors


def test_merge_moves_supports_and_followers(client, municipality, category, admin_user):
    kept = factories.ReportFactory(municipality=municipality, category=category)
    duplicate = factories.ReportFactory(
        municipality=municipality, category=category, support_count=2
    )
    supporters = [factories.UserFactory() for _i in range(2)]
    for user in supporters:
        ReportSupport.objects.create(municipality=municipality, report=duplicate, user=user)
    ReportFollower.objects.create(
        municipality=municipality, report=duplicate, email="neighbour@example.org"
    )

    login(client, admin_user)
    response = client.get(url("report", municipality, code=duplicate.tracking_code))
    candidates = response.context["duplicate_candidates"]
    assert [item.report.pk for item in candidates] == [kept.pk]
    assert candidates[0].candidate.score > 0.5 and f"{candidates[0].percent}%" in (
        response.content.decode()
    )

    response = client.post(
        url("merge", municipality, code=duplicate.tracking_code),
        {"into": kept.tracking_code.lower()},
    )
    assert response.status_code == 302
    assert response["Location"] == url("report", municipality, code=kept.tracking_code)
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.status == Status.DUPLICATE and duplicate.duplicate_of == kept
    assert set(ReportSupport.objects.filter(report=kept).values_list("user_id", flat=True)) == {
        u.pk for u in supporters
    }
    assert kept.support_count == 2
    assert ReportFollower.objects.filter(report=kept, email="neighbour@example.org").exists()
    assert not ReportFollower.objects.filter(report=duplicate).exists()


def test_merge_into_an_unknown_or_foreign_code_is_a_form_error(
    client, municipality, other_municipality, report, admin_user
):
    foreign = factories.ReportFactory(municipality=other_municipality)
    login(client, admin_user)
    for code in ("NOPE-2569-000001", foreign.tracking_code, report.tracking_code):
        response = client.post(
            url("merge", municipality, code=report.tracking_code), {"into": code}
        )
        assert response.status_code == 200
        assert response.context["merge_form"].errors
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


# --- dashboard ---------------------------------------------------------------------------------


@pytest.fixture
def dashboard_reports(municipality, category, department):
    now = timezone.now()
    ten_days_ago = now - timedelta(days=10)

    def make(**kwargs):
        return factories.ReportFactory(municipality=municipality, category=category, **kwargs)

    make(
        status=Status.RESOLVED,
        submitted_at=ten_days_ago,
        resolved_at=ten_days_ago + timedelta(hours=24),
        satisfaction=5,
    )
    make(
        status=Status.CLOSED,
        submitted_at=ten_days_ago,
        resolved_at=ten_days_ago + timedelta(hours=120),
        closed_at=now,
        satisfaction=3,
    )
    make(status=Status.IN_PROGRESS, submitted_at=now - timedelta(days=5))  # open, past its 72 h SLA
    make(status=Status.SUBMITTED, submitted_at=now, department=None)  # open, on time, unassigned
    make(status=Status.DUPLICATE, submitted_at=now)  # never counted
    return now


def test_dashboard_figures(client, municipality, department, admin_user, dashboard_reports):
    login(client, admin_user)
    response = client.get(url("dashboard", municipality))
    assert response.status_code == 200
    context = response.context
    stats = context["stats"]
    assert (stats["open"], stats["open_breached"], stats["resolved"], stats["rated"]) == (
        2,
        1,
        2,
        2,
    )
    assert context["sla_compliance_percent"] == 50
    assert context["median_resolution"] == "3.0 days"  # (24 h + 120 h) / 2
    assert context["satisfaction"] == pytest.approx(4.0)
    rows = {
        (row["department"].name_en if row["department"] else None): row
        for row in context["department_rows"]
    }
    assert rows[department.name_en]["counts"] == [0, 0, 1]
    assert rows[None]["counts"] == [1, 0, 0]
    assert context["department_totals"] == [1, 0, 1, 2]
    months = context["months"]
    assert sum(m["submitted"] for m in months) == 4
    assert sum(m["resolved"] for m in months) == 2
    assert sum(m["within_sla"] for m in months) == 1


def test_dashboard_charts_are_accessible_svg_with_data_tables(
    client, municipality, admin_user, dashboard_reports
):
    login(client, admin_user, language="th")
    response = client.get(url("dashboard", municipality))
    html = response.content.decode()
    assert html.count('<svg class="chart-svg" role="img"') == 3
    assert html.count("<title id=") == 3 and "<desc id=" in html
    assert html.count("<caption") >= 3
    label = format_month(dashboard_reports.year, dashboard_reports.month, "th")
    assert label in html and str(dashboard_reports.year + 543) in label


def test_dashboard_without_reports(client, municipality, viewer):
    login(client, viewer)
    response = client.get(url("dashboard", municipality))
    assert response.status_code == 200
    assert response.context["sla_compliance_percent"] is None
    assert response.context["months"] == []


def test_a_superuser_acts_by_the_role_held_here(client, municipality, report):
    boss = factories.UserFactory(is_superuser=True, is_staff=True)
    login(client, boss)
    assert client.get(url("queue", municipality)).status_code == 403  # no role here
    staff_role_grant(municipality=municipality, user=boss, role="viewer")
    response = client.get(url("report", municipality, code=report.tracking_code))
    assert response.status_code == 200
    assert "somchai@example.org" not in response.content.decode()
    assert not response.context["may_change"]
    response = client.post(
        url("transition", municipality, code=report.tracking_code), {"to_status": "accepted"}
    )
    assert response.status_code == 403
