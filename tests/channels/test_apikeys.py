"""Integrators' API keys: the administrators' page, its rule, tenant isolation, the admin site
and the `thesaban apikey` command."""

from __future__ import annotations

import io

import pytest
import rules
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from thesaban.channels.keys import digest
from thesaban.channels.models import ApiKey
from thesaban.channels.selectors import api_key_authenticate
from thesaban.channels.services import api_key_create
from thesaban.core.models import AuditEntry


def keys_url(municipality) -> str:
    return reverse("staff:integrations:keys", args=[municipality.slug])


def revoke_url(municipality) -> str:
    return reverse("staff:integrations:revoke", args=[municipality.slug])


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- the rule ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_administrators_manage_api_keys(
    municipality, other_municipality, admin_user, officer, viewer, resident, make_staff
):
    assert rules.has_perm("channels.manage_api_keys", admin_user, municipality)
    assert not rules.has_perm("channels.manage_api_keys", officer, municipality)
    assert not rules.has_perm("channels.manage_api_keys", viewer, municipality)
    assert not rules.has_perm("channels.manage_api_keys", resident, municipality)
    # An administrator elsewhere is nobody here.
    elsewhere = make_staff(other_municipality, "administrator")
    assert not rules.has_perm("channels.manage_api_keys", elsewhere, municipality)
    assert not rules.has_perm("channels.manage_api_keys", admin_user, other_municipality)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_officers_and_viewers_cannot_see_issue_or_revoke(municipality, admin_user, role, request):
    user = request.getfixturevalue(role)
    api_key, _raw = api_key_create(municipality=municipality, name="City app")
    client = logged_in(user)
    assert client.get(keys_url(municipality)).status_code == 403
    assert client.post(keys_url(municipality), {"name": "Sneaky"}).status_code == 403
    assert client.post(revoke_url(municipality), {"key": api_key.pk}).status_code == 403
    assert ApiKey.objects.filter(municipality=municipality).count() == 1
    api_key.refresh_from_db()
    assert api_key.is_active
    # And the back-office menu does not offer the page.
    dashboard = client.get(reverse("staff:dashboard", args=[municipality.slug]))
    assert keys_url(municipality).encode() not in dashboard.content


# -- issue, list, revoke -------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_issues_a_key_that_is_shown_once(municipality, admin_user):
    client = logged_in(admin_user)
    page = client.get(keys_url(municipality))
    assert page.status_code == 200
    assert page.context["staff_section"] == "integrations"
    response = client.post(keys_url(municipality), {"name": "FixMyStreet Thailand"})
    assert response.status_code == 200
    api_key = ApiKey.objects.get(municipality=municipality)
    raw = response.context["new_key"]["raw"]
    assert raw.startswith(api_key.prefix) and raw.encode() in response.content
    assert response["Cache-Control"].startswith("max-age=0")  # never_cache: not kept anywhere
    # Only the digest is stored; the page never shows the key again.
    assert api_key.key_digest == digest(raw) and raw not in str(api_key.__dict__)
    again = client.get(keys_url(municipality))
    assert raw.encode() not in again.content
    assert api_key.prefix.encode() in again.content and b"FixMyStreet Thailand" in again.content
    assert api_key_authenticate(raw_key=raw, municipality=municipality) == api_key
    entry = AuditEntry.objects.get(action="channels.api_key_create")
    assert (entry.actor, entry.municipality, entry.target_id) == (
        admin_user,
        municipality,
        str(api_key.pk),
    )
    assert raw not in str(entry.data)


@pytest.mark.django_db
def test_a_name_is_required(municipality, admin_user):
    response = logged_in(admin_user).post(keys_url(municipality), {"name": "   "})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_an_administrator_revokes_a_key(municipality, admin_user):
    api_key, raw = api_key_create(municipality=municipality, name="Old app")
    client = logged_in(admin_user)
    response = client.post(revoke_url(municipality), {"key": api_key.pk}, follow=True)
    assert response.status_code == 200
    assert b"Old app" in response.content
    api_key.refresh_from_db()
    assert not api_key.is_active
    assert api_key_authenticate(raw_key=raw) is None
    entry = AuditEntry.objects.get(action="channels.api_key_revoke")
    assert (entry.actor, entry.target_id) == (admin_user, str(api_key.pk))
    # Revoking twice changes nothing and records nothing more.
    client.post(revoke_url(municipality), {"key": api_key.pk})
    assert AuditEntry.objects.filter(action="channels.api_key_revoke").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999999", "1.5"])
