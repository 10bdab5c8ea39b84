"""Signing up, national ID, consent and staff roles, at the service layer."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from tests import factories
from thesaban.accounts import services
from thesaban.accounts.identity import national_id_hash
from thesaban.accounts.models import ConsentRecord, StaffRole, User
from thesaban.accounts.roles import ROLE_GROUPS, ROLE_PERMISSIONS
from thesaban.core.models import AuditEntry

NATIONAL_ID = "1101700230716"
THAI_MO = Path(django_settings.LOCALE_PATHS[0]) / "th" / "LC_MESSAGES" / "django.mo"
PASSWORD = "a-long-unusual-passphrase"


def register(identifier, **kwargs):
    kwargs.setdefault("password", PASSWORD)
    kwargs.setdefault("consent", True)
    return services.user_register(identifier=identifier, **kwargs)


def _row_values(user) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {User._meta.db_table} WHERE id = %s", [user.pk])
        return [str(value) for value in cursor.fetchone()]


@pytest.mark.django_db
def test_register_with_email_lowercases_and_records_consent_and_audit():
    user = register("  Somchai@Example.ORG ", display_name=" สมชาย ")
    assert user.email == "somchai@example.org"
    assert user.username == "somchai@example.org"
    assert user.phone is None
    assert user.display_name == "สมชาย"
    assert user.check_password(PASSWORD)
    consent = ConsentRecord.objects.get(user=user)
    assert consent.purpose == ConsentRecord.Purpose.ACCOUNT
    assert consent.policy_version == services.ACCOUNT_POLICY_VERSION
    assert consent.given_at is not None and consent.withdrawn_at is None
    assert AuditEntry.objects.filter(
        action="user.register", actor=user, target_id=str(user.pk)
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "spelling", ["081-234-5678", "+66812345678", "0812345678", "+66 81 234 5678"]
)
def test_register_with_thai_mobile_normalises(spelling):
    user = register(spelling)
    assert user.phone == "0812345678"
    assert user.username == "0812345678"
    assert user.email is None
    assert ConsentRecord.objects.filter(user=user, purpose=ConsentRecord.Purpose.ACCOUNT).exists()


@pytest.mark.django_db
def test_same_mobile_in_another_spelling_is_a_duplicate():
    register("081-234-5678")
    with pytest.raises(ValidationError) as caught:
        register("+66812345678")
    assert "identifier" in caught.value.error_dict
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_same_email_in_another_case_is_a_duplicate():
    register("somchai@example.org")
    with pytest.raises(ValidationError) as caught:
        register("SOMCHAI@example.org")
    assert "identifier" in caught.value.error_dict
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["02-123-4567", "not a phone", "12345"])
def test_identifier_neither_email_nor_thai_mobile_is_refused(identifier):
    with pytest.raises(ValidationError) as caught:
        register(identifier)
    assert "identifier" in caught.value.error_dict
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_without_consent_is_refused_and_creates_nothing():
    with pytest.raises(ValidationError) as caught:
        register("somchai@example.org", consent=False)
    assert "consent" in caught.value.error_dict
    assert not User.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.django_db
def test_national_id_is_stored_only_as_keyed_hash():
    user = register("somchai@example.org", national_id="1-1017-00230-71-6")
    user.refresh_from_db()
    assert user.national_id_hash == national_id_hash(NATIONAL_ID)
    assert user.national_id_verified
    row = _row_values(user)
    assert not any(NATIONAL_ID in value for value in row)
    assert not any("1-1017-00230-71-6" in value for value in row)
    # Nor in the audit log or the consent record.
    for entry in AuditEntry.objects.all():
        assert NATIONAL_ID not in str(entry.data) and NATIONAL_ID not in entry.target_id
    assert not any(NATIONAL_ID in str(v) for v in ConsentRecord.objects.values_list())


@pytest.mark.django_db
def test_invalid_national_id_refuses_the_whole_signup():
    with pytest.raises(ValidationError) as caught:
        register("somchai@example.org", national_id="1101700230717")
    assert "national_id" in caught.value.error_dict
    assert not User.objects.exists()


@pytest.mark.django_db
def test_duplicate_national_id_is_refused():
    first = register("first@example.org", national_id=NATIONAL_ID)
    second = register("second@example.org")
    with pytest.raises(ValidationError) as caught:
        services.user_set_national_id(user=second, national_id="1-1017-00230-71-6")
    assert "national_id" in caught.value.error_dict
    second.refresh_from_db()
    assert second.national_id_hash is None
    assert not second.national_id_verified
    first.refresh_from_db()
    assert first.national_id_hash == national_id_hash(NATIONAL_ID)
    assert not AuditEntry.objects.filter(action="user.national_id_set", actor=second).exists()


@pytest.mark.django_db
def test_duplicate_national_id_at_signup_creates_no_account():
    register("first@example.org", national_id=NATIONAL_ID)
    with pytest.raises(ValidationError):
        register("second@example.org", national_id=NATIONAL_ID)
    assert list(User.objects.values_list("email", flat=True)) == ["first@example.org"]


@pytest.mark.django_db
def test_national_id_hash_is_unique_in_the_database():
    user = register("first@example.org", national_id=NATIONAL_ID)
    other = register("second@example.org")
    other.national_id_hash = user.national_id_hash
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save(update_fields=["national_id_hash"])


@pytest.mark.django_db
def test_user_needs_email_or_phone():
    with pytest.raises(ValueError):
        User.objects.create_user(password="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="nobody")


def _messages(error: ValidationError) -> list[str]:
    return [message for messages in error.message_dict.values() for message in messages]


@pytest.mark.django_db
def test_validation_messages_in_english_and_thai():
    with translation.override("en"), pytest.raises(ValidationError) as english:
        register("somchai@example.org", consent=False)
    assert _messages(english.value) == [
        "You must agree to the privacy notice to create an account."
    ]
    if not THAI_MO.exists():
        pytest.skip("Thai catalogue not compiled yet")
    with translation.override("th"), pytest.raises(ValidationError) as thai:
        register("somchai@example.org", consent=False)
    assert _messages(thai.value) != _messages(english.value)
    assert any("\u0e00" <= char <= "\u0e7f" for char in _messages(thai.value)[0])


@pytest.mark.django_db
def test_staff_role_grant_adds_group_and_admin_site_access(municipality):
    user = factories.UserFactory()
    role = services.staff_role_grant(municipality=municipality, user=user, role="administrator")
    user.refresh_from_db()
    assert role.role == StaffRole.Role.ADMINISTRATOR
    assert user.is_staff
    assert user.groups.filter(name=ROLE_GROUPS["administrator"]).exists()
    assert AuditEntry.objects.filter(action="staff.grant", municipality=municipality).exists()


@pytest.mark.django_db
def test_officer_and_viewer_do_not_get_admin_site_access(municipality):
    for role in ("officer", "viewer"):
        user = factories.UserFactory()
        services.staff_role_grant(municipality=municipality, user=user, role=role)
        user.refresh_from_db()
        assert not user.is_staff
        assert user.groups.filter(name=ROLE_GROUPS[role]).exists()


@pytest.mark.django_db
def test_staff_role_grant_refuses_another_municipalitys_department(
    municipality, other_municipality
):
    foreign = factories.DepartmentFactory(municipality=other_municipality)
    user = factories.UserFactory()
    with pytest.raises(ValidationError):
        services.staff_role_grant(
            municipality=municipality, user=user, role="officer", department=foreign
        )
    assert not StaffRole.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_staff_role_grant_twice_updates_the_one_role(municipality):
    user = factories.UserFactory()
    services.staff_role_grant(municipality=municipality, user=user, role="viewer")
    services.staff_role_grant(municipality=municipality, user=user, role="officer")
    assert list(StaffRole.objects.filter(user=user).values_list("role", flat=True)) == ["officer"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLE_PERMISSIONS))
def test_role_groups_have_every_configured_permission_on_a_fresh_database(role):
    # The test database is freshly migrated, exactly like a first install.
    expected = {
        (label.split(".")[0], f"{action}_{label.split('.')[1]}")
        for label, actions in ROLE_PERMISSIONS[role].items()
        for action in actions
    }
    group = Group.objects.get(name=ROLE_GROUPS[role])
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == expected


@pytest.mark.django_db
def test_viewer_group_cannot_change_reports():
    viewer = Group.objects.get(name=ROLE_GROUPS["viewer"])
    assert viewer.permissions.filter(codename="view_report").exists()
    assert not viewer.permissions.filter(codename="change_report").exists()
