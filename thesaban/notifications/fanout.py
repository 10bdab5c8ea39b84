"""From an event to its deliveries: who is told, on which channel, with which words.

Runs inside the transaction of the change (a report event, an announcement), so the outbox rows
commit or roll back with it. Every function here is idempotent: a Notification is unique per
event and a Delivery per (event, channel, address), so running a fan-out twice writes nothing
new. Only channels with a registered sender (registry.py) get deliveries; texts are rendered
once per language, then copied per recipient with its own unsubscribe link.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from thesaban.notifications.models import (
    Announcement,
    Delivery,
    Notification,
    Subscription,
    WebhookEndpoint,
)
from thesaban.notifications.registry import sender_for

TEXT_LIMIT = 1000
KEY_NAMESPACE = uuid.UUID("6f1c3d1e-2b1a-4c57-9d0e-7a7e5b7f0a11")
UNSUBSCRIBE_SALT = "thesaban.notifications.unsubscribe"
CONFIRM_SALT = "thesaban.notifications.confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def idempotency_key(*, municipality_id: int, event_key: str, channel: str, address: str) -> str:
    """A UUID (LINE's X-Line-Retry-Key must be one) that only depends on what is sent to whom."""
    return str(uuid.uuid5(KEY_NAMESPACE, f"{municipality_id}|{event_key}|{channel}|{address}"))


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription.pk))


def confirm_token(subscription: Subscription) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(str(subscription.pk))


def unsubscribe_url(subscription: Subscription, slug: str) -> str:
    return absolute(
        reverse(
            "notifications:unsubscribe",
            kwargs={"municipality": slug, "token": unsubscribe_token(subscription)},
        )
    )


@dataclass
class Recipient:
    channel: str
    address: str
    language: str = "th"
    subscription_id: int | None = None
    user_id: int | None = None
    footer: str = ""  # why this person gets it (rendered per language later)
    unsubscribe_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _language(value: str | None) -> str:
    return "en" if (value or "").startswith("en") else "th"


def _render(template: str, context: dict, language: str) -> str:
    with translation.override(language):
        return render_to_string(template, context).strip()


def _clip(text: str) -> str:
    return Truncator(text).chars(TEXT_LIMIT)


def notification_record(
    *,
    municipality_id: int,
    event_type: str,
    event_key: str,
    data: dict,
    report=None,
    announcement=None,
) -> tuple[Notification, bool]:
    return Notification.objects.get_or_create(
        municipality_id=municipality_id,
        event_key=event_key,
        defaults={
            "event_type": event_type,
            "data": data,
            "report": report,
            "announcement": announcement,
        },
    )


def deliveries_create(
    notification: Notification, recipients: Iterable[Recipient], payload_for
) -> int:
    """Write one Delivery per (channel, address); returns how many recipients were offered.

    `payload_for(recipient)` gives the rendered payload. Repeats (the same address reached
    through two subscriptions, or a fan-out run again) are dropped by the unique constraint.
    """
    rows, seen = [], set()
    now = timezone.now()
    for recipient in recipients:
        address = recipient.address.strip()
        if not address or sender_for(recipient.channel) is None:
            continue
        if (recipient.channel, address) in seen:
            continue
        seen.add((recipient.channel, address))
        rows.append(
            Delivery(
                municipality_id=notification.municipality_id,
                notification=notification,
                channel=recipient.channel,
                address=address,
                subscription_id=recipient.subscription_id,
                idempotency_key=idempotency_key(
                    municipality_id=notification.municipality_id,
                    event_key=notification.event_key,
                    channel=recipient.channel,
                    address=address,
                ),
                language=recipient.language,
                payload=payload_for(recipient),
                next_attempt_at=now,
                created_at=now,
            )
        )
    Delivery.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


# -- who ---------------------------------------------------------------------------------


