"""Staff operations through the JSON API: queue, detail, transition, assign, note."""

import uuid

import pytest

from tests import factories
from thesaban.core.models import AuditEntry
from thesaban.reports import services
from thesaban.reports.models import Report, ReportEvent
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.django_db


def staff_url(code="", action="", slug="alpha"):
    if not code:
        return f"municipalities/{slug}/staff/queue"
    return f"municipalities/{slug}/staff/reports/{code}" + (f"/{action}" if action else "")


@pytest.fixture
def reports(make_report, municipality, category):
    """One report routed to the officer's department, one unassigned, one elsewhere."""
    other_department = factories.DepartmentFactory(municipality=municipality, code="parks")
    mine = make_report(
        description="ของกองช่าง",
        reporter_name="สมศรี ลับเฉพาะ",
        reporter_email="somsri@example.org",
        reporter_phone="0898765432",
        contact_consent=True,
    )
    unassigned = make_report(description="ยังไม่มีกอง")
    Report.objects.filter(pk=unassigned.pk).update(department=None)
    elsewhere = make_report(description="ของกองสวน")
    Report.objects.filter(pk=elsewhere.pk).update(department=other_department)
    return {
        "mine": mine,
        "unassigned": unassigned,
        "elsewhere": elsewhere,
        "parks": other_department,
    }


def codes(page):
    return {item["tracking_code"] for item in page["results"]}


def test_the_queue_is_in_priority_order_and_scoped_like_the_web(
    client_for, reports, officer, admin_user
):
    services.report_support(report=reports["elsewhere"], user=factories.UserFactory())
    everyone = client_for(admin_user).get(staff_url()).json()
    assert everyone["count"] == 3
    priorities = [item["priority"] for item in everyone["results"]]
    assert priorities == sorted(priorities, reverse=True)
    officer_client = client_for(officer)
    mine = officer_client.get(staff_url()).json()
    assert codes(mine) == {reports["mine"].tracking_code, reports["unassigned"].tracking_code}
    assert officer_client.get(staff_url(), {"department": "all"}).json()["count"] == 3
    parks = officer_client.get(staff_url(), {"department": reports["parks"].pk}).json()
    assert codes(parks) == {reports["elsewhere"].tracking_code}
    assert officer_client.get(staff_url(), {"status": "done"}).json()["count"] == 0
    assert officer_client.get(staff_url(), {"department": "bogus"}).status_code == 422


def test_the_queue_is_for_staff_of_this_municipality_only(
    api, client_for, reports, resident, other_municipality, make_staff
):
    assert api.get(staff_url()).status_code == 401
    assert client_for(resident).get(staff_url()).status_code == 403
    stranger = make_staff(other_municipality, "administrator")
    assert client_for(stranger).get(staff_url()).status_code == 403
    assert client_for(stranger).get(staff_url(reports["mine"].tracking_code)).status_code == 403


@pytest.mark.parametrize(
    ("role", "sees_contact"), [("administrator", True), ("officer", True), ("viewer", False)]
)
def test_contact_details_only_for_those_who_may_act(
    client_for, reports, role, sees_contact, admin_user, officer, viewer
):
    user = {"administrator": admin_user, "officer": officer, "viewer": viewer}[role]
    data = client_for(user).get(staff_url(reports["mine"].tracking_code)).json()
    if sees_contact:
        assert data["reporter_contact"] == {
            "name": "สมศรี ลับเฉพาะ",
            "email": "somsri@example.org",
            "phone": "0898765432",
        }
        assert "accepted" in data["allowed_transitions"]
    else:
        assert data["reporter_contact"] is None
        assert "somsri@example.org" not in str(data)
        assert data["allowed_transitions"] == []


def test_an_officer_may_not_see_contacts_of_another_departments_report(
    client_for, reports, officer
):
    data = client_for(officer).get(staff_url(reports["elsewhere"].tracking_code)).json()
    assert data["reporter_contact"] is None


