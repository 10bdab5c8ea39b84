"""The two channels this app delivers itself: e-mail and signed webhooks.

Both send the delivery's idempotency key, so a receiver recognises a repeat after a worker died
between sending and recording (e-mail: the Message-ID; webhooks: `X-Thesaban-Delivery`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from email.utils import parseaddr
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from thesaban.notifications.registry import PermanentFailure, TemporaryFailure

SEND_TIMEOUT = 10  # seconds, for one SMTP conversation or one webhook request


def message_id(key: str) -> str:
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "thesaban.local"
    return f"<{key}@{domain}>"


def email_message(delivery) -> EmailMessage:
    payload = delivery.payload
    with translation.override(delivery.language):
        body = render_to_string("notifications/email.txt", {"payload": payload})
    headers = {"Message-ID": message_id(delivery.idempotency_key)}
    if payload.get("unsubscribe_url"):
        # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe that POSTs
        # "List-Unsubscribe=One-Click" to the URL (which needs no login and no CSRF token).
        headers["List-Unsubscribe"] = f"<{payload['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject = " ".join(str(payload.get("subject", "")).split())
    return EmailMessage(subject, body, None, [delivery.address], headers=headers)


def send_email(delivery) -> None:
    message = email_message(delivery)
    try:
        connection = get_connection(timeout=SEND_TIMEOUT)
        message.connection = connection
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _msg in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentFailure(f"recipient refused: {codes}") from error
        raise TemporaryFailure(f"recipient deferred: {codes}") from error
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600 and error.smtp_code not in (552,):
            raise PermanentFailure(f"SMTP {error.smtp_code}") from error
        raise TemporaryFailure(f"SMTP {error.smtp_code}") from error
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"{type(error).__name__}: {error}") from error


# -- webhooks ------------------------------------------------------------------------------


def check_webhook_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(delivery) -> bytes:
    event = delivery.payload.get("event", {})
    document = {
        "id": delivery.idempotency_key,
        "type": event.get("type", delivery.notification.event_type),
        "created_at": delivery.notification.created_at.isoformat(),
        "sent_at": timezone.now().isoformat(),
        "data": event,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def send_webhook(delivery) -> None:
    from thesaban.notifications.models import WebhookEndpoint

    endpoint = WebhookEndpoint.objects.filter(
        municipality_id=delivery.municipality_id, pk=int(delivery.address)
    ).first()
    if endpoint is None or not endpoint.is_active:
        raise PermanentFailure("the endpoint was removed or switched off")
    if not check_webhook_url(endpoint.url):
        raise PermanentFailure("the endpoint URL is not http(s)")
    body = webhook_body(delivery)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Thesaban-Webhooks/1",
        "X-Thesaban-Delivery": delivery.idempotency_key,
        "X-Thesaban-Event": delivery.notification.event_type,
        "X-Thesaban-Timestamp": str(int(timezone.now().timestamp())),
        "X-Thesaban-Signature": signature(endpoint.secret, body),
    }
    try:
        response = requests.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=(5, SEND_TIMEOUT),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in (408, 425, 429) or status >= 500:
        raise TemporaryFailure(f"HTTP {status}")
    raise PermanentFailure(f"HTTP {status}")
