"""Background work of the category suggester, and the report-event receiver that schedules it.

A new report gets its suggestion in a task after its transaction commits, so a slow model
never holds up reporting (and a failing one never breaks it). Training runs in a task that
writes its progress to the model's row.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def suggest_category(report_id: int) -> None:
    from thesaban.insight.services import suggestion_refresh
    from thesaban.reports.models import Report

    report = (
        Report.objects.select_related("municipality", "community", "category")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        return
    try:
        suggestion_refresh(report=report)
    except Exception:  # a suggestion is a convenience: log it, the report stands
        logger.exception("suggesting a category for report %s failed", report_id)


@task()
def train_categoriser(model_id: int) -> None:
    from thesaban.insight.services import categoriser_train_run

    categoriser_train_run(model_id=model_id)


def _schedule_suggestion(report_id: int) -> None:
    try:
        suggest_category.enqueue(report_id)
    except Exception:
        logger.exception("could not enqueue the category suggestion of report %s", report_id)


def on_report_event_recorded(sender, *, report, event, **kwargs) -> None:
    """A new report: suggest its category after commit. A category change by staff: record
    it on the report's suggestion (same transaction), so it becomes training data."""
    from thesaban.reports.models import ReportEvent

    if event.kind == ReportEvent.Kind.CREATED:
        report_id = report.pk
        transaction.on_commit(lambda: _schedule_suggestion(report_id), robust=True)
    elif event.kind == ReportEvent.Kind.CATEGORY:
        from thesaban.insight.services import suggestion_record_decision

        suggestion_record_decision(report=report, actor=event.actor)
