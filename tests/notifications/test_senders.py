"""The e-mail and webhook senders against real receivers: a local HTTP server and aiosmtpd."""

import hashlib
import hmac
import json

import pytest
from django.core import mail

from tests import factories
from tests.notifications.sinks import SmtpSink, WebhookSink
from thesaban.notifications import outbox, services
from thesaban.notifications.models import Delivery
from thesaban.reports import services as report_services
from thesaban.reports.workflow import Status

pytestmark = pytest.mark.django_db


def subscribe(municipality, community, email="sub@example.org"):
    user = factories.UserFactory(email=email)
    return services.subscription_create(
        municipality=municipality, channel="email", user=user, community=community
    )


def announce(municipality, author, community):
    return services.announcement_publish(
        municipality=municipality,
        author=author,
        title_th="ประปาหยุดจ่ายน้ำ",
        body_th="พรุ่งนี้ 09:00-15:00",
        communities=[community],
    )


def test_emails_carry_the_key_and_one_click_unsubscribe_headers(
    municipality, community, admin_user
):
    subscribe(municipality, community)
    announce(municipality, admin_user, community)
    outbox.deliver_until_done()
    (message,) = mail.outbox
    delivery = Delivery.objects.get()
    headers = message.extra_headers
    assert headers["Message-ID"].startswith(f"<{delivery.idempotency_key}@")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert "/notifications/unsubscribe/" in url and url in message.body
    # RFC 8058: the mail client POSTs without cookies or CSRF token, and it works.
    from django.test import Client

    path = url.split("//", 1)[1].split("/", 1)[1]
    response = Client(enforce_csrf_checks=True).post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert services.Subscription.objects.get().status == "unsubscribed"


def test_email_through_a_real_smtp_server(municipality, community, admin_user, settings):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        subscribe(municipality, community, "a@example.org")
        subscribe(municipality, community, "b@example.org")
        announce(municipality, admin_user, community)
        outcome = outbox.deliver_until_done()
    assert outcome.sent == 2
    keys = set(Delivery.objects.values_list("idempotency_key", flat=True))
    assert set(sink.received.processed) == keys
    message = sink.messages[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_payload(decode=True).decode()
    assert "พรุ่งนี้ 09:00-15:00" in body


def test_an_unreachable_smtp_server_is_a_temporary_failure(
    municipality, community, admin_user, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9
    subscribe(municipality, community)
    announce(municipality, admin_user, community)
    outbox.deliver_until_done()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempts == 1
    assert delivery.next_attempt_at > delivery.created_at


def test_signed_webhooks_with_public_data_only(
    municipality, category, community, admin_user, officer
):
    with WebhookSink() as sink:
        _endpoint, secret = services.webhook_endpoint_create(
            municipality=municipality, actor=admin_user, name="City app", url=sink.url
        )
        sink.secret = secret
        report = report_services.report_create(
            municipality=municipality,
            category=category,
            description="หลุมลึกหน้าบ้านนายสมชาย โทร 0812345678",
            lat=13.005,
            lng=100.005,
            reporter_name="สมชาย ใจดี",
            reporter_email="somchai@example.org",
            reporter_phone="0812345678",
            contact_consent=True,
        )
        report_services.report_note_add(
            report=report, actor=officer, note="INTERNAL-BUDGET", is_public=False
        )
        report_services.report_transition(
            report=report, actor=officer, to_status=Status.RESOLVED, public_note="ซ่อมแล้ว"
        )
        announce(municipality, admin_user, community)
        outbox.deliver_until_done()
    events = [r["event"] for r in sink.requests]
    assert events == ["report.created", "report.status_changed", "announcement.published"]
    for record in sink.requests:
        assert record["signature_ok"]
        expected = hmac.new(secret.encode(), record["body"], hashlib.sha256).hexdigest()
        assert record["json"]["id"] == record["key"]
        assert expected  # the documented recipe, recomputed
        text = record["body"].decode()
        for private in ("สมชาย", "0812345678", "somchai", "INTERNAL-BUDGET", "หลุมลึก"):
            assert private not in text
    status = sink.requests[1]["json"]["data"]["report"]
    assert status["tracking_code"] == report.tracking_code and status["status"] == "resolved"
    assert status["public_note"] == "ซ่อมแล้ว" and status["community"] == community.code
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_webhook_event_filter(municipality, category, admin_user, community):
    with WebhookSink() as sink:
        services.webhook_endpoint_create(
            municipality=municipality,
            actor=admin_user,
            name="Announcements only",
            url=sink.url,
            event_types=["announcement.published"],
        )
        report_services.report_create(
            municipality=municipality, category=category, description="x", address="ตลาด"
        )
        announce(municipality, admin_user, community)
        outbox.deliver_until_done()
    assert [r["event"] for r in sink.requests] == ["announcement.published"]


def test_webhook_answers_decide_retry_or_dead_letter(municipality, community, admin_user):
    with WebhookSink(statuses=[503, 200]) as sink:
        services.webhook_endpoint_create(
            municipality=municipality, actor=admin_user, name="flaky", url=sink.url
        )
        announce(municipality, admin_user, community)
        outbox.deliver_until_done()
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING and "HTTP 503" in delivery.last_error
        Delivery.objects.update(next_attempt_at=delivery.created_at)
        outbox.deliver_until_done()
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
        # Both attempts carried the same delivery id: the receiver can drop a repeat.
        assert [r["key"] for r in sink.requests] == [delivery.idempotency_key] * 2
    with WebhookSink(statuses=[404]) as sink:
        services.webhook_endpoint_create(
            municipality=municipality, actor=admin_user, name="gone", url=sink.url
        )
        services.announcement_publish(
            municipality=municipality,
            author=admin_user,
            title_th="a",
            body_th="b",
            whole_municipality=True,
        )
        outbox.deliver_until_done()
    assert Delivery.objects.filter(status="dead", last_error__contains="HTTP 404").count() == 1


def test_a_removed_endpoint_dead_letters_its_waiting_deliveries(
    municipality, community, admin_user
):
    endpoint, _secret = services.webhook_endpoint_create(
        municipality=municipality, actor=admin_user, name="old", url="http://127.0.0.1:9/h"
    )
    announce(municipality, admin_user, community)
    services.webhook_endpoint_delete(endpoint=endpoint, actor=admin_user)
    outbox.deliver_until_done()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DEAD and "removed" in delivery.last_error


def test_webhook_body_is_the_signed_json(municipality, community, admin_user):
    with WebhookSink() as sink:
        _e, secret = services.webhook_endpoint_create(
            municipality=municipality, actor=admin_user, name="x", url=sink.url
        )
        sink.secret = secret
        announce(municipality, admin_user, community)
        outbox.deliver_until_done()
    (record,) = sink.requests
    document = json.loads(record["body"])
    assert document["type"] == "announcement.published"
    assert document["data"]["announcement"]["communities"] == [community.code]
    assert int(record["timestamp"]) > 0 and record["signature_ok"]
