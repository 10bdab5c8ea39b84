"""Report status changes as ledger records (`report.status`).

A leaf per public status event of a report: its creation (→ submitted) and every change of
status, with the tracking code, the category code and the time. Nothing personal: no names,
contacts, descriptions, addresses, coordinates or notes (a public note is free text and may
name someone), and no staff identity.
"""

from __future__ import annotations

from typing import Any

from thesaban.ledger import services
from thesaban.ledger.registry import record_types

RECORD_TYPE = "report.status"
LEDGERED_KINDS = ("created", "status", "reopened")


def is_ledgered(event) -> bool:
    return event.kind in LEDGERED_KINDS and event.is_public and bool(event.to_status)


def report_status_leaf(event) -> dict[str, Any]:
    report = event.report
    return {
        "record_type": RECORD_TYPE,
        "event_id": event.pk,
        "tracking_code": report.tracking_code,
        # Recorded with the event since issue 3; older events fall back to the report's.
        "category": (event.data or {}).get("category") or report.category.code,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "at": event.created_at,
    }


def report_status_backfill(municipality):
    from thesaban.reports.models import ReportEvent

    return (
        ReportEvent.objects.filter(
            municipality=municipality, kind__in=LEDGERED_KINDS, is_public=True
        )
        .exclude(to_status="")
        .order_by("created_at", "id")
    )


def on_report_event_recorded(sender, *, report, event, **kwargs) -> None:
    """Append the event's leaf in the transaction that recorded it (see reports/signals.py)."""
    if not is_ledgered(event) or services.automatic_appends_paused():
        return
    event.report = report  # the caller's instance: no query for the report and its category
    services.ledger_append(municipality=report.municipality, record_type=RECORD_TYPE, record=event)


def register() -> None:
    from thesaban.reports.models import Report
    from thesaban.reports.signals import report_event_recorded

    record_types.register(
        RECORD_TYPE,
        model="reports.ReportEvent",
        derive_leaf=report_status_leaf,
        select_related=("report__category",),
        backfill=report_status_backfill,
    )
    report_event_recorded.connect(
        on_report_event_recorded, sender=Report, dispatch_uid="ledger.report_status"
    )
