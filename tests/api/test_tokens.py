"""Personal access tokens: creating, listing, revoking, throttling; Bearer authentication."""

import pytest
from django.utils import translation

from tests import factories
from thesaban.accounts.models import AccessToken
from thesaban.accounts.tokens import (
    MAX_ACTIVE_TOKENS,
    access_token_authenticate,
    access_token_create,
    access_token_revoke,
)
from thesaban.channels.api.tokens import LOGIN_FAILURE_LIMIT
from thesaban.channels.keys import digest
from thesaban.core.models import AuditEntry

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"  # tests/factories.py


def test_a_resident_gets_a_token_with_login_and_password(api, resident):
    response = api.post(
        "auth/tokens", {"login": resident.email, "password": PASSWORD, "name": "My phone"}
    )
    assert response.status_code == 201, response.content
    data = response.json()
    token = AccessToken.objects.get(pk=data["id"])
    assert token.user == resident and token.name == "My phone"
    assert token.key_digest == digest(data["token"]) and data["token"].startswith(data["prefix"])
    assert data["token"] not in str(AccessToken.objects.values_list())  # only the digest is stored
    me = ApiClient(token=data["token"]).get("auth/me").json()
    assert me["id"] == resident.pk and me["staff_roles"] == []
    assert AuditEntry.objects.filter(action="accounts.access_token_create").count() == 1


def test_a_staff_members_token_shows_their_roles(client_for, officer, municipality):
    me = client_for(officer).get("auth/me").json()
    assert me["staff_roles"] == [
        {
            "municipality": "alpha",
            "role": "officer",
            "department": officer.staff_roles.get().department_id,
        }
    ]


@pytest.mark.parametrize("login", ["resident-unknown@example.org", "0812345678"])
def test_a_wrong_login_or_password_is_401(api, resident, login):
    wrong_password = api.post(
        "auth/tokens", {"login": resident.email, "password": "nope", "name": "x"}
    )
    unknown = api.post("auth/tokens", {"login": login, "password": PASSWORD, "name": "x"})
    assert wrong_password.status_code == unknown.status_code == 401
    assert AccessToken.objects.count() == 0


def test_repeated_failures_lock_the_login_out(api, resident):
    for _attempt in range(LOGIN_FAILURE_LIMIT):
        assert (
            api.post(
                "auth/tokens", {"login": resident.email, "password": "guess", "name": "x"}
            ).status_code
            == 401
        )
    locked = api.post(
        "auth/tokens", {"login": resident.email.upper(), "password": PASSWORD, "name": "x"}
    )
    assert locked.status_code == 429 and locked["Retry-After"]
    assert AccessToken.objects.count() == 0
    # Another person is not locked out.
    other = factories.UserFactory()
    assert (
        api.post(
            "auth/tokens", {"login": other.email, "password": PASSWORD, "name": "x"}
        ).status_code
        == 201
    )


def test_token_creation_is_throttled_per_client(api):
    statuses = [
        api.post(
            "auth/tokens", {"login": f"u{n}@example.org", "password": "x", "name": "x"}
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [401] * 20 and statuses[20] == 429


def test_list_and_revoke_own_tokens(client_for, resident):
    client = client_for(resident)
    other_token, _raw = access_token_create(user=factories.UserFactory(), name="not yours")
    listed = client.get("auth/tokens").json()
    assert [t["name"] for t in listed] == ["tests"]
    assert "token" not in listed[0]
    assert client.delete(f"auth/tokens/{other_token.pk}").status_code == 404
    revoked = client.delete(f"auth/tokens/{listed[0]['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    # The revoked token no longer works, for this or any other request.
    assert client.get("auth/tokens").status_code == 401
    assert AccessToken.objects.get(pk=other_token.pk).revoked_at is None


def test_token_services(resident):
    token, raw = access_token_create(user=resident, name="  tablet  ")
    assert token.name == "tablet"
    assert access_token_authenticate(raw_token=raw) == token
    assert access_token_authenticate(raw_token=raw + "x") is None
    assert access_token_authenticate(raw_token="") is None
    with translation.override("en"), pytest.raises(Exception, match="someone else"):
        access_token_revoke(token=token, actor=factories.UserFactory())
    access_token_revoke(token=token, actor=resident)
    access_token_revoke(token=token, actor=resident)  # twice is harmless
    assert access_token_authenticate(raw_token=raw) is None
    assert AuditEntry.objects.filter(action="accounts.access_token_revoke").count() == 1


def test_a_deactivated_person_cannot_use_their_token(resident):
    _token, raw = access_token_create(user=resident, name="x")
    resident.is_active = False
    resident.save()
    assert access_token_authenticate(raw_token=raw) is None


def test_the_number_of_active_tokens_is_limited(resident):
    from django.core.exceptions import ValidationError

    for n in range(MAX_ACTIVE_TOKENS):
        access_token_create(user=resident, name=f"device {n}")
    with pytest.raises(ValidationError):
        access_token_create(user=resident, name="one too many")


def test_bad_token_requests_are_422(api):
    response = api.post(
        "auth/tokens", {"login": "", "password": "", "name": ""}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"login", "password", "name"}
