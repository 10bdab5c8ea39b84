"""Scores, maturity levels and recommendations: pure functions of a definition and levels.

- An indicator's level is 0–4: chosen on the rubric (self-assessed) or derived from a live
  value by the indicator's four thresholds (the number of thresholds the value reaches).
- An indicator's score is `level × 25` (0, 25, 50, 75, 100).
- A dimension's or a layer's score is the weighted mean of the scores of its indicators that
  have one (unanswered self-assessed indicators and live ones without data are left out).
- The DMI is the plain mean of the four dimension scores (each dimension counts the same,
  whatever its number of indicators); a dimension without any score is left out.
- Maturity levels on 0–100: initial [0, 20), developing [20, 40), defined [40, 60),
  managed [60, 80), optimising [80, 100].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from thesaban.readiness.instrument import DIMENSIONS, LAYERS, Definition, Indicator, Recommendation

# (code, lower bound inclusive, label); the upper bound is the next level's lower bound.
MATURITY_LEVELS: tuple[tuple[str, float, Any], ...] = (
    ("initial", 0.0, _("Initial")),
    ("developing", 20.0, _("Developing")),
    ("defined", 40.0, _("Defined")),
    ("managed", 60.0, _("Managed")),
    ("optimising", 80.0, _("Optimising")),
)
MATURITY_LABELS = {code: label for code, _lower, label in MATURITY_LEVELS}
# Recommendations come from the weakest indicators: those scoring below this...
WEAK_SCORE = 50.0
# ...at most this many of them, weakest first...
WEAKEST_INDICATORS = 6
# ...giving at most this many recommendations.
MAX_RECOMMENDATIONS = 4


def maturity_level(score: float | None) -> str | None:
    if score is None:
        return None
    if not 0 <= score <= 100:
        raise ValueError("a score lies between 0 and 100")
    level = MATURITY_LEVELS[0][0]
    for code, lower, _label in MATURITY_LEVELS:
        if score >= lower:
            level = code
    return level


def live_level(value: float, indicator: Indicator) -> int:
    """The level (0–4) a live value reaches: how many of the four thresholds it meets."""
    if indicator.better == "lower":
        return sum(1 for threshold in indicator.thresholds if value <= threshold)
    return sum(1 for threshold in indicator.thresholds if value >= threshold)


def indicator_score(level: int | None) -> float | None:
    if level is None:
        return None
    if level not in range(5):
        raise ValueError("a level lies between 0 and 4")
    return level * 25.0


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(weight for _score, weight in pairs)
    if not total:
        return None
    return round(sum(score * weight for score, weight in pairs) / total, 1)


@dataclass
class Scores:
    indicators: dict[str, float | None] = field(default_factory=dict)
    dimensions: dict[str, float | None] = field(default_factory=dict)
    layers: dict[str, float | None] = field(default_factory=dict)
    dmi: float | None = None

    @property
    def maturity(self) -> str | None:
        return maturity_level(self.dmi)

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicators": self.indicators,
            "dimensions": self.dimensions,
            "layers": self.layers,
            "dmi": self.dmi,
            "maturity": self.maturity,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scores:
        return cls(
            indicators=dict(data.get("indicators") or {}),
            dimensions=dict(data.get("dimensions") or {}),
            layers=dict(data.get("layers") or {}),
            dmi=data.get("dmi"),
        )


def compute_scores(definition: Definition, levels: Mapping[str, int | None]) -> Scores:
    """Scores of every indicator, dimension, layer and the DMI from the indicators' levels."""
    scores = Scores()
    by_dimension: dict[str, list[tuple[float, float]]] = {key: [] for key in DIMENSIONS}
    by_layer: dict[str, list[tuple[float, float]]] = {key: [] for key in LAYERS}
    for indicator in definition.indicators:
        score = indicator_score(levels.get(indicator.code))
        scores.indicators[indicator.code] = score
        if score is not None:
            by_dimension[indicator.dimension].append((score, indicator.weight))
            by_layer[indicator.layer].append((score, indicator.weight))
    scores.dimensions = {key: _weighted_mean(pairs) for key, pairs in by_dimension.items()}
    scores.layers = {key: _weighted_mean(pairs) for key, pairs in by_layer.items()}
    present = [score for score in scores.dimensions.values() if score is not None]
    scores.dmi = round(sum(present) / len(present), 1) if present else None
    return scores


@dataclass(frozen=True)
class Advice:
    recommendation: Recommendation
    because: tuple[Indicator, ...]  # the weak indicators that call for it, weakest first


def recommend(definition: Definition, scores: Scores) -> list[Advice]:
    """Seed 000's policy proposals chosen by rule from the weakest indicators.

    Indicators scoring below WEAK_SCORE are ranked weakest first (ties: heavier weight first,
    then the order of the indicator set); the WEAKEST_INDICATORS first of them name their
    proposals, which are returned in the order of their weakest indicator, at most
    MAX_RECOMMENDATIONS, each with the indicators that led to it.
    """
    order = {indicator.code: position for position, indicator in enumerate(definition.indicators)}
    weak = sorted(
        (
            indicator
            for indicator in definition.indicators
            if (score := scores.indicators.get(indicator.code)) is not None and score < WEAK_SCORE
        ),
        key=lambda i: (scores.indicators[i.code], -i.weight, order[i.code]),
    )[:WEAKEST_INDICATORS]
    chosen: dict[str, list[Indicator]] = {}
    for indicator in weak:
        chosen.setdefault(indicator.recommendation, []).append(indicator)
    return [
        Advice(definition.recommendations[key], tuple(indicators))
        for key, indicators in list(chosen.items())[:MAX_RECOMMENDATIONS]
    ]