def _subscription_recipients(
    subscriptions, *, slug: str, actor_id: int | None, actor_email: str
) -> list[Recipient]:
    recipients = []
    for subscription in subscriptions:
        if actor_id and subscription.user_id == actor_id:
            continue  # nobody is told about what they did themselves
        if subscription.address:
            address = subscription.address
        elif subscription.user_id and subscription.channel == "email":
            address = subscription.user.email or ""
        else:
            address = ""
        if subscription.channel == "email":
            address = address.lower()
            if actor_email and address == actor_email:
                continue
        language = (
            _language(subscription.user.preferred_language)
            if subscription.user_id and not subscription.address
            else _language(subscription.language)
        )
        recipients.append(
            Recipient(
                channel=subscription.channel,
                address=address,
                language=language,
                subscription_id=subscription.pk,
                user_id=subscription.user_id,
                unsubscribe_url=unsubscribe_url(subscription, slug),
                extra={"scope": subscription},
            )
        )
    return recipients


def _active_subscriptions(municipality_id: int, scope_keys: list[str]):
    return (
        Subscription.objects.filter(
            municipality_id=municipality_id,
            status=Subscription.Status.ACTIVE,
            scope_key__in=scope_keys,
        )
        .select_related("user", "community", "category", "report")
        .order_by("id")
    )


def _webhook_recipients(municipality_id: int, event_type: str) -> list[Recipient]:
    endpoints = WebhookEndpoint.objects.filter(municipality_id=municipality_id, is_active=True)
    return [
        Recipient(channel="webhook", address=str(endpoint.pk))
        for endpoint in endpoints.order_by("id")
        if not endpoint.event_types or event_type in endpoint.event_types
    ]


# -- report events -------------------------------------------------------------------------


def report_event_type(event) -> str | None:
    """Which notification a timeline event makes, if any. Internal notes make none."""
    kind = event.kind
    if kind == "created":
        return "report.created"
    if not event.is_public:
        return None
    if kind == "status":
        return "report.status_changed"
    if kind == "note":
        return "report.note_added"
    return None


def _report_urls(report) -> dict[str, str]:
    slug = report.municipality.slug
    return {
        "report_url": absolute(
            reverse("reports:detail", kwargs={"municipality": slug, "code": report.tracking_code})
        ),
        "follow_url": absolute(
            reverse(
                "reports:follow_link",
                kwargs={
                    "municipality": slug,
                    "code": report.tracking_code,
                    "token": report.follow_token,
                },
            )
        ),
    }


def report_event_data(report, event, event_type: str) -> dict:
    """The machine-readable event: public facts only (no names, contacts or descriptions)."""
    urls = _report_urls(report)
    community = report.community
    category = report.category
    public_note = event.note if event.is_public and event.kind in ("status", "note") else ""
    return {
        "type": event_type,
        "municipality": report.municipality.slug,
        "occurred_at": event.created_at.isoformat(),
        "report": {
            "tracking_code": report.tracking_code,
            "status": report.status,
            "from_status": event.from_status or None,
            "to_status": event.to_status or None,
            "category": category.code,
            "category_name": {"th": category.name_th, "en": category.name_en},
            "community": community.code if community else None,
            "community_name": (
                {"th": community.name_th, "en": community.name_en} if community else None
            ),
            "public_note": public_note,
            "url": urls["report_url"],
        },
    }