def test_transition_with_notes_and_idempotency(client_for, reports, officer):
    client = client_for(officer)
    code = reports["mine"].tracking_code
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"to_status": "accepted", "public_note": "รับเรื่องแล้ว", "internal_note": "ส่งทีม A"}
    first = client.post(staff_url(code, "transition"), body, headers=key)
    again = client.post(staff_url(code, "transition"), body, headers=key)
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["status"] == "accepted"
    assert [e["kind"] for e in first.json()["timeline"]] == ["created", "status", "note"]
    assert ReportEvent.objects.filter(report=reports["mine"], kind="status").count() == 1
    assert AuditEntry.objects.filter(action="report.transition").count() == 1
    # Without a key, repeating is refused by the state machine (accepted -> accepted).
    refused = client.post(staff_url(code, "transition"), body, headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "cannot go from" in refused.json()["detail"]


def test_resolving_needs_a_public_note(client_for, reports, admin_user):
    response = client_for(admin_user).post(
        staff_url(reports["mine"].tracking_code, "transition"), {"to_status": "resolved"}
    )
    assert response.status_code == 422
    assert "public_note" in response.json()["errors"]


def test_viewers_and_officers_of_other_departments_cannot_change(
    client_for, reports, viewer, officer
):
    body = {"to_status": "accepted"}
    assert (
        client_for(viewer)
        .post(staff_url(reports["mine"].tracking_code, "transition"), body)
        .status_code
        == 403
    )
    assert (
        client_for(officer)
        .post(staff_url(reports["elsewhere"].tracking_code, "transition"), body)
        .status_code
        == 403
    )
    assert Report.objects.filter(status=Status.ACCEPTED).count() == 0


def test_assign_to_a_department_and_officer_of_this_municipality(
    client_for, reports, admin_user, officer, other_municipality, make_staff
):
    client = client_for(admin_user)
    code = reports["unassigned"].tracking_code
    response = client.post(
        staff_url(code, "assign"), {"department": reports["parks"].pk, "officer": officer.pk}
    )
    assert response.status_code == 200
    assert response.json()["department"]["id"] == reports["parks"].pk
    assert response.json()["assigned_to"] == {"id": officer.pk, "name": officer.public_name}
    foreign_department = factories.DepartmentFactory(municipality=other_municipality)
    foreign_officer = make_staff(other_municipality, "officer")
    refused = client.post(
        staff_url(code, "assign"),
        {"department": foreign_department.pk, "officer": foreign_officer.pk},
    )
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"department", "officer"}
    report = Report.objects.get(pk=reports["unassigned"].pk)
    assert (report.department_id, report.assigned_to_id) == (reports["parks"].pk, officer.pk)
    cleared = client.post(staff_url(code, "assign"), {"department": None, "officer": None})
    assert cleared.json()["department"] is None and cleared.json()["assigned_to"] is None


def test_notes_public_and_internal(api, client_for, reports, officer):
    client = client_for(officer)
    code = reports["mine"].tracking_code
    internal = client.post(staff_url(code, "notes"), {"note": "โทรหาผู้แจ้งแล้ว"})
    public = client.post(staff_url(code, "notes"), {"note": "จะซ่อมพรุ่งนี้", "is_public": True})
    assert (internal.status_code, public.status_code) == (201, 201)
    assert internal.json()["is_public"] is False and internal.json()["actor"] == officer.public_name
    timeline = api.get(f"municipalities/alpha/reports/{code}").json()["timeline"]
    assert [e["note"] for e in timeline if e["kind"] == "note"] == ["จะซ่อมพรุ่งนี้"]
    assert client.post(staff_url(code, "notes"), {"note": ""}).status_code == 422


def test_staff_see_internal_events_and_answers(client_for, reports, officer):
    services.report_note_add(report=reports["mine"], actor=officer, note="ภายใน", is_public=False)
    data = client_for(officer).get(staff_url(reports["mine"].tracking_code)).json()
    assert [e["note"] for e in data["timeline"] if e["kind"] == "note"] == ["ภายใน"]
    assert data["channel"] == "web" and data["answers"] == {}
