"""The admin site of a municipality's Digital Transformation Office, scoped to its municipality."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests import factories
from thesaban.accounts.models import StaffRole, User
from thesaban.accounts.roles import ROLE_GROUPS
from thesaban.core.audit import audit_record
from thesaban.core.models import AuditEntry
from thesaban.municipalities.models import Community, Municipality
from thesaban.reports.models import Category, ReportEvent

pytestmark = pytest.mark.django_db


def admin_url(model, action="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.org", password="x-long-password")


@pytest.fixture
def world(municipality, other_municipality, department):
    """Municipality A (ours) and B, each with a department and a report."""
    their_department = factories.DepartmentFactory(
        municipality=other_municipality, name_en="Beta Works"
    )
    return {
        "our_report": factories.ReportFactory(municipality=municipality, department=department),
        "their_department": their_department,
        "their_report": factories.ReportFactory(
            municipality=other_municipality, department=their_department
        ),
    }


@pytest.fixture
def dto(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_administrator_sees_only_their_municipalitys_rows(dto, department, world):
    response = dto.get(admin_url(department))
    assert response.status_code == 200
    shown = list(response.context["cl"].queryset)
    assert department in shown and world["their_department"] not in shown
    assert {d.municipality_id for d in shown} == {department.municipality_id}
    assert "Beta Works" not in response.content.decode()

    response = dto.get(admin_url(world["our_report"]))
    assert list(response.context["cl"].queryset) == [world["our_report"]]
    response = dto.get(admin_url(world["our_report"]), {"q": world["their_report"].tracking_code})
    assert list(response.context["cl"].queryset) == []


@pytest.mark.parametrize("key", ["their_department", "their_report"])
def test_another_municipalitys_objects_are_out_of_reach(dto, world, key):
    obj = world[key]
    response = dto.get(admin_url(obj, "change", obj.pk))
    assert response.status_code in (302, 403, 404)
    assert response.status_code != 200
    if response.status_code == 302:
        assert response["Location"] == reverse("admin:index")
    assert dto.post(admin_url(obj, "change", obj.pk), {"name_th": "x"}).status_code in (
        302,
        403,
        404,
    )
    obj.refresh_from_db()
    assert getattr(obj, "name_th", "") != "x"


def test_the_municipality_choice_offers_only_administered_ones(
    dto, municipality, other_municipality
):
    response = dto.get(admin_url(factories.DepartmentFactory._meta.model, "add"))
    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["municipality"].queryset
    assert list(choices) == [municipality]


def test_foreign_key_choices_are_scoped(dto, department, world):
    response = dto.get(admin_url(Category, "add"))
    choices = list(response.context["adminform"].form.fields["department"].queryset)
    assert department in choices
    assert {d.municipality_id for d in choices} == {department.municipality_id}


def test_posting_another_municipalitys_department_is_refused(dto, municipality, world):
    response = dto.post(
        admin_url(Category, "add"),
        {
            "municipality": municipality.pk,
            "code": "pothole",
            "name_th": "หลุม",
            "name_en": "Pothole",
            "icon": "🕳",
            "department": world["their_department"].pk,
            "sla_hours": 24,
            "severity": 3,
            "order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert not Category.objects.filter(code="pothole").exists()


def test_even_a_superuser_cannot_link_across_municipalities(
    client, superuser, municipality, world, settings
):
    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        admin_url(Category, "add"),
        {
            "municipality": municipality.pk,
            "code": "pothole",
            "name_th": "หลุม",
            "name_en": "Pothole",
            "icon": "🕳",
            "department": world["their_department"].pk,
            "sla_hours": 24,
            "severity": 3,
            "order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "This belongs to another municipality." in response.content.decode()


def test_superusers_see_every_municipality(client, superuser, department, world):
    client.force_login(superuser)
    response = client.get(admin_url(department))
    assert {department, world["their_department"]} <= set(response.context["cl"].queryset)


def test_officers_and_viewers_have_no_admin_site(client, officer, viewer):
    for user in (officer, viewer):
        client.force_login(user)
        response = client.get(admin_url(Category))
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


def test_municipality_administrators_change_their_own_but_add_none(
    dto, municipality, other_municipality
):
    assert dto.get(admin_url(Municipality, "change", municipality.pk)).status_code == 200
    assert dto.get(admin_url(Municipality, "change", other_municipality.pk)).status_code == 302
    assert dto.get(admin_url(Municipality, "add")).status_code == 403
    assert dto.get(admin_url(Municipality, "delete", municipality.pk)).status_code == 403


def test_community_is_saved_with_its_bounding_box(dto, municipality):
    boundary = '{"type": "Polygon", "coordinates": [[[100.0, 13.0], [100.02, 13.0], [100.02, 13.03], [100.0, 13.0]]]}'
    response = dto.post(
        admin_url(Community, "add"),
        {
            "municipality": municipality.pk,
            "code": "market",
            "name_th": "ตลาด",
            "name_en": "Market",
            "boundary": boundary,
        },
    )
    assert response.status_code == 302, response.content.decode()
    community = Community.objects.get(municipality=municipality, code="market")
    assert (community.min_lat, community.max_lat, community.min_lng, community.max_lng) == (
        13.0,
        13.03,
        100.0,
        100.02,
    )
    assert AuditEntry.objects.filter(
        action="community.create", target_id=str(community.pk)
    ).exists()


def test_reports_are_read_mostly(dto, world, department, officer):
    report = world["our_report"]
    assert dto.get(admin_url(report, "add")).status_code == 403
    assert dto.get(admin_url(report, "delete", report.pk)).status_code == 403
    response = dto.get(admin_url(report, "change", report.pk))
    assert response.status_code == 200
    assert set(response.context["adminform"].form.fields) == {"department", "assigned_to"}
    assert (
        reverse(
            "staff:report",
            kwargs={"municipality": report.municipality.slug, "code": report.tracking_code},
        )
        in response.content.decode()
    )

    response = dto.post(
        admin_url(report, "change", report.pk),
        {"department": department.pk, "assigned_to": officer.pk},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.assigned_to == officer
    assert report.events.filter(kind=ReportEvent.Kind.ASSIGNED).exists()  # through report_assign


def test_staff_roles_are_granted_by_login_and_revoked_through_the_services(
    dto, municipality, admin_user
):
    newcomer = factories.UserFactory(email="new.officer@example.org")
    response = dto.post(
        admin_url(StaffRole, "add"),
        {
            "municipality": municipality.pk,
            "identifier": "New.Officer@example.org",
            "role": "administrator",
            "department": "",
        },
    )
    assert response.status_code == 302, response.content.decode()
    role = StaffRole.objects.get(user=newcomer, municipality=municipality)
    newcomer.refresh_from_db()
    assert newcomer.is_staff and newcomer.groups.filter(name=ROLE_GROUPS["administrator"]).exists()

    response = dto.post(admin_url(StaffRole, "delete", role.pk), {"post": "yes"})
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert not StaffRole.objects.filter(user=newcomer).exists()
    assert not newcomer.is_staff
    assert not newcomer.groups.filter(name__in=ROLE_GROUPS.values()).exists()
    assert AuditEntry.objects.filter(action="staff.revoke").exists()

    own = StaffRole.objects.get(user=admin_user)
    assert dto.get(admin_url(StaffRole, "delete", own.pk)).status_code == 403
    assert dto.post(admin_url(StaffRole, "change", own.pk), {"role": "viewer"}).status_code == 403


def test_unknown_login_is_a_form_error(dto, municipality):
    response = dto.post(
        admin_url(StaffRole, "add"),
        {
            "municipality": municipality.pk,
            "identifier": "nobody@example.org",
            "role": "viewer",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["identifier"]


def test_audit_entries_are_read_only_and_scoped(dto, admin_user, municipality, other_municipality):
    ours = audit_record(action="test.ours", municipality=municipality)
    theirs = audit_record(action="test.theirs", municipality=other_municipality)
    response = dto.get(admin_url(AuditEntry))
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset)
    assert ours in shown and theirs not in shown
    assert dto.get(admin_url(AuditEntry, "change", ours.pk)).status_code == 200  # view only
    assert (
        dto.post(admin_url(AuditEntry, "change", ours.pk), {"action": "forged"}).status_code == 403
    )
    assert dto.get(admin_url(AuditEntry, "add")).status_code == 403
    assert dto.get(admin_url(AuditEntry, "delete", ours.pk)).status_code == 403
    assert dto.get(admin_url(AuditEntry, "change", theirs.pk)).status_code == 302
    ours.refresh_from_db()
    assert ours.action == "test.ours"


def test_audit_entries_are_read_only_for_superusers_too(client, superuser, municipality):
    entry = audit_record(action="test.entry", municipality=municipality)
    client.force_login(superuser)
    assert client.get(admin_url(AuditEntry, "add")).status_code == 403
    assert client.get(admin_url(AuditEntry, "delete", entry.pk)).status_code == 403
    assert (
        client.post(admin_url(AuditEntry, "change", entry.pk), {"action": "forged"}).status_code
        == 403
    )


def test_users_are_for_superusers_only_and_never_show_the_national_id_hash(client, dto, superuser):
    resident = factories.UserFactory()
    User.objects.filter(pk=resident.pk).update(national_id_hash="f" * 64, national_id_verified=True)
    assert dto.get(admin_url(User)).status_code == 403
    assert dto.get(admin_url(User, "change", resident.pk)).status_code == 403

    client.force_login(superuser)
    for path in (admin_url(User), admin_url(User, "change", resident.pk)):
        response = client.get(path)
        assert response.status_code == 200
        assert "f" * 64 not in response.content.decode()
        assert "national_id_hash" not in response.content.decode()


def test_superusers_create_accounts_with_email_or_phone(client, superuser):
    client.force_login(superuser)
    response = client.post(
        admin_url(User, "add"),
        {
            "email": "Officer@Example.org",
            "phone": "",
            "display_name": "Officer",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(email="officer@example.org")
    assert user.username == "officer@example.org" and user.phone is None
    response = client.post(
        admin_url(User, "add"),
        {
            "email": "",
            "phone": "081-234-5678",
            "usable_password": "false",
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert User.objects.get(phone="0812345678").username == "0812345678"


def test_role_groups_exist_for_the_admin_site():
    assert Group.objects.filter(name__in=ROLE_GROUPS.values()).count() == len(ROLE_GROUPS)
