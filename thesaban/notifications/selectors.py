"""Reads of notifications; every list starts from the municipality."""

from __future__ import annotations

from django.core import signing
from django.db.models import Count, Prefetch, QuerySet

from thesaban.municipalities.models import Community
from thesaban.notifications import fanout
from thesaban.notifications.models import Announcement, Delivery, Subscription, WebhookEndpoint


def announcement_list(*, municipality) -> QuerySet[Announcement]:
    return Announcement.objects.filter(municipality=municipality).prefetch_related(
        Prefetch("communities", queryset=Community.objects.order_by("name_th"))
    )


def subscription_list_of_user(*, municipality, user) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(municipality=municipality, user=user)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .select_related("community", "category", "report")
    )


def outbox_counts(*, municipality) -> dict[str, int]:
    counts = dict.fromkeys(Delivery.Status.values, 0)
    rows = (
        Delivery.objects.filter(municipality=municipality)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts.update(dict(rows))
    return counts


def delivery_list(*, municipality, status: str | None = None) -> QuerySet[Delivery]:
    deliveries = Delivery.objects.filter(municipality=municipality).select_related("notification")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id")


def webhook_endpoint_list(*, municipality) -> list[WebhookEndpoint]:
    endpoints = list(WebhookEndpoint.objects.filter(municipality=municipality))
    stats: dict[str, dict[str, int]] = {}
    rows = (
        Delivery.objects.filter(
            municipality=municipality,
            channel="webhook",
            address__in=[str(e.pk) for e in endpoints],
        )
        .values_list("address", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for address, status, n in rows:
        stats.setdefault(address, {})[status] = n
    for endpoint in endpoints:
        endpoint.delivery_stats = {
            status: stats.get(str(endpoint.pk), {}).get(status, 0)
            for status in Delivery.Status.values
        }
    return endpoints


def webhook_deliveries(*, municipality, limit: int = 30) -> QuerySet[Delivery]:
    return delivery_list(municipality=municipality).filter(channel="webhook")[:limit]


def _subscription_from_token(*, municipality, token: str, salt: str, max_age=None):
    try:
        if max_age is None:
            value = signing.Signer(salt=salt).unsign(token)
        else:
            value = signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age)
        pk = int(value)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Subscription.objects.select_related("community", "category", "report")
        .filter(municipality=municipality, pk=pk)
        .first()
    )


def subscription_for_unsubscribe_token(*, municipality, token: str) -> Subscription | None:
    return _subscription_from_token(
        municipality=municipality, token=token, salt=fanout.UNSUBSCRIBE_SALT
    )


def subscription_for_confirm_token(*, municipality, token: str) -> Subscription | None:
    return _subscription_from_token(
        municipality=municipality,
        token=token,
        salt=fanout.CONFIRM_SALT,
        max_age=fanout.CONFIRM_MAX_AGE,
    )