def fanout_report_event(*, report, event) -> Notification | None:
    event_type = report_event_type(event)
    if event_type is None:
        return None
    from thesaban.reports.models import ReportFollower

    report = (
        type(report)
        .objects.select_related("municipality", "category", "community", "reporter")
        .get(pk=report.pk)
    )
    data = report_event_data(report, event, event_type)
    notification, created = notification_record(
        municipality_id=report.municipality_id,
        event_type=event_type,
        event_key=f"report-event:{event.pk}",
        data=data,
        report=report,
    )
    if not created:
        return notification
    slug = report.municipality.slug
    actor_id = event.actor_id
    actor_email = (event.actor.email or "").lower() if event.actor_id else ""
    urls = _report_urls(report)
    context = {"report": report, "event": event, **urls}
    recipients: list[Recipient] = []

    if event_type == "report.created":
        # The reporter's receipt, with the private follow link.
        address = report.reporter_email or (report.reporter.email if report.reporter else "")
        if address:
            language = _language(report.reporter.preferred_language if report.reporter else "th")
            recipients.append(
                Recipient(
                    channel="email",
                    address=address.lower(),
                    language=language,
                    extra={"template": "received"},
                )
            )
        # New reports reach the subscribers of their community and category (whole-town
        # subscribers get announcements, not every report).
        scope_keys = [f"category:{report.category_id}"]
        if report.community_id:
            scope_keys.append(f"community:{report.community_id}")
        recipients += _subscription_recipients(
            _active_subscriptions(report.municipality_id, scope_keys),
            slug=slug,
            actor_id=report.reporter_id or actor_id,
            actor_email=address.lower(),
        )
        template = "created"
    else:
        for follower in ReportFollower.objects.filter(report=report).select_related("user"):
            if actor_id and follower.user_id == actor_id:
                continue
            address = (follower.user.email if follower.user_id else follower.email) or ""
            if not address or (actor_email and address.lower() == actor_email):
                continue
            recipients.append(
                Recipient(
                    channel="email",
                    address=address.lower(),
                    language=_language(
                        follower.user.preferred_language if follower.user_id else "th"
                    ),
                    user_id=follower.user_id,
                    footer="follow",
                    unsubscribe_url=absolute(
                        reverse(
                            "reports:unfollow",
                            kwargs={
                                "municipality": slug,
                                "code": report.tracking_code,
                                "token": follower.unsubscribe_token,
                            },
                        )
                    ),
                )
            )
        recipients += _subscription_recipients(
            _active_subscriptions(report.municipality_id, [f"report:{report.pk}"]),
            slug=slug,
            actor_id=actor_id,
            actor_email=actor_email,
        )
        template = "changed"
    recipients += _webhook_recipients(report.municipality_id, event_type)

    rendered: dict[tuple[str, str], dict] = {}

    def base(language: str, which: str) -> dict:
        if (language, which) not in rendered:
            rendered[(language, which)] = {
                "subject": Truncator(
                    _render(f"notifications/messages/report_{which}_subject.txt", context, language)
                ).chars(200),
                "text": _clip(
                    _render(f"notifications/messages/report_{which}.txt", context, language)
                ),
                "url": urls["report_url"],
                "url_label": _render("notifications/messages/report_url_label.txt", {}, language),
                "event": data,
            }
        return rendered[(language, which)]

    def payload_for(recipient: Recipient) -> dict:
        which = recipient.extra.get("template", template)
        payload = dict(base(recipient.language, which))
        payload["footer"] = _footer(recipient, language=recipient.language, slug=slug)
        payload["unsubscribe_url"] = recipient.unsubscribe_url
        return payload

    deliveries_create(notification, recipients, payload_for)
    return notification


def _scope_label(subscription: Subscription, language: str) -> str:
    with translation.override(language):
        if subscription.report_id:
            return _("report %(code)s") % {"code": subscription.report.tracking_code}
        if subscription.community_id:
            name = (subscription.community.name_en if language == "en" else "") or (
                subscription.community.name_th
            )
            return _("the community %(name)s") % {"name": name}
        if subscription.category_id:
            name = (subscription.category.name_en if language == "en" else "") or (
                subscription.category.name_th
            )
            return _("the category %(name)s") % {"name": name}
        return _("the whole municipality")


def _footer(recipient: Recipient, *, language: str, slug: str) -> str:
    with translation.override(language):
        if recipient.footer == "follow":
            return _(
                "You receive this e-mail because you follow this report. To stop these e-mails, open:"
            )
        scope = recipient.extra.get("scope")
        if scope is not None:
            return _(
                "You receive this because you subscribed to news about %(scope)s. To stop, open:"
            ) % {"scope": _scope_label(scope, language)}
        return ""


# -- announcements -------------------------------------------------------------------------


def announcement_url(announcement: Announcement, slug: str) -> str:
    return (
        absolute(reverse("notifications:announcements", kwargs={"municipality": slug}))
        + f"#announcement-{announcement.pk}"
    )


