"""The category suggestion on a report's staff page (reports' `report_panels`)."""

from __future__ import annotations

import logging

import rules

from thesaban.insight import services
from thesaban.insight.access import access_suggestion

logger = logging.getLogger(__name__)
REASONS_SHOWN = 6


def category_suggestion(request, report) -> dict | None:
    """The panel's context: the suggestion (made now if the report has none yet, or remade
    when a newer model serves and nobody decided yet), or `unavailable` before any model
    exists. Never trains and never changes the report."""
    user = request.user
    if not rules.has_perm("insight.view_suggestion", user, report):
        return None
    suggestion = access_suggestion(report=report)
    if suggestion is None or suggestion.is_pending:
        try:
            suggestion = services.suggestion_refresh(report=report) or suggestion
        except Exception:  # a broken model must not break the report page
            logger.exception("category suggestion for report %s failed", report.pk)
    if suggestion is None:
        return {"unavailable": True}
    reasons = [
        {"word": word, "weight": weight}
        for word, weight in (suggestion.reasons or [])[:REASONS_SHOWN]
        if weight > 0
    ]
    return {
        "unavailable": False,
        "suggestion": suggestion,
        "percent": round(100 * suggestion.probability),
        "top": [
            {**entry, "percent": round(100 * entry.get("probability", 0))}
            for entry in suggestion.top or []
        ],
        "reasons": reasons,
        "matches_current": suggestion.category_id == report.category_id,
        "may_decide": rules.has_perm("insight.decide_suggestion", user, report),
        "model": suggestion.model,
    }


def queue_suggestion_notes(municipality, reports) -> dict[int, list]:
    """One note per report on a page of the triage queue whose pending suggestion names another
    category than the report's: staff see where a second look may pay, nothing more."""
    from django.utils.translation import gettext as _

    from thesaban.core.templatetags.thesaban import localized
    from thesaban.insight.selectors import pending_suggestions_for
    from thesaban.reports.registry import QueueNote

    notes: dict[int, list] = {}
    by_id = {report.pk: report for report in reports}
    for suggestion in pending_suggestions_for(municipality=municipality, report_ids=list(by_id)):
        report = by_id[suggestion.report_id]
        if suggestion.category_id is None or suggestion.category_id == report.category_id:
            continue
        percent = round(100 * suggestion.probability)
        name = localized(suggestion.category)
        notes[report.pk] = [
            QueueNote(
                text=_("Suggestion: %(category)s %(percent)s%%")
                % {"category": name, "percent": percent},
                css="suggestion",
                title=_(
                    "The category model suggests “%(category)s” (%(percent)s%%); a person decides."
                )
                % {"category": name, "percent": percent},
            )
        ]
    return notes
