"""Sign-up, sign-in and the national-ID page through HTTP, as a resident uses them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.urls import reverse

from tests import factories
from thesaban.accounts.identity import national_id_hash
from thesaban.accounts.models import ConsentRecord, User
from thesaban.accounts.services import ACCOUNT_POLICY_VERSION

PASSWORD = "a-long-unusual-passphrase"
NATIONAL_ID = "3101500123459"
THAI_MO = Path(settings.LOCALE_PATHS[0]) / "th" / "LC_MESSAGES" / "django.mo"


def signup(client, identifier, password=PASSWORD, **extra):
    data = {
        "identifier": identifier,
        "password": password,
        "display_name": "",
        "national_id": "",
        "consent": "on",
    }
    data.update(extra)
    return client.post(reverse("accounts:signup"), {k: v for k, v in data.items() if v is not None})


def signed_in_user(client) -> User | None:
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def messages(errors) -> list[str]:
    """Error messages as plain strings now: lazy ones would follow whatever language is active later."""
    return [str(message) for message in errors]


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


# -- sign-up -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signup_page_renders(client):
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert b'name="identifier"' in response.content and b'name="consent"' in response.content


@pytest.mark.django_db
def test_signup_with_email_signs_in_and_records_consent(client):
    response = signup(client, "Somchai@Example.org", display_name="สมชาย")
    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    user = signed_in_user(client)
    assert user is not None and user.email == "somchai@example.org" and user.display_name == "สมชาย"
    consent = ConsentRecord.objects.get(user=user)
    assert (consent.purpose, consent.policy_version) == (
        ConsentRecord.Purpose.ACCOUNT,
        ACCOUNT_POLICY_VERSION,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["081-234-5678", "+66812345678", "+66 81 234 5678"])
def test_signup_with_thai_mobile_normalises(client, spelling):
    assert signup(client, spelling).status_code == 302
    user = signed_in_user(client)
    assert user.phone == "0812345678" and user.email is None


@pytest.mark.django_db
def test_signup_follows_a_safe_next(client):
    response = client.post(
        reverse("accounts:signup") + "?next=/alpha/reports/",
        {"identifier": "a@example.org", "password": PASSWORD, "consent": "on"},
    )
    assert response.status_code == 302 and response.url == "/alpha/reports/"


@pytest.mark.django_db
def test_signup_without_consent_is_refused(client):
    response = signup(client, "somchai@example.org", consent=None)
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert not User.objects.exists()
    assert signed_in_user(client) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("12345678", "password_entirely_numeric"),
        ("password", "password_too_common"),
        ("x7#q", "password_too_short"),
        ("somchai.jaidee", "password_too_similar"),
    ],
)
def test_signup_applies_the_password_validators(client, password, code):
    response = signup(client, "somchai.jaidee@example.org", password=password)
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["password"]
    assert code in {error.code for error in errors}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_with_national_id_keeps_only_the_hash(client):
    assert signup(client, "somchai@example.org", national_id="3-1015-00123-45-9").status_code == 302
    user = signed_in_user(client)
    assert user.national_id_hash == national_id_hash(NATIONAL_ID) and user.national_id_verified
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {User._meta.db_table}")
        dump = repr(cursor.fetchall())
    assert NATIONAL_ID not in dump and "3-1015-00123-45-9" not in dump


@pytest.mark.django_db
def test_signup_with_a_bad_national_id_shows_the_error_on_the_field(client):
    response = signup(client, "somchai@example.org", national_id="3101500123458")
    assert response.status_code == 200
    assert "national_id" in response.context["form"].errors
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_with_a_taken_identifier_shows_the_error_on_the_field(client):
    factories.UserFactory(email="taken@example.org", username="taken@example.org")
    response = signup(client, "TAKEN@example.org")
    assert response.status_code == 200
    assert "identifier" in response.context["form"].errors
    assert User.objects.count() == 1


# -- sign-in -------------------------------------------------------------------------------


@pytest.fixture
def email_user(db):
    return User.objects.create_user(email="somsri@example.org", password=PASSWORD)


@pytest.fixture
def phone_user(db):
    return User.objects.create_user(phone="0812345678", password=PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username", ["somsri@example.org", "SomSri@Example.org ", " somsri@example.org"]
)
def test_login_by_email(client, email_user, username):
    response = login(client, username)
    assert response.status_code == 302
    assert signed_in_user(client) == email_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username", ["0812345678", "081-234-5678", "+66812345678", "+66 81 234 5678"]
)
def test_login_by_mobile_in_any_spelling(client, phone_user, username):
    response = login(client, username)
    assert response.status_code == 302
    assert signed_in_user(client) == phone_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("somsri@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
        ("081-234-5679", PASSWORD),
    ],
)
def test_login_refused(client, email_user, phone_user, username, password):
    response = login(client, username, password)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_inactive_account_cannot_sign_in(client, email_user):
    email_user.is_active = False
    email_user.save()
    assert login(client, "somsri@example.org").status_code == 200
    assert signed_in_user(client) is None


@pytest.mark.django_db
def test_login_error_in_english_and_thai(client, email_user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = messages(
        login(client, "somsri@example.org", "wrong").context["form"].non_field_errors()
    )
    assert english == ["The e-mail or mobile number and password do not match an account."]
    if not THAI_MO.exists():
        pytest.skip("Thai catalogue not compiled yet")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    thai = messages(login(client, "somsri@example.org", "wrong").context["form"].non_field_errors())
    assert thai != english
    assert any("\u0e00" <= char <= "\u0e7f" for char in thai[0])


@pytest.mark.django_db
def test_signup_errors_in_english_and_thai(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = messages(signup(client, "02-123-4567").context["form"].errors["identifier"])
    assert english == ["Enter an e-mail address or a Thai mobile number (e.g. 081 234 5678)."]
    if not THAI_MO.exists():
        pytest.skip("Thai catalogue not compiled yet")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    thai = messages(signup(client, "02-123-4567").context["form"].errors["identifier"])
    assert thai != english


# -- signed-in pages -----------------------------------------------------------------------


@pytest.mark.django_db
def test_profile_needs_sign_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_profile_lists_only_my_reports(client, email_user, municipality, category):
    mine = factories.ReportFactory(
        municipality=municipality, category=category, reporter=email_user
    )
    theirs = factories.ReportFactory(
        municipality=municipality, category=category, reporter=factories.UserFactory()
    )
    client.force_login(email_user)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert mine.tracking_code.encode() in response.content
    assert theirs.tracking_code.encode() not in response.content


@pytest.mark.django_db
def test_national_id_page_verifies_and_refuses_a_duplicate(client, email_user):
    other = factories.UserFactory()
    client.force_login(other)
    assert (
        client.post(reverse("accounts:national_id"), {"national_id": NATIONAL_ID}).status_code
        == 302
    )
    other.refresh_from_db()
    assert other.national_id_verified
    client.force_login(email_user)
    response = client.post(reverse("accounts:national_id"), {"national_id": "3 1015 00123 45 9"})
    assert response.status_code == 200
    assert "national_id" in response.context["form"].errors
    email_user.refresh_from_db()
    assert email_user.national_id_hash is None and not email_user.national_id_verified


def test_national_id_is_optional_at_signup_and_required_on_its_own_page():
    from thesaban.accounts.forms import NationalIdForm, SignupForm

    assert not SignupForm().fields["national_id"].required
    assert NationalIdForm().fields["national_id"].required
    assert not SignupForm.base_fields["national_id"].required
