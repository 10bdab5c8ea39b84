"""Live indicators: figures the platform computes from its own data, registered by the apps.

The contract (docs/readiness.md says the same for the apps that plug in):

    from thesaban.readiness.registry import Measurement, live_indicators

    @live_indicators.register(
        "opendata.datasets_published",
        label=_("Open datasets published"),
        formula=_("datasets public on the last day of the period"),
        unit="count",
    )
    def datasets_published(municipality, period_start, period_end):
        ...
        return Measurement(value=12, numerator=12, denominator=None)  # or None: no data

- Call `register` in your AppConfig.ready() (import the module that holds the functions).
- The function gets the Municipality and two `date`s; the period runs from the start of
  `period_start` to the end of `period_end`, in the deployment's time zone.
- It returns a `Measurement` or `None` when the figure cannot be computed (no data in the
  period): the indicator is then shown as "no data" and left out of the scores.
- It only reads, through your app's selectors, for that municipality only, in a fixed number of
  queries (it runs for every member of a network on the comparison page).
- An indicator file (`indicators/v*.json`) names the key as a live indicator's `measure`; until
  an app registers that key, the indicator shows "not available yet".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

UNITS = ("ratio", "hours", "score_1_5", "per_1000", "count")


@dataclass(frozen=True)
class Measurement:
    value: float
    numerator: float | None = None
    denominator: float | None = None
    note: str = ""  # e.g. "42 ratings"

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "note": self.note,
        }


LiveFunction = Callable[[Any, date, date], Measurement | None]


@dataclass(frozen=True)
class LiveIndicator:
    key: str
    label: Any  # lazy translation
    formula: Any  # lazy translation: how the value is computed, in words
    unit: str
    function: LiveFunction


@dataclass
class LiveIndicatorRegistry:
    _entries: dict[str, LiveIndicator] = field(default_factory=dict)

    def register(
        self, key: str, *, label: Any, formula: Any, unit: str
    ) -> Callable[[LiveFunction], LiveFunction]:
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}")

        def decorator(function: LiveFunction) -> LiveFunction:
            self._entries[key] = LiveIndicator(key, label, formula, unit, function)
            return function

        return decorator

    def unregister(self, key: str) -> None:
        self._entries.pop(key, None)

    def get(self, key: str) -> LiveIndicator | None:
        return self._entries.get(key)

    def keys(self) -> list[str]:
        return sorted(self._entries)

    def measure(
        self, key: str, municipality: Any, period_start: date, period_end: date
    ) -> Measurement | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        return entry.function(municipality, period_start, period_end)


live_indicators = LiveIndicatorRegistry()


def period_bounds(period_start: date, period_end: date) -> tuple[datetime, datetime]:
    """[start, end) as aware datetimes: from the start of the first day to the end of the last."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period_start, time.min), tz)
    end = timezone.make_aware(datetime.combine(period_end + timedelta(days=1), time.min), tz)
    return start, end
