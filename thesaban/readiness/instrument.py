"""The readiness instrument: the MDT layers, the DMI dimensions and an indicator set's definition.

An indicator set is data: `indicators/v<N>.json` in this folder (see docs/readiness.md for the
format), loaded into the database as an `IndicatorSet` version. An assessment keeps the version
it was made with, so editing the instrument (which always creates a new version) never changes
an old score. This module parses and validates a definition; it never touches the database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

INDICATOR_DIR = Path(__file__).resolve().parent / "indicators"

# The three layers of seed 000's Municipal Digital Transformation (MDT) model.
LAYERS: dict[str, Any] = {
    "governance": _("Governance"),
    "technology": _("Technology"),
    "culture": _("Culture"),
}
# The four dimensions of seed 000's Digital Municipality Index (DMI).
DIMENSIONS: dict[str, Any] = {
    "technology": _("Technology"),
    "participation": _("Citizen participation"),
    "culture": _("Organisational culture"),
    "public_value": _("Public value"),
}
KINDS = ("self", "live")
LEVELS = range(5)  # a 0–4 maturity rubric


def _language() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


@dataclass(frozen=True)
class Indicator:
    code: str
    layer: str
    dimension: str
    kind: str  # "self": assessed by the municipality; "live": measured from platform data
    weight: float
    question_th: str
    question_en: str
    rubric_th: tuple[str, ...]
    rubric_en: tuple[str, ...]
    recommendation: str
    measure: str = ""  # live: the key of a function in readiness.registry.live_indicators
    better: str = "higher"  # live: whether a higher or a lower value is better
    thresholds: tuple[float, ...] = ()  # live: the values that reach levels 1, 2, 3 and 4

    @property
    def is_live(self) -> bool:
        return self.kind == "live"

    @property
    def question(self) -> str:
        return self.question_en if _language() == "en" else self.question_th

    @property
    def rubric(self) -> tuple[str, ...]:
        return self.rubric_en if _language() == "en" else self.rubric_th

    @property
    def layer_label(self) -> str:
        return str(LAYERS[self.layer])

    @property
    def dimension_label(self) -> str:
        return str(DIMENSIONS[self.dimension])


@dataclass(frozen=True)
class Recommendation:
    key: str
    title_th: str
    title_en: str
    body_th: str
    body_en: str

    @property
    def title(self) -> str:
        return self.title_en if _language() == "en" else self.title_th

    @property
    def body(self) -> str:
        return self.body_en if _language() == "en" else self.body_th


@dataclass(frozen=True)
class SurveyItem:
    code: str
    construct: str  # "trust", "satisfaction" or "social_capital"
    text_th: str
    text_en: str

    @property
    def text(self) -> str:
        return self.text_en if _language() == "en" else self.text_th


@dataclass(frozen=True)
class Definition:
    label_th: str
    label_en: str
    indicators: tuple[Indicator, ...]
    recommendations: dict[str, Recommendation]
    survey_items: tuple[SurveyItem, ...]
    scale_th: tuple[str, ...]
    scale_en: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.label_en if _language() == "en" else self.label_th

    def indicator(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise KeyError(code)

    @property
    def scale(self) -> tuple[str, ...]:
        return self.scale_en if _language() == "en" else self.scale_th


def _text(value: Any, where: str, problems: list[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: a non-empty text is required")
        return ""
    return value.strip()


def parse_definition(data: Any) -> Definition:
    """A definition from its JSON form; ValidationError lists every problem at once."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ValidationError(_("The indicator set must be a JSON object."))
    recommendations: dict[str, Recommendation] = {}
    for key, spec in (data.get("recommendations") or {}).items():
        if not isinstance(spec, dict):
            problems.append(f"recommendations.{key}: must be an object")
            continue
        recommendations[key] = Recommendation(
            key=key,
            **{
                name: _text(spec.get(name), f"recommendations.{key}.{name}", problems)
                for name in ("title_th", "title_en", "body_th", "body_en")
            },
        )
    indicators: list[Indicator] = []
    seen: set[str] = set()
    raw_indicators = data.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        problems.append("indicators: a non-empty list is required")
        raw_indicators = []
    for position, spec in enumerate(raw_indicators):
        where = f"indicators[{position}]"
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be an object")
            continue
        code = _text(spec.get("code"), f"{where}.code", problems)
        where = f"indicator {code or position}"
        if code in seen:
            problems.append(f"{where}: the code is used twice")
        seen.add(code)
        layer, dimension, kind = spec.get("layer"), spec.get("dimension"), spec.get("kind", "self")
        if layer not in LAYERS:
            problems.append(f"{where}: layer must be one of {', '.join(LAYERS)}")
        if dimension not in DIMENSIONS:
            problems.append(f"{where}: dimension must be one of {', '.join(DIMENSIONS)}")
        if kind not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        weight = spec.get("weight", 1)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight <= 0:
            problems.append(f"{where}: weight must be a positive number")
            weight = 1
        rubrics = {}
        for language in ("th", "en"):
            rubric = spec.get(f"rubric_{language}")
            if not isinstance(rubric, list) or len(rubric) != len(LEVELS):
                problems.append(f"{where}: rubric_{language} needs one description per level 0–4")
                rubric = [""] * len(LEVELS)
            rubrics[language] = tuple(
                _text(text, f"{where}.rubric_{language}", problems) for text in rubric
            )
        recommendation = spec.get("recommendation", "")
        if recommendation not in recommendations:
            problems.append(f"{where}: recommendation {recommendation!r} is not defined")
        measure, better, thresholds = "", "higher", ()
        if kind == "live":
            measure = _text(spec.get("measure"), f"{where}.measure", problems)
            better = spec.get("better", "higher")
            if better not in ("higher", "lower"):
                problems.append(f"{where}: better must be 'higher' or 'lower'")
            raw = spec.get("thresholds")
            if (
                not isinstance(raw, list)
                or len(raw) != len(LEVELS) - 1
                or not all(isinstance(t, int | float) and not isinstance(t, bool) for t in raw)
            ):
                problems.append(f"{where}: thresholds needs four numbers (levels 1–4)")
            else:
                ordered = sorted(raw) if better == "higher" else sorted(raw, reverse=True)
                if list(raw) != ordered or len(set(raw)) != len(raw):
                    problems.append(
                        f"{where}: thresholds must rise (better: higher) or fall (better: lower)"
                    )
                thresholds = tuple(float(t) for t in raw)
        indicators.append(
            Indicator(
                code=code,
                layer=layer if layer in LAYERS else "governance",
                dimension=dimension if dimension in DIMENSIONS else "technology",
                kind=kind if kind in KINDS else "self",
                weight=float(weight),
                question_th=_text(spec.get("question_th"), f"{where}.question_th", problems),
                question_en=_text(spec.get("question_en"), f"{where}.question_en", problems),
                rubric_th=rubrics["th"],
                rubric_en=rubrics["en"],
                recommendation=recommendation,
                measure=measure,
                better=better,
                thresholds=thresholds,
            )
        )
    survey = data.get("survey") or {}
    items = []
    for position, spec in enumerate(survey.get("items") or []):
        where = f"survey.items[{position}]"
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be an object")
            continue
        construct = spec.get("construct")
        if construct not in ("trust", "satisfaction", "social_capital"):
            problems.append(f"{where}: construct must be trust, satisfaction or social_capital")
        items.append(
            SurveyItem(
                code=_text(spec.get("code"), f"{where}.code", problems),
                construct=construct or "",
                text_th=_text(spec.get("text_th"), f"{where}.text_th", problems),
                text_en=_text(spec.get("text_en"), f"{where}.text_en", problems),
            )
        )
    scales = {}
    for language in ("th", "en"):
        scale = survey.get(f"scale_{language}") or []
        if items and (not isinstance(scale, list) or len(scale) != 5):
            problems.append(f"survey.scale_{language}: five answer labels (1–5) are required")
            scale = [""] * 5
        scales[language] = tuple(str(s) for s in scale)
    label_th = _text(data.get("label_th"), "label_th", problems)
    label_en = _text(data.get("label_en"), "label_en", problems)
    if problems:
        raise ValidationError(
            _("The indicator set is not valid: %(problems)s"),
            params={"problems": "; ".join(problems[:20])},
        )
    return Definition(
        label_th=label_th,
        label_en=label_en,
        indicators=tuple(indicators),
        recommendations=recommendations,
        survey_items=tuple(items),
        scale_th=scales["th"],
        scale_en=scales["en"],
    )


def checksum(data: Any) -> str:
    """A stable fingerprint of a definition: the same content always gives the same value."""
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def definition_files() -> list[tuple[str, dict[str, Any]]]:
    """The indicator sets shipped with the project, oldest first: (file name, content)."""
    files = sorted(INDICATOR_DIR.glob("v*.json"), key=lambda p: int(p.stem[1:] or 0))
    return [(path.name, json.loads(path.read_text(encoding="utf-8"))) for path in files]