def test_a_malformed_revoke_changes_nothing(municipality, admin_user, value):
    api_key, _raw = api_key_create(municipality=municipality, name="App")
    response = logged_in(admin_user).post(revoke_url(municipality), {"key": value})
    assert response.status_code in (302, 404)
    api_key.refresh_from_db()
    assert api_key.is_active


@pytest.mark.django_db
def test_the_last_use_is_listed(municipality, admin_user):
    api_key, raw = api_key_create(municipality=municipality, name="App")
    assert api_key.last_used_at is None
    api_key_authenticate(raw_key=raw, municipality=municipality)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None
    page = logged_in(admin_user).get(keys_url(municipality))
    assert page.status_code == 200
    assert list(page.context["keys"]) == [api_key]


# -- tenants -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_municipality_never_sees_or_revokes_anothers_keys(
    municipality, other_municipality, admin_user, make_staff
):
    theirs, their_raw = api_key_create(municipality=other_municipality, name="Beta app")
    client = logged_in(admin_user)
    page = client.get(keys_url(municipality))
    assert theirs.prefix.encode() not in page.content and b"Beta app" not in page.content
    # B's key id through A's revoke URL: 404, still active.
    assert client.post(revoke_url(municipality), {"key": theirs.pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    # A's administrator on B's pages: refused by the tenancy middleware.
    assert client.get(keys_url(other_municipality)).status_code == 403
    assert client.post(revoke_url(other_municipality), {"key": theirs.pk}).status_code == 403
    assert client.post(keys_url(other_municipality), {"name": "x"}).status_code == 403
    assert ApiKey.objects.filter(municipality=other_municipality).count() == 1
    # A key works only for its own municipality.
    assert api_key_authenticate(raw_key=their_raw, municipality=municipality) is None


@pytest.mark.django_db
def test_the_menu_offers_the_page_to_administrators(municipality, admin_user):
    dashboard = logged_in(admin_user).get(reverse("staff:dashboard", args=[municipality.slug]))
    assert keys_url(municipality).encode() in dashboard.content


# -- the admin site ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_site_lists_only_the_administrators_keys_and_revokes_through_the_service(
    municipality, other_municipality, admin_user
):
    mine, _ = api_key_create(municipality=municipality, name="Mine")
    theirs, _ = api_key_create(municipality=other_municipality, name="Theirs")
    client = logged_in(admin_user)
    changelist = client.get(reverse("admin:channels_apikey_changelist"))
    assert changelist.status_code == 200
    assert b"Mine" in changelist.content and b"Theirs" not in changelist.content
    assert client.get(reverse("admin:channels_apikey_change", args=[theirs.pk])).status_code in (
        302,
        403,
        404,
    )
    client.post(
        reverse("admin:channels_apikey_changelist"),
        {"action": "revoke", "_selected_action": [mine.pk, theirs.pk]},
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert not mine.is_active and theirs.is_active
    assert AuditEntry.objects.filter(action="channels.api_key_revoke").count() == 1


# -- the command -------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_apikey_create_prints_the_key_as_its_last_line(municipality):
    output = run("create", "--municipality", "alpha", "--name", "City app")
    raw = output.strip().splitlines()[-1]
    api_key = api_key_authenticate(raw_key=raw, municipality=municipality)
    assert api_key is not None and api_key.name == "City app"
    assert AuditEntry.objects.filter(action="channels.api_key_create").count() == 1

    listing = run("list", "--municipality", "alpha")
    assert api_key.prefix in listing and "City app" in listing and "active" in listing
    assert raw not in listing

    assert api_key.prefix in run("revoke", "--municipality", "alpha", "--prefix", api_key.prefix)
    assert api_key_authenticate(raw_key=raw) is None
    assert "revoked" in run("list", "--municipality", "alpha")


@pytest.mark.django_db
def test_apikey_command_errors(municipality):
    with pytest.raises(CommandError, match="No municipality"):
        run("create", "--municipality", "nowhere", "--name", "x")
    with pytest.raises(CommandError, match="empty"):
        run("create", "--municipality", "alpha", "--name", "  ")
    with pytest.raises(CommandError, match="6 characters"):
        run("revoke", "--municipality", "alpha", "--prefix", "ths")
    with pytest.raises(CommandError, match="No active key"):
        run("revoke", "--municipality", "alpha", "--prefix", "ths_nothing")
    assert run("list", "--municipality", "alpha").strip() == "No keys."
