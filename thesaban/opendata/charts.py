"""Charts drawn on the server as SVG, so they show without JavaScript and scale to a phone.

Each chart is a `role="img"` SVG with a title and a description, and every page shows the
same figures in a table next to it. Treemap cells and bars are links for the drill-down.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from thesaban.opendata.formatting import baht_short

PALETTE = ["#1b5e9b", "#2e7d32", "#b35c00", "#6a1b9a", "#00796b", "#ad1457", "#455a64", "#8d6e00"]


@dataclass
class Datum:
    label: str
    value: Decimal
    href: str = ""
    secondary: Decimal | None = None  # e.g. disbursed against planned


def _svg(
    width: int, height: int, title: str, description: str, body: str, chart_id: str
) -> SafeString:
    return format_html(
        '<svg class="od-chart" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-labelledby="{id}-t {id}-d" preserveAspectRatio="xMinYMin meet">'
        '<title id="{id}-t">{t}</title><desc id="{id}-d">{d}</desc>{body}</svg>',
        w=width,
        h=height,
        id=chart_id,
        t=title,
        d=description,
        body=mark_safe(body),  # built below from escaped parts only
    )


def _link(href: str, inner: str, label: str) -> str:
    if not href:
        return inner
    return f'<a href="{escape(href)}" aria-label="{escape(label)}">{inner}</a>'


# -- treemap (squarified, Bruls et al. 2000) ---------------------------------------------------


def _worst(row: list[float], side: float) -> float:
    total = sum(row)
    if not total or not side:
        return float("inf")
    return max(
        max(side * side * r / (total * total), (total * total) / (side * side * r)) for r in row
    )


def _squarify(
    values: list[float], x: float, y: float, w: float, h: float
) -> list[tuple[float, float, float, float]]:
    rects: list[tuple[float, float, float, float]] = []
    remaining = list(values)
    while remaining:
        side = min(w, h)
        row = [remaining.pop(0)]
        while remaining and _worst(row + [remaining[0]], side) <= _worst(row, side):
            row.append(remaining.pop(0))
        total = sum(row)
        if w >= h:  # lay the row down the left side
            column_w = total / h if h else 0
            offset = y
            for value in row:
                cell_h = value / column_w if column_w else 0
                rects.append((x, offset, column_w, cell_h))
                offset += cell_h
            x, w = x + column_w, w - column_w
        else:  # along the top
            row_h = total / w if w else 0
            offset = x
            for value in row:
                cell_w = value / row_h if row_h else 0
                rects.append((offset, y, cell_w, row_h))
                offset += cell_w
            y, h = y + row_h, h - row_h
    return rects


def treemap(
    data: list[Datum], *, title: str, chart_id: str, width: int = 360, height: int = 260
) -> SafeString:
    items = sorted((d for d in data if d.value > 0), key=lambda d: d.value, reverse=True)
    total = float(sum(d.value for d in items)) or 1.0
    area = width * height
    rects = _squarify([float(d.value) / total * area for d in items], 0, 0, width, height)
    parts = []
    for index, (datum, (x, y, w, h)) in enumerate(zip(items, rects, strict=True)):
        share = float(datum.value) / total * 100
        label = f"{datum.label}: {baht_short(datum.value)} ({share:.1f}%)"
        cell = (
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w - 1, 0):.1f}" height="{max(h - 1, 0):.1f}" '
            f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(label)}</title></rect>'
        )
        if w > 70 and h > 30:
            max_chars = max(int(w / 7), 4)
            name = (
                datum.label if len(datum.label) <= max_chars else datum.label[: max_chars - 1] + "…"
            )
            cell += (
                f'<text x="{x + 5:.1f}" y="{y + 15:.1f}" class="od-tm-label">{escape(name)}</text>'
                f'<text x="{x + 5:.1f}" y="{y + 29:.1f}" class="od-tm-value">{escape(baht_short(datum.value))} · {share:.0f}%</text>'
            )
        parts.append(_link(datum.href, cell, label))
    description = "; ".join(f"{d.label}: {baht_short(d.value)}" for d in items)
    return _svg(width, height, title, description, "".join(parts), chart_id)


# -- horizontal bars: planned and disbursed ----------------------------------------------------


def bars(
    data: list[Datum],
    *,
    title: str,
    chart_id: str,
    width: int = 360,
    primary: str = "",
    secondary: str = "",
) -> SafeString:
    """One row per datum: its label, a bar for the value and (darker, inside it) the secondary."""
    row_h, bar_h, label_h = 44, 14, 16
    height = max(len(data) * row_h + 26, 40)
    top = max((d.value for d in data), default=Decimal(0)) or Decimal(1)
    plot = width - 8
    parts = [
        f'<rect x="0" y="2" width="10" height="10" class="od-planned"/>'
        f'<text x="14" y="11" class="od-legend">{escape(primary)}</text>'
    ]
    if secondary:
        parts.append(
            f'<rect x="{width / 2:.0f}" y="2" width="10" height="10" class="od-paid"/>'
            f'<text x="{width / 2 + 14:.0f}" y="11" class="od-legend">{escape(secondary)}</text>'
        )
    for index, datum in enumerate(data):
        y = 26 + index * row_h
        length = float(datum.value / top) * plot
        text = f"{datum.label} — {baht_short(datum.value)}"
        row = (
            f'<text x="0" y="{y + 12}" class="od-bar-label">{escape(_shorten(datum.label, 40))}</text>'
            f'<rect x="0" y="{y + label_h}" width="{max(length, 1):.1f}" height="{bar_h}" class="od-planned"><title>{escape(text)}</title></rect>'
        )
        if datum.secondary is not None:
            paid = float(min(datum.secondary, datum.value) / top) * plot if datum.value else 0
            row += f'<rect x="0" y="{y + label_h + 3}" width="{paid:.1f}" height="{bar_h - 6}" class="od-paid"><title>{escape(secondary)}: {escape(baht_short(datum.secondary))}</title></rect>'
        value_x = min(length + 4, plot - 70)
        row += f'<text x="{value_x:.1f}" y="{y + label_h + 11}" class="od-bar-value">{escape(baht_short(datum.value))}</text>'
        parts.append(_link(datum.href, row, text))
    description = "; ".join(
        f"{d.label}: {baht_short(d.value)}"
        + (f" ({secondary} {baht_short(d.secondary)})" if d.secondary is not None else "")
        for d in data
    )
    return _svg(width, height, title, description, "".join(parts), chart_id)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def columns(
    data: list[Datum],
    *,
    title: str,
    chart_id: str,
    width: int = 360,
    height: int = 200,
    primary: str = "",
    secondary: str = "",
) -> SafeString:
    """Vertical columns, e.g. one per fiscal year (year on year)."""
    if not data:
        return mark_safe("")
    top = max(d.value for d in data) or Decimal(1)
    plot_h = height - 46
    slot = (width - 10) / len(data)
    column_w = min(slot * 0.6, 60)
    parts = [
        f'<rect x="0" y="2" width="10" height="10" class="od-planned"/><text x="14" y="11" class="od-legend">{escape(primary)}</text>'
    ]
    if secondary:
        parts.append(
            f'<rect x="{width / 2:.0f}" y="2" width="10" height="10" class="od-paid"/><text x="{width / 2 + 14:.0f}" y="11" class="od-legend">{escape(secondary)}</text>'
        )
    for index, datum in enumerate(data):
        x = 5 + index * slot + (slot - column_w) / 2
        h = float(datum.value / top) * (plot_h - 14)
        base = 20 + plot_h
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{column_w:.1f}" height="{h:.1f}" class="od-planned"><title>{escape(datum.label)}: {escape(baht_short(datum.value))}</title></rect>'
            f'<text x="{x + column_w / 2:.1f}" y="{base - h - 3:.1f}" text-anchor="middle" class="od-bar-value">{escape(baht_short(datum.value))}</text>'
            f'<text x="{x + column_w / 2:.1f}" y="{base + 16:.1f}" text-anchor="middle" class="od-bar-label">{escape(datum.label)}</text>'
        )
        if datum.secondary is not None:
            paid_h = float(min(datum.secondary, datum.value) / top) * (plot_h - 14)
            parts.append(
                f'<rect x="{x + column_w * 0.2:.1f}" y="{base - paid_h:.1f}" width="{column_w * 0.6:.1f}" height="{paid_h:.1f}" class="od-paid"><title>{escape(secondary)}: {escape(baht_short(datum.secondary))}</title></rect>'
            )
    description = "; ".join(f"{d.label}: {baht_short(d.value)}" for d in data)
    return _svg(width, height, title, description, "".join(parts), chart_id)


def progress_label(value: int) -> str:
    return _("%(percent)s%% done") % {"percent": value}
