"""Extension points of reporting that other apps fill in from their AppConfig.ready(), so the
reports app never names them.

- `report_panels.register(ReportPanel(key, template, context, order))` adds a panel to the staff
  page of a report (insight's category suggestion, for example). `context(request, report)`
  returns the template's context, or None to show nothing for this report.
- `queue_notes.register(key, notes)` adds short notes under a report's category in the triage
  queue: `notes(municipality, reports)` gets one page of reports and returns
  `{report_id: [QueueNote, ...]}` with one query, not one per report.
- `duplicate_finder.use(finder)` replaces how possible duplicates are found (the report form,
  triage and merging all ask through `duplicate_finder.find(...)`). A finder is called with
  keyword arguments `municipality, category, lat, lng, text, when, exclude_id, limit` and
  returns a list of `DuplicateCandidate`, best first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ReportPanel:
    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


@dataclass
class ReportPanelRegistry:
    _panels: dict[str, ReportPanel] = field(default_factory=dict)

    def register(self, panel: ReportPanel) -> None:
        self._panels[panel.key] = panel

    def all(self) -> list[ReportPanel]:
        return sorted(self._panels.values(), key=lambda panel: (panel.order, panel.key))


report_panels = ReportPanelRegistry()


@dataclass(frozen=True)
class QueueNote:
    text: str  # already translated
    css: str = ""  # a class for the badge
    title: str = ""  # the longer explanation, shown on hover and read by screen readers


@dataclass
class QueueNoteRegistry:
    _providers: dict[str, Callable[[Any, list[Any]], dict[int, list[QueueNote]]]] = field(
        default_factory=dict
    )

    def register(self, key: str, notes: Callable[[Any, list[Any]], dict[int, list[QueueNote]]]):
        self._providers[key] = notes

    def notes_for(self, municipality: Any, reports: list[Any]) -> dict[int, list[QueueNote]]:
        found: dict[int, list[QueueNote]] = {}
        for key in sorted(self._providers):
            for report_id, notes in self._providers[key](municipality, reports).items():
                found.setdefault(report_id, []).extend(notes)
        return found


queue_notes = QueueNoteRegistry()


@dataclass(frozen=True)
class DuplicateCandidate:
    """A report that may describe the same problem, with why: the overall score in [0, 1] and
    the parts it was made of (text similarity, distance in metres, hours apart)."""

    report: Any
    score: float
    distance_m: float
    hours_apart: float
    text_similarity: float | None = None


@dataclass
class DuplicateFinderSlot:
    _finder: Callable[..., list[DuplicateCandidate]] | None = None

    def use(self, finder: Callable[..., list[DuplicateCandidate]]) -> None:
        self._finder = finder

    def find(self, **kwargs: Any) -> list[DuplicateCandidate]:
        if self._finder is None:
            from thesaban.reports.selectors import geographic_duplicates

            return geographic_duplicates(**kwargs)
        return self._finder(**kwargs)


duplicate_finder = DuplicateFinderSlot()
