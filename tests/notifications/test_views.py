"""The pages: subscribe, confirm, one-click unsubscribe, preferences, announcements, staff."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import factories
from thesaban.core.models import AuditEntry
from thesaban.notifications import fanout, services
from thesaban.notifications.models import Announcement, Subscription, WebhookEndpoint

PASSWORD = "correct horse battery"


def url(name, municipality, **kwargs):
    return reverse(name, kwargs={"municipality": municipality.slug, **kwargs})


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_anonymous_subscription_is_double_opt_in(
    municipality, community, django_capture_on_commit_callbacks
):
    client = Client()
    page = client.get(url("notifications:subscribe", municipality))
    assert page.status_code == 200 and "ชุมชน" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("notifications:subscribe", municipality),
            {"scope": "community", "community": community.pk, "email": "somsri@example.org"},
            follow=True,
        )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.status == "pending" and subscription.address == "somsri@example.org"
    (message,) = mail.outbox
    link = re.search(r"http://\S+/confirm/\S+/", message.body).group(0)
    path = "/" + link.split("//", 1)[1].split("/", 1)[1]
    # Opening the link (a mail scanner does) only asks.
    assert "<form" in client.get(path).content.decode()
    subscription.refresh_from_db()
    assert subscription.status == "pending"
    client.post(path)
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert client.get(url("notifications:confirm", municipality, token="forged")).status_code == 200


@pytest.mark.django_db
def test_subscribe_form_errors_are_precise(municipality, community):
    client = Client()
    response = client.post(url("notifications:subscribe", municipality), {"scope": "community"})
    text = response.content.decode()
    assert response.status_code == 200 and Subscription.objects.count() == 0
    assert 'role="alert"' in text
    response = client.post(
        url("notifications:subscribe", municipality),
        {"scope": "report", "tracking_code": "NOPE-1", "email": "a@example.org"},
    )
    assert response.status_code == 200 and Subscription.objects.count() == 0


@pytest.mark.django_db
def test_signed_in_resident_subscribes_and_manages_preferences(
    municipality, community, category, resident
):
    client = signed_in(resident)
    client.post(
        url("notifications:subscribe", municipality), {"scope": "category", "category": category.pk}
    )
    client.post(url("notifications:subscribe", municipality), {"scope": "municipality"})
    subscriptions = list(Subscription.objects.filter(user=resident, status="active"))
    assert len(subscriptions) == 2 and mail.outbox == []  # the account's own address: no opt-in
    page = client.get(url("notifications:preferences", municipality)).content.decode()
    assert category.name_th in page
    client.post(
        url("notifications:preferences", municipality),
        {"action": "cancel", "id": subscriptions[0].pk},
    )
    client.post(
        url("notifications:preferences", municipality), {"action": "language", "language": "en"}
    )
    resident.refresh_from_db()
    assert resident.preferred_language == "en"
    assert Subscription.objects.filter(user=resident, status="active").count() == 1
    # Someone else's subscription id is a 404 and changes nothing.
    other = services.subscription_create(
        municipality=municipality,
        channel="email",
        user=factories.UserFactory(),
        community=community,
    )
    response = client.post(
        url("notifications:preferences", municipality), {"action": "cancel", "id": other.pk}
    )
    assert response.status_code == 404
    assert Subscription.objects.get(pk=other.pk).status == "active"
    assert Client().get(url("notifications:preferences", municipality)).status_code == 302


@pytest.mark.django_db
def test_unsubscribe_link_asks_on_get_and_works_without_login(municipality, community, resident):
    subscription = services.subscription_create(
        municipality=municipality, channel="email", user=resident, community=community
    )
    link = url(
        "notifications:unsubscribe", municipality, token=fanout.unsubscribe_token(subscription)
    )
    client = Client(enforce_csrf_checks=True)
    page = client.get(link)
    assert page.status_code == 200 and "<form" in page.content.decode()
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert client.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == "unsubscribed"
    assert AuditEntry.objects.filter(action="notifications.unsubscribe").count() == 1
    bad = client.post(url("notifications:unsubscribe", municipality, token="1:forged"))
    assert bad.status_code == 200


@pytest.mark.django_db
def test_public_announcements_page(municipality, community, admin_user):
    services.announcement_publish(
        municipality=municipality,
        author=admin_user,
        title_th="ประปาหยุดจ่ายน้ำ",
        body_th="พรุ่งนี้",
        title_en="Water cut",
        body_en="Tomorrow",
        communities=[community],
    )
    page = Client().get(url("notifications:announcements", municipality)).content.decode()
    assert "ประปาหยุดจ่ายน้ำ" in page and community.name_th in page
    assert admin_user.email not in page and str(admin_user.display_name) not in page


@pytest.mark.django_db
def test_staff_publish_and_viewers_only_read(municipality, community, officer, viewer):
    page = signed_in(viewer).get(url("staff:notifications:announcements", municipality))
    assert page.status_code == 200 and "<textarea" not in page.content.decode()
    denied = signed_in(viewer).post(
        url("staff:notifications:announcements", municipality),
        {"title_th": "x", "body_th": "y", "whole_municipality": "on"},
    )
    assert denied.status_code == 403 and Announcement.objects.count() == 0
    client = signed_in(officer)
    response = client.post(
        url("staff:notifications:announcements", municipality),
        {"title_th": "ถนนปิด", "body_th": "ปิดซ่อม", "communities": [community.pk]},
    )
    assert response.status_code == 302 and Announcement.objects.get().author == officer
    invalid = client.post(url("staff:notifications:announcements", municipality), {"title_th": ""})
    assert invalid.status_code == 200 and Announcement.objects.count() == 1


@pytest.mark.django_db
def test_outbox_page_masks_addresses(municipality, community, admin_user, viewer):
    services.subscription_create(
        municipality=municipality,
        channel="email",
        user=factories.UserFactory(email="private.person@example.org"),
        community=community,
    )
    services.announcement_publish(
        municipality=municipality,
        author=admin_user,
        title_th="x",
        body_th="y",
        communities=[community],
    )
    page = signed_in(viewer).get(url("staff:notifications:outbox", municipality)).content.decode()
    assert "private.person@example.org" not in page and "pr•••@example.org" in page


@pytest.mark.django_db
def test_webhook_pages_for_administrators_only(municipality, admin_user, officer):
    assert (
        signed_in(officer).get(url("staff:notifications:webhooks", municipality)).status_code == 403
    )
    client = signed_in(admin_user)
    response = client.post(
        url("staff:notifications:webhooks", municipality),
        {"name": "City app", "url": "https://city.example/hook", "event_types": ["report.created"]},
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in response.content.decode()  # shown once, now
    assert response.headers["Cache-Control"] == "no-store"
    again = client.get(url("staff:notifications:webhooks", municipality)).content.decode()
    assert endpoint.secret not in again and "https://city.example/hook" in again
    bad = client.post(
        url("staff:notifications:webhooks", municipality), {"name": "x", "url": "ftp://x.example/"}
    )
    assert bad.status_code == 200 and WebhookEndpoint.objects.count() == 1
    client.post(url("staff:notifications:webhook_delete", municipality), {"id": endpoint.pk})
    assert WebhookEndpoint.objects.count() == 0
