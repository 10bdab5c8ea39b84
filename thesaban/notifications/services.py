"""Every write of notifications. Keyword-only, typed, atomic, audited.

Deliveries are scheduled after commit (`tasks.schedule_delivery`); if that nudge is lost (the
process dies right after the commit), the sweeper (`thesaban notifications deliver --loop`)
finds the pending rows anyway.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.accounts.rules import is_administrator, is_officer
from thesaban.core.audit import audit_record
from thesaban.notifications import fanout
from thesaban.notifications.models import (
    EVENT_TYPES,
    Announcement,
    Delivery,
    Subscription,
    WebhookEndpoint,
)
from thesaban.notifications.registry import sender_for
from thesaban.notifications.selectors import (
    subscription_for_confirm_token,
    subscription_for_unsubscribe_token,
)
from thesaban.notifications.senders import check_webhook_url
from thesaban.notifications.tasks import schedule_delivery

SUBSCRIBABLE_EXCLUDED = {"webhook"}  # integrators get webhooks through endpoints, not subscriptions


def _scope(*, municipality, report=None, community=None, category=None) -> str:
    given = [x for x in (report, community, category) if x is not None]
    if len(given) > 1:
        raise ValidationError(_("Choose one thing to subscribe to."))
    for item in given:
        if item.municipality_id != municipality.pk:
            raise ValidationError(_("This belongs to another municipality."))
    if report is not None:
        return f"report:{report.pk}"
    if community is not None:
        return f"community:{community.pk}"
    if category is not None:
        return f"category:{category.pk}"
    return "municipality"


def _language(value: str) -> str:
    return "en" if (value or "").startswith("en") else "th"


@transaction.atomic
def subscription_create(
    *,
    municipality,
    channel: str,
    address: str = "",
    user=None,
    report=None,
    community=None,
    category=None,
    language: str = "th",
) -> Subscription:
    """Subscribe someone to a report, a community, a category or (none given) the whole town.

    Idempotent: the same subscription again returns the existing row. An e-mail address given
    without an account is confirmed first (double opt-in): the row stays pending and a
    confirmation e-mail goes out; a signed-in user's own address and channel identities that
    the channel verified (a LINE user id) are active at once.
    """
    channel = (channel or "").strip()
    if channel in SUBSCRIBABLE_EXCLUDED or sender_for(channel) is None:
        raise ValidationError({"channel": _("This channel cannot deliver notifications.")})
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    address = (address or "").strip()
    if channel == "email":
        if address:
            address = address.lower()
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
        elif user is None or not user.email:
            raise ValidationError(
                {"email": _("Enter an e-mail address, or add one to your account.")}
            )
        if user is not None and address == (user.email or "").lower():
            address = ""  # the account's own address: follow it if the person changes it
    elif not address:
        raise ValidationError({"address": _("The address on this channel is missing.")})
    if len(address) > 254:
        raise ValidationError({"address": _("The address is too long.")})
    scope_key = _scope(
        municipality=municipality, report=report, community=community, category=category
    )
    recipient_key = f"address:{address}" if address else f"user:{user.pk}"
    # Any e-mail address other than the account's own is confirmed by its owner first.
    needs_confirmation = channel == "email" and bool(address)
    lookup = {
        "municipality": municipality,
        "channel": channel,
        "recipient_key": recipient_key,
        "scope_key": scope_key,
    }
    subscription = Subscription.objects.filter(**lookup).first()
    if subscription is None:
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    **lookup,
                    address=address,
                    user=user,
                    report=report,
                    community=community,
                    category=category,
                    language=_language(language),
                    status=(
                        Subscription.Status.PENDING
                        if needs_confirmation
                        else Subscription.Status.ACTIVE
                    ),
                    confirmed_at=None if needs_confirmation else timezone.now(),
                )
        except IntegrityError:  # the same request twice at once: the other one won
            return Subscription.objects.get(**lookup)
        audit_record(
            action="notifications.subscribe",
            actor=user,
            municipality=municipality,
            target=subscription,
            data={"channel": channel, "scope": scope_key, "confirmed": not needs_confirmation},
        )
    elif subscription.status == Subscription.Status.UNSUBSCRIBED:
        subscription.status = (
            Subscription.Status.PENDING if needs_confirmation else Subscription.Status.ACTIVE
        )
        subscription.unsubscribed_at = None
        subscription.language = _language(language)
        subscription.confirmed_at = None if needs_confirmation else timezone.now()
        subscription.save(update_fields=["status", "unsubscribed_at", "language", "confirmed_at"])
        audit_record(
            action="notifications.resubscribe",
            actor=user,
            municipality=municipality,
            target=subscription,
            data={"channel": channel, "scope": scope_key},
        )
    if subscription.status == Subscription.Status.PENDING:
        # At most one confirmation e-mail per subscription and hour, however often it is asked.
        notification = fanout.fanout_confirmation(subscription=subscription)
        transaction.on_commit(lambda: schedule_delivery(notification.pk))
    return subscription


@transaction.atomic
def subscription_confirm(*, municipality, token: str) -> Subscription | None:
    """Double opt-in, second step. None for a bad or expired link."""
    subscription = subscription_for_confirm_token(municipality=municipality, token=token)
    if subscription is None or subscription.status == Subscription.Status.UNSUBSCRIBED:
        return None
    if subscription.status == Subscription.Status.PENDING:
        subscription.status = Subscription.Status.ACTIVE
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["status", "confirmed_at"])
        audit_record(
            action="notifications.confirm",
            municipality=municipality,
            target=subscription,
            data={"channel": subscription.channel, "scope": subscription.scope_key},
        )
    return subscription


def _stop(subscription: Subscription, *, actor=None, how: str) -> None:
    subscription.status = Subscription.Status.UNSUBSCRIBED
    subscription.unsubscribed_at = timezone.now()
    subscription.save(update_fields=["status", "unsubscribed_at"])
    # Nothing still waiting in the outbox for this subscription goes out after this.
    Delivery.objects.filter(subscription=subscription, status=Delivery.Status.PENDING).delete()
    audit_record(
        action="notifications.unsubscribe",
        actor=actor,
        municipality=subscription.municipality,
        target=subscription,
        data={"channel": subscription.channel, "scope": subscription.scope_key, "how": how},
    )


@transaction.atomic
def subscription_unsubscribe(*, municipality, token: str) -> Subscription | None:
    """One-click unsubscribe from a signed link; idempotent. None for a bad link."""
    subscription = subscription_for_unsubscribe_token(municipality=municipality, token=token)
    if subscription is None:
        return None
    if subscription.status != Subscription.Status.UNSUBSCRIBED:
        _stop(subscription, how="link")
    return subscription


@transaction.atomic
def subscription_cancel(*, subscription: Subscription, user) -> None:
    """A signed-in person stops one of their own subscriptions (the preferences page)."""
    if user is None or subscription.user_id != user.pk:
        raise PermissionDenied(_("This is not your subscription."))
    if subscription.status != Subscription.Status.UNSUBSCRIBED:
        _stop(subscription, actor=user, how="preferences")


@transaction.atomic
def subscription_set_language(*, user, municipality, language: str) -> int:
    """The language of a person's notifications (their account's preferred language)."""
    language = _language(language)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return Subscription.objects.filter(user=user, municipality=municipality).update(
        language=language
    )


# -- announcements -------------------------------------------------------------------------


def _require_publisher(actor, municipality) -> None:
    if not (is_administrator(actor, municipality) or is_officer(actor, municipality)):
        raise PermissionDenied(_("Only administrators and officers publish announcements."))


@transaction.atomic
def announcement_publish(
    *,
    municipality,
    author,
    title_th: str,
    body_th: str,
    title_en: str = "",
    body_en: str = "",
    communities: Iterable = (),
    whole_municipality: bool = False,
) -> Announcement:
    _require_publisher(author, municipality)
    title_th, body_th = title_th.strip(), body_th.strip()
    title_en, body_en = title_en.strip(), body_en.strip()
    errors = {}
    if not title_th:
        errors["title_th"] = _("Write a title in Thai.")
    if not body_th:
        errors["body_th"] = _("Write the message in Thai.")
    if bool(title_en) != bool(body_en):
        errors["title_en"] = _("Give both the English title and message, or neither.")
    communities = list(communities)
    if any(c.municipality_id != municipality.pk for c in communities):
        errors["communities"] = _("A chosen community belongs to another municipality.")
    if not communities and not whole_municipality:
        errors["communities"] = _("Choose the communities concerned, or the whole municipality.")
    if errors:
        raise ValidationError(errors)
    announcement = Announcement.objects.create(
        municipality=municipality,
        title_th=title_th,
        body_th=body_th,
        title_en=title_en,
        body_en=body_en,
        whole_municipality=whole_municipality,
        author=author,
        published_at=timezone.now(),
    )
    if not whole_municipality:
        announcement.communities.set(communities)
    notification = fanout.fanout_announcement(announcement=announcement)
    audit_record(
        action="notifications.announce",
        actor=author,
        municipality=municipality,
        target=announcement,
        data={
            "whole_municipality": whole_municipality,
            "communities": [c.code for c in communities],
            "deliveries": notification.deliveries.count(),
        },
    )
    transaction.on_commit(lambda: schedule_delivery(notification.pk))
    return announcement


# -- webhooks ------------------------------------------------------------------------------


def _require_administrator(actor, municipality) -> None:
    if not is_administrator(actor, municipality):
        raise PermissionDenied(_("Only administrators manage webhooks."))


@transaction.atomic
def webhook_endpoint_create(
    *, municipality, actor, name: str, url: str, event_types: Iterable[str] = ()
) -> tuple[WebhookEndpoint, str]:
    """Returns the endpoint and its secret, which is shown to the administrator only now."""
    _require_administrator(actor, municipality)
    name, url = name.strip(), url.strip()
    event_types = sorted(set(event_types))
    errors = {}
    if not name:
        errors["name"] = _("Give the endpoint a name.")
    if not check_webhook_url(url):
        errors["url"] = _("The URL must start with http:// or https://.")
    unknown = [e for e in event_types if e not in EVENT_TYPES]
    if unknown:
        errors["event_types"] = _("Unknown events: %(events)s") % {"events": ", ".join(unknown)}
    if errors:
        raise ValidationError(errors)
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        municipality=municipality,
        name=name,
        url=url,
        secret=secret,
        event_types=event_types,
        created_by=actor,
    )
    audit_record(
        action="notifications.webhook_create",
        actor=actor,
        municipality=municipality,
        target=endpoint,
        data={"url": url, "events": event_types},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor) -> None:
    _require_administrator(actor, endpoint.municipality)
    audit_record(
        action="notifications.webhook_delete",
        actor=actor,
        municipality=endpoint.municipality,
        target=endpoint,
        data={"url": endpoint.url},
    )
    # Deliveries still waiting for it are dead-lettered by the sender ("endpoint removed").
    endpoint.delete()


# -- the outbox ----------------------------------------------------------------------------


@transaction.atomic
def delivery_retry(*, delivery: Delivery, actor) -> Delivery:
    """Send a dead-lettered delivery again (with the same idempotency key)."""
    _require_administrator(actor, delivery.municipality)
    if delivery.status != Delivery.Status.DEAD:
        raise ValidationError(_("Only failed deliveries can be sent again."))
    delivery.status = Delivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    audit_record(
        action="notifications.delivery_retry",
        actor=actor,
        municipality=delivery.municipality,
        target=delivery,
        data={"channel": delivery.channel},
    )
    notification_id = delivery.notification_id
    transaction.on_commit(lambda: schedule_delivery(notification_id))
    return delivery
