"""Charts drawn on the server as inline SVG, so they show without JavaScript (and in the PDF).
Every chart is paired with a table in the templates for screen readers and for reading values."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def _fmt(value: float) -> str:
    return f"{value:.1f}"


@dataclass
class RadarSeries:
    label: str
    points: str  # "x,y x,y ..." for <polygon>
    dots: list[tuple[str, str, str]]  # (x, y, title)
    css: str


@dataclass
class Radar:
    width: int
    height: int
    cx: float
    cy: float
    rings: list[tuple[str, str]] = field(default_factory=list)  # (polygon points, label)
    ring_labels: list[tuple[str, str, str]] = field(default_factory=list)  # (x, y, text)
    axes: list[tuple[str, str]] = field(default_factory=list)  # (x2, y2)
    labels: list[dict] = field(default_factory=list)
    series: list[RadarSeries] = field(default_factory=list)


def radar(
    axes: list[str],
    series: list[tuple[str, list[float | None], str]],
    *,
    width: int = 420,
    height: int = 290,
    radius: float = 100.0,
) -> Radar:
    """A radar (spider) chart on 0–100 for a few axes; a missing value is drawn at 0."""
    cx, cy = width / 2, height / 2 + 4
    count = len(axes)

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * max(0.0, min(value, 100.0)) / 100
        return cx + distance * math.cos(angle), cy + distance * math.sin(angle)

    chart = Radar(width=width, height=height, cx=cx, cy=cy)
    for ring in (20, 40, 60, 80, 100):
        corners = [point(i, ring) for i in range(count)]
        chart.rings.append((" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in corners), str(ring)))
        x, y = point(0, ring)
        chart.ring_labels.append((_fmt(x + 4), _fmt(y + 3), str(ring)))
    for index, label in enumerate(axes):
        x, y = point(index, 100)
        chart.axes.append((_fmt(x), _fmt(y)))
        lx, ly = point(index, 118)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        chart.labels.append(
            {
                "x": _fmt(lx),
                "y": _fmt(ly + (4 if ly >= cy - 1 else -8)),
                "anchor": anchor,
                "text": label,
            }
        )
    for name, values, css in series:
        corners = [point(i, v or 0.0) for i, v in enumerate(values)]
        chart.series.append(
            RadarSeries(
                label=name,
                points=" ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in corners),
                dots=[
                    (_fmt(x), _fmt(y), f"{axes[i]}: {'—' if v is None else _fmt(v)}")
                    for i, ((x, y), v) in enumerate(zip(corners, values, strict=True))
                ],
                css=css,
            )
        )
    return chart


@dataclass
class Trend:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    ticks: list[tuple[str, str]]  # (y, label)
    line: str
    points: list[dict]
    bands: list[tuple[str, str, str]]  # maturity boundaries: (y, label, css)


def trend(entries: list[tuple[str, float | None]], *, width: int = 340, height: int = 220) -> Trend:
    """DMI over successive assessments, with the maturity boundaries as guide lines."""
    left, right, top, bottom = 34, width - 12, 12, height - 40
    span = max(1, len(entries) - 1)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / 100

    points = []
    for index, (label, value) in enumerate(entries):
        x = left + (right - left) * (index / span if len(entries) > 1 else 0.5)
        if value is None:
            continue
        points.append({"x": _fmt(x), "y": _fmt(y_of(value)), "label": label, "value": _fmt(value)})
    return Trend(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        ticks=[(_fmt(y_of(v)), str(v)) for v in (0, 20, 40, 60, 80, 100)],
        line=" ".join(f"{p['x']},{p['y']}" for p in points),
        points=points,
        bands=[],
    )
