"""The LINE settings page: administrators enter the secret and the token, which are never shown
again; every change is audited; nobody else gets in."""

import pytest
import rules
from django.test import Client
from django.urls import reverse

from thesaban.channels.line.models import LineChannel
from thesaban.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.long-lived-token+/abcXYZ="


def page(municipality) -> str:
    return reverse("staff:line_channel:settings", kwargs={"municipality": municipality.slug})


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_sets_up_line_and_the_secrets_are_never_shown_again(
    municipality, admin_user
):
    client = client_for(admin_user)
    response = client.get(page(municipality))
    assert response.status_code == 200
    assert f"/{municipality.slug}/line/webhook".encode() in response.content

    response = client.post(
        page(municipality), {"channel_secret": SECRET, "access_token": TOKEN, "is_active": "on"}
    )
    assert response.status_code == 302
    channel = LineChannel.objects.get(municipality=municipality)
    assert (channel.channel_secret, channel.access_token, channel.is_active) == (
        SECRET,
        TOKEN,
        True,
    )

    shown = client.get(page(municipality)).content.decode()
    assert SECRET not in shown and TOKEN not in shown
    assert "8f90" in shown and "YZ=" in shown  # the hints: the last four characters

    audit = AuditEntry.objects.get(action="line.channel_create", municipality=municipality)
    assert audit.actor == admin_user
    assert SECRET not in str(audit.data) and TOKEN not in str(audit.data)
    assert audit.data["secret_changed"] and audit.data["token_changed"]


def test_empty_fields_keep_the_saved_secrets(municipality, admin_user):
    client = client_for(admin_user)
    client.post(
        page(municipality), {"channel_secret": SECRET, "access_token": TOKEN, "is_active": "on"}
    )
    response = client.post(page(municipality), {"channel_secret": "", "access_token": ""})
    assert response.status_code == 302
    channel = LineChannel.objects.get(municipality=municipality)
    assert (channel.channel_secret, channel.access_token, channel.is_active) == (
        SECRET,
        TOKEN,
        False,
    )
    update = AuditEntry.objects.get(action="line.channel_update")
    assert update.data == {
        "secret_changed": False,
        "token_changed": False,
        "active_changed": True,
        "is_active": False,
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"channel_secret": "not-hex-at-all!", "access_token": TOKEN}, "channel_secret"),
        ({"channel_secret": SECRET, "access_token": "has spaces in it"}, "access_token"),
        ({"channel_secret": SECRET, "access_token": ""}, None),  # the first save needs both
    ],
)
def test_bad_values_are_explained_and_nothing_is_saved(municipality, admin_user, data, field):
    response = client_for(admin_user).post(page(municipality), {**data, "is_active": "on"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field if field else "__all__")
    assert not LineChannel.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="line.").exists()


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_administrators_manage_line(municipality, request, role):
    user = request.getfixturevalue(role)
    client = client_for(user)
    assert client.get(page(municipality)).status_code == 403
    assert (
        client.post(
            page(municipality), {"channel_secret": SECRET, "access_token": TOKEN}
        ).status_code
        == 403
    )
    assert not LineChannel.objects.exists()


def test_administrators_of_another_municipality_are_refused(
    municipality, other_municipality, make_staff
):
    outsider = make_staff(other_municipality, "administrator")
    client = client_for(outsider)
    assert client.get(page(municipality)).status_code == 403
    assert (
        client.post(
            page(municipality), {"channel_secret": SECRET, "access_token": TOKEN}
        ).status_code
        == 403
    )
    assert not LineChannel.objects.exists()


def test_the_staff_menu_shows_line_to_administrators_only(municipality, admin_user, officer):
    dashboard = reverse("staff:dashboard", kwargs={"municipality": municipality.slug})
    link = f'href="{page(municipality)}"'.encode()
    assert link in client_for(admin_user).get(dashboard).content
    assert link not in client_for(officer).get(dashboard).content


def test_the_rule(municipality, admin_user, officer, viewer, other_municipality):
    assert rules.has_perm("line.manage_channel", admin_user, municipality)
    assert not rules.has_perm("line.manage_channel", admin_user, other_municipality)
    assert not rules.has_perm("line.manage_channel", officer, municipality)
    assert not rules.has_perm("line.manage_channel", viewer, municipality)
    assert not rules.has_perm("line.manage_channel", admin_user, None)
