"""Reads of the LINE channel. Every query starts from the municipality."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from thesaban.channels.line.models import LineChannel, LineConversation, LineWebhookEvent
from thesaban.reports.models import Category, Report


def line_channel_of(*, municipality) -> LineChannel | None:
    return LineChannel.objects.filter(municipality=municipality).first()


def line_channel_by_municipality_id(*, municipality_id: int) -> LineChannel | None:
    return (
        LineChannel.objects.filter(municipality_id=municipality_id)
        .select_related("municipality")
        .first()
    )


def line_categories(*, municipality) -> list[Category]:
    """The categories offered as quick replies, in the municipality's order."""
    return list(
        Category.objects.filter(municipality=municipality, is_active=True).order_by(
            "order", "name_th", "id"
        )
    )


def line_category(*, municipality, category_id) -> Category | None:
    try:
        return Category.objects.filter(
            municipality=municipality, is_active=True, pk=int(category_id)
        ).first()
    except (TypeError, ValueError):
        return None


def line_category_named(*, municipality, text: str) -> Category | None:
    """A category whose Thai or English name or code is what the resident typed."""
    text = " ".join(text.split())
    if not text or len(text) > 100:
        return None
    return (
        Category.objects.filter(municipality=municipality, is_active=True)
        .filter(Q(name_th__iexact=text) | Q(name_en__iexact=text) | Q(code__iexact=text))
        .order_by("order", "id")
        .first()
    )


def report_for_status(*, municipality, code: str) -> Report | None:
    """A report of this municipality by tracking code (typed in any case)."""
    return (
        Report.objects.filter(municipality=municipality, tracking_code=code.strip().upper())
        .select_related("category", "municipality")
        .first()
    )


def line_channel_stats(*, municipality, days: int = 7) -> dict:
    since = timezone.now() - timedelta(days=days)
    return {
        "days": days,
        "events": LineWebhookEvent.objects.filter(
            municipality=municipality, received_at__gte=since
        ).count(),
        "reports": Report.objects.filter(
            municipality=municipality, channel=Report.Channel.LINE, submitted_at__gte=since
        ).count(),
        "conversations": LineConversation.objects.filter(municipality=municipality)
        .exclude(step=LineConversation.Step.IDLE)
        .filter(updated_at__gte=since)
        .count(),
    }
