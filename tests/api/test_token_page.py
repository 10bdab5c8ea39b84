"""The account page where a resident creates and revokes their API tokens."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from thesaban.accounts.models import AccessToken
from thesaban.accounts.tokens import access_token_create

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_create_use_and_revoke_a_token_from_the_account_page(resident):
    client = Client()
    client.force_login(resident)
    url = reverse("accounts:tokens")
    page = client.post(url, {"action": "create", "name": "โทรศัพท์ของฉัน"})
    assert page.status_code == 200
    raw = page.context["new_token"]
    assert raw and raw in page.content.decode()
    assert ApiClient(token=raw).get("auth/me").json()["id"] == resident.pk
    token = AccessToken.objects.get(user=resident)
    listed = client.get(url).content.decode()
    assert "โทรศัพท์ของฉัน" in listed and raw not in listed  # shown once only
    assert client.post(url, {"action": "revoke", "token": token.pk}).status_code == 302
    assert ApiClient(token=raw).get("auth/me").status_code == 401


def test_the_page_needs_sign_in_and_shows_only_own_tokens(resident):
    assert Client().get(reverse("accounts:tokens")).status_code == 302
    other, _raw = access_token_create(user=factories.UserFactory(), name="someone else's")
    client = Client()
    client.force_login(resident)
    assert "someone else's" not in client.get(reverse("accounts:tokens")).content.decode()
    assert (
        client.post(reverse("accounts:tokens"), {"action": "revoke", "token": other.pk}).status_code
        == 404
    )
    assert (
        client.post(reverse("accounts:tokens"), {"action": "revoke", "token": "x"}).status_code
        == 404
    )
    assert AccessToken.objects.get(pk=other.pk).revoked_at is None
    empty = client.post(reverse("accounts:tokens"), {"action": "create", "name": ""})
    assert empty.status_code == 200 and empty.context["form"].errors