def announcement_event_data(announcement: Announcement, slug: str, community_codes) -> dict:
    return {
        "type": "announcement.published",
        "municipality": slug,
        "occurred_at": announcement.published_at.isoformat(),
        "announcement": {
            "id": announcement.pk,
            "title_th": announcement.title_th,
            "title_en": announcement.title_en,
            "body_th": announcement.body_th,
            "body_en": announcement.body_en,
            "whole_municipality": announcement.whole_municipality,
            "communities": list(community_codes),
            "url": announcement_url(announcement, slug),
        },
    }


def fanout_announcement(*, announcement: Announcement) -> Notification:
    municipality = announcement.municipality
    slug = municipality.slug
    communities = list(announcement.communities.order_by("code"))
    data = announcement_event_data(announcement, slug, [c.code for c in communities])
    notification, created = notification_record(
        municipality_id=municipality.pk,
        event_type="announcement.published",
        event_key=f"announcement:{announcement.pk}",
        data=data,
        announcement=announcement,
    )
    if not created:
        return notification
    subscriptions = Subscription.objects.filter(
        municipality_id=municipality.pk, status=Subscription.Status.ACTIVE
    )
    if announcement.whole_municipality:
        # Everyone who follows an area of the town or a kind of problem, not single reports.
        subscriptions = subscriptions.filter(report__isnull=True)
    else:
        subscriptions = subscriptions.filter(
            Q(scope_key="municipality")
            | Q(scope_key__in=[f"community:{c.pk}" for c in communities])
        )
    author = announcement.author
    recipients = _subscription_recipients(
        subscriptions.select_related("user", "community", "category", "report").order_by("id"),
        slug=slug,
        actor_id=announcement.author_id,
        actor_email=(author.email or "").lower() if author else "",
    )
    recipients += _webhook_recipients(municipality.pk, "announcement.published")
    url = announcement_url(announcement, slug)
    rendered: dict[str, dict] = {}

    def payload_for(recipient: Recipient) -> dict:
        language = recipient.language
        if language not in rendered:
            context = {
                "announcement": announcement,
                "title": announcement.title(language),
                "body": announcement.body(language),
                "municipality": municipality,
                "communities": communities,
            }
            rendered[language] = {
                "subject": Truncator(announcement.title(language)).chars(200),
                "text": _clip(
                    _render("notifications/messages/announcement.txt", context, language)
                ),
                "url": url,
                "url_label": _render(
                    "notifications/messages/announcement_url_label.txt", {}, language
                ),
                "event": data,
            }
        payload = dict(rendered[language])
        payload["footer"] = _footer(recipient, language=language, slug=slug)
        payload["unsubscribe_url"] = recipient.unsubscribe_url
        return payload

    deliveries_create(notification, recipients, payload_for)
    return notification


# -- double opt-in -------------------------------------------------------------------------


def fanout_confirmation(*, subscription: Subscription) -> Notification:
    """The e-mail that asks an address to confirm a subscription (double opt-in)."""
    slug = subscription.municipality.slug
    stamp = timezone.now().strftime("%Y%m%d%H")  # one confirmation e-mail per hour
    notification, _created = notification_record(
        municipality_id=subscription.municipality_id,
        event_type="subscription.confirm",
        event_key=f"subscription-confirm:{subscription.pk}:{stamp}",
        data={"type": "subscription.confirm", "municipality": slug},
    )
    confirm_url = absolute(
        reverse(
            "notifications:confirm",
            kwargs={"municipality": slug, "token": confirm_token(subscription)},
        )
    )
    language = _language(subscription.language)
    context = {
        "municipality": subscription.municipality,
        "scope": _scope_label(subscription, language),
        "confirm_url": confirm_url,
    }
    recipient = Recipient(channel="email", address=subscription.address, language=language)

    def payload_for(recipient: Recipient) -> dict:
        return {
            "subject": _render("notifications/messages/confirm_subject.txt", context, language),
            "text": _clip(_render("notifications/messages/confirm.txt", context, language)),
            "url": confirm_url,
            "url_label": "",
            "event": notification.data,
            "footer": "",
            "unsubscribe_url": "",
        }

    deliveries_create(notification, [recipient], payload_for)
    return notification
