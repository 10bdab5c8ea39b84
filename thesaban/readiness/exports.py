"""Assessment and network exports: CSV (UTF-8 with a byte-order mark, so spreadsheet programs
read Thai) and the assessment report as PDF with the Sarabun font embedded.

The PDF is laid out by WeasyPrint, whose text engine (Pango with HarfBuzz and libthai) shapes
Thai correctly — vowels and tone marks stacked on their consonant — and breaks Thai lines
between words. The font comes from the `fontpkg-sarabun` package (SIL Open Font License), so
nothing depends on the fonts installed on the server.
"""

from __future__ import annotations

import csv
import io
from importlib.resources import files
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.core.dates import format_date
from thesaban.readiness import charts, instrument, scoring
from thesaban.readiness.selectors import AssessmentReport, NetworkComparison


def _number(value: Any, digits: int = 1) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def assessment_csv(report: AssessmentReport) -> bytes:
    a = report.assessment
    rows: list[list[Any]] = [
        [_("Municipality"), a.municipality.name_th, a.municipality.name_en],
        [_("Assessment"), a.title],
        [_("Period"), a.period_start.isoformat(), a.period_end.isoformat()],
        [_("Indicator set version"), a.indicator_set.version],
        [_("Status"), a.get_status_display()],
        [_("DMI score"), _number(report.scores.dmi)],
        [_("Maturity level"), report.maturity_label],
        [],
        [_("Level"), _("Key"), _("Name"), _("Score")],
    ]
    for key, label, score in report.dimensions:
        rows.append([_("Dimension"), key, label, _number(score)])
    for group in report.layers:
        rows.append([_("Layer"), group.key, group.label, _number(group.score)])
    rows += [
        [],
        [
            _("Indicator"),
            _("Layer"),
            _("Dimension"),
            _("Kind"),
            _("Question"),
            _("Level (0–4)"),
            _("Score"),
            _("Live value"),
            _("Numerator"),
            _("Denominator"),
            _("Formula"),
            _("Evidence"),
            _("Evidence link"),
            _("Files"),
        ],
    ]
    language = instrument._language()
    for row in report.rows:
        live = row.live or {}
        rows.append(
            [
                row.indicator.code,
                row.indicator.layer,
                row.indicator.dimension,
                _("live") if row.indicator.is_live else _("self-assessed"),
                row.indicator.question,
                "" if row.level is None else row.level,
                _number(row.score),
                _number(live.get("value"), 3),
                _number(live.get("numerator"), 0),
                _number(live.get("denominator"), 0),
                live.get(f"formula_{language}", "") if row.registered else _("not available yet"),
                row.answer.evidence_text if row.answer else "",
                row.answer.evidence_link if row.answer else "",
                "; ".join(f.name for f in row.answer.files.all()) if row.answer else "",
            ]
        )
    rows += [[], [_("Recommendation"), _("Because of")]]
    for advice in report.advice:
        rows.append([advice.recommendation.title, "; ".join(i.question for i in advice.because)])
    return _csv(rows)


def network_csv(comparison: NetworkComparison) -> bytes:
    header = [
        _("Rank"),
        _("Municipality"),
        _("Province"),
        _("DMI score"),
        _("Maturity level"),
        *[label for _key, label in comparison.dimensions],
        *[str(column.label) for column in comparison.live_columns],
        _("Assessment period end"),
    ]
    rows: list[list[Any]] = [
        [_("Network"), comparison.network.name_th, comparison.network.name_en],
        [
            _("Live indicators period"),
            comparison.period[0].isoformat(),
            comparison.period[1].isoformat(),
        ],
        [_("Members not publishing their results"), comparison.hidden_members],
        [],
        header,
    ]
    for row in comparison.rows:
        rows.append(
            [
                row.rank or "",
                row.municipality.name_th,
                row.municipality.province_th,
                _number(row.dmi),
                row.maturity_label,
                *[_number(row.dimensions[key]) for key, _label in comparison.dimensions],
                *[_number(row.live[column.code], 3) for column in comparison.live_columns],
                row.assessment.period_end.isoformat() if row.assessment else "",
            ]
        )
    rows.append([])
    for name, attribute in (
        (_("Minimum"), "minimum"),
        (_("Median"), "median"),
        (_("Maximum"), "maximum"),
        (_("Mean"), "mean"),
    ):
        rows.append(
            [
                name,
                "",
                "",
                _number(getattr(comparison.dmi_distribution, attribute)),
                "",
                *[
                    _number(getattr(comparison.dimension_distributions[key], attribute))
                    for key, _label in comparison.dimensions
                ],
                *[
                    _number(getattr(column.distribution, attribute), 3)
                    for column in comparison.live_columns
                ],
                "",
            ]
        )
    return _csv(rows)


def font_dir():
    return files("fontpkg_sarabun") / "files"


def assessment_pdf(report: AssessmentReport, *, previous: AssessmentReport | None = None) -> bytes:
    from PIL import ImageFile
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, which would let
    # truncated uploads through reports/photos.py from then on. This PDF holds no raster
    # images, so put Pillow's safe default back.
    ImageFile.LOAD_TRUNCATED_IMAGES = False

    fonts = font_dir()
    font_config = FontConfiguration()
    css = CSS(
        string=f"""
        @font-face {{ font-family: "Sarabun"; font-weight: 400;
                      src: url("{(fonts / "Sarabun-Regular.ttf").as_uri()}"); }}
        @font-face {{ font-family: "Sarabun"; font-weight: 700;
                      src: url("{(fonts / "Sarabun-Bold.ttf").as_uri()}"); }}
        """,
        font_config=font_config,
    )
    html = render_to_string(
        "readiness/assessment_pdf.html",
        {
            "report": report,
            "radar": radar_of(report, previous),
            "generated": format_date(timezone.now()),
            "maturity_levels": maturity_table(),
        },
    )
    return HTML(string=html, base_url=None).write_pdf(stylesheets=[css], font_config=font_config)


def radar_of(report: AssessmentReport, previous: AssessmentReport | None = None) -> charts.Radar:
    labels = [label for _key, label, _score in report.dimensions]
    series = [(report.assessment.title, [s for _k, _l, s in report.dimensions], "current")]
    if previous is not None:
        series.insert(
            0, (previous.assessment.title, [s for _k, _l, s in previous.dimensions], "previous")
        )
    return charts.radar(labels, series)


def maturity_table() -> list[dict[str, Any]]:
    levels = scoring.MATURITY_LEVELS
    return [
        {
            "code": code,
            "label": label,
            "lower": lower,
            "upper": levels[index + 1][1] if index + 1 < len(levels) else 100,
            "last": index + 1 == len(levels),
        }
        for index, (code, lower, label) in enumerate(levels)
    ]
