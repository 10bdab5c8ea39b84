"""The staff back office: triage queue, one report, dashboard.

The tenancy middleware has already set `request.municipality` and refused anyone who is not
staff of it. Each view then: fetches through `reports/access.py`, checks the action's rule
(`reports/rules.py`), calls one service or selector, and renders or redirects. Services raise
ValidationError (shown on the form, status 200) or PermissionDenied (403).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from thesaban.core.dates import format_month
from thesaban.core.forms import apply_validation_error
from thesaban.core.templatetags.thesaban import localized
from thesaban.reports import selectors, services
from thesaban.reports.access import access_report, access_report_by_id
from thesaban.reports.models import Report, ReportEvent
from thesaban.reports.questions import answered
from thesaban.reports.registry import duplicate_finder, queue_notes, report_panels
from thesaban.reports.staff_forms import (
    AssignForm,
    BulkActionForm,
    MergeForm,
    NoteForm,
    QueueFilterForm,
    RecategoriseForm,
    TransitionForm,
)
from thesaban.reports.workflow import OPEN_STATUSES, Actor, Status, transitions_from

QUEUE_PAGE_SIZE = 50
DASHBOARD_MONTHS = 12
DUPLICATE_CANDIDATES = 5


def _may(request: HttpRequest, permission: str, obj: Any) -> bool:
    """The rule alone (reports/rules.py), without Django's blanket "superusers may do
    anything": in the back office everyone acts by the role they hold in this municipality,
    exactly as the services check it."""
    return rules.has_perm(permission, request.user, obj)


def _require(request: HttpRequest, permission: str, obj: Any) -> None:
    if not _may(request, permission, obj):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _report_url(request: HttpRequest, report: Report) -> str:
    return reverse(
        "staff:report",
        kwargs={"municipality": request.municipality.slug, "code": report.tracking_code},
    )


def _queue_url(request: HttpRequest) -> str:
    return reverse("staff:queue", kwargs={"municipality": request.municipality.slug})


def _safe_next(request: HttpRequest, target: str | None, fallback: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- Triage queue -------------------------------------------------------------------------


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "reports.view_queue", municipality)
    filter_form = QueueFilterForm(
        request.GET, municipality=municipality, staff_role=request.staff_role
    )
    scope = filter_form.scope()
    reports = selectors.triage_queue(
        municipality=municipality,
        department_id=scope.department_id,
        include_unassigned=scope.include_unassigned,
        filters=scope.filters,
    )
    page = Paginator(reports, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    notes = queue_notes.notes_for(municipality, list(page.object_list))
    for report in page.object_list:
        report.queue_notes = notes.get(report.pk, [])
    bulk_form = None
    if _may(request, "reports.bulk_action", municipality):
        bulk_form = BulkActionForm(
            municipality=municipality, initial={"next": request.get_full_path()}
        )
    return render(
        request,
        "staff/queue.html",
        {
            "staff_section": "queue",
            "filter_form": filter_form,
            "scope_label": filter_form.scope_label,
            "page": page,
            "bulk_form": bulk_form,
            "now": timezone.now(),
        },
    )


@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "reports.bulk_action", municipality)
    form = BulkActionForm(request.POST, municipality=municipality)
    back = _safe_next(request, request.POST.get("next"), _queue_url(request))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)

    permitted: list[int] = []
    refusals: list[str] = []
    for report_id in form.cleaned_data["reports"]:
        try:
            report = access_report_by_id(municipality=municipality, report_id=report_id)
        except Http404:
            refusals.append(_("Report #%(id)s does not exist here.") % {"id": report_id})
            continue
        if not _may(request, "reports.change_report", report):
            refusals.append(
                _("%(code)s: your role does not allow changing this report.")
                % {"code": report.tracking_code}
            )
            continue
        permitted.append(report.pk)

    changed, errors = 0, []
    if permitted:
        changed, errors = services.report_bulk_action(
            municipality=municipality,
            actor=request.user,
            report_ids=permitted,
            to_status=form.to_status,
            department=form.target_department,
            public_note=form.cleaned_data["public_note"],
        )
    level = messages.SUCCESS if changed else messages.WARNING
    messages.add_message(
        request,
        level,
        ngettext("%(count)d report changed.", "%(count)d reports changed.", changed)
        % {"count": changed},
    )
    for refusal in refusals + errors:
        messages.error(request, _("Not changed: %(reason)s") % {"reason": refusal})
    return redirect(back)


# --- One report ---------------------------------------------------------------------------


def _describe_events(
    events: list[ReportEvent], assign_form: AssignForm, category_form: RecategoriseForm
) -> list[ReportEvent]:
    """Name the department and officer of assignment events and the categories of category
    changes (their data holds only ids and codes)."""
    departments = {d.pk: d for d in assign_form.fields["department"].queryset}
    officers = {key: label for key, label in assign_form.fields["officer"].choices if key}
    categories = {c.code: c for c in category_form.fields["category"].queryset}
    for event in events:
        data = event.data or {}
        if event.kind == ReportEvent.Kind.ASSIGNED:
            event.assigned_department = departments.get(data.get("department"))
            event.assigned_officer = officers.get(data.get("officer"), "")
        elif event.kind == ReportEvent.Kind.CATEGORY:
            event.category_from = categories.get(data.get("from"))
            event.category_to = categories.get(data.get("to"))
    return events


def _detail_page(
    request: HttpRequest,
    report: Report,
    *,
    transition_form: TransitionForm | None = None,
    assign_form: AssignForm | None = None,
    note_form: NoteForm | None = None,
    merge_form: MergeForm | None = None,
    category_form: RecategoriseForm | None = None,
) -> HttpResponse:
    municipality = request.municipality
    may_change = _may(request, "reports.change_report", report)
    may_assign = _may(request, "reports.assign_report", report)
    may_merge = _may(request, "reports.merge_report", report) and report.status in OPEN_STATUSES
    assign_form = assign_form or AssignForm(
        municipality=municipality,
        initial={"department": report.department_id, "officer": report.assigned_to_id},
    )
    category_form = category_form or RecategoriseForm(
        municipality=municipality, initial={"category": report.category_id}
    )
    candidates = []
    if may_merge and report.lat is not None and report.lng is not None:
        # Ranked by whichever finder is installed (insight's detector): suggestions only, the
        # officer decides whether to merge.
        candidates = [
            SimpleNamespace(
                candidate=found,
                report=found.report,
                percent=round(found.score * 100),
                reason=" · ".join(
                    selectors.duplicate_reasons(found, category_id=report.category_id)
                ),
            )
            for found in duplicate_finder.find(
                municipality=municipality,
                category=report.category,
                lat=report.lat,
                lng=report.lng,
                text=report.description,
                when=report.submitted_at,
                exclude_id=report.pk,
                limit=DUPLICATE_CANDIDATES,
            )
        ]
    events = list(selectors.report_timeline(report=report, include_internal=True))
    photos = list(report.photos.all())
    context = {
        "staff_section": "queue",
        "report": report,
        "timeline": _describe_events(events, assign_form, category_form),
        "answers": answered(report.category.questions or [], report.answers or {}),
        "resident_photos": [p for p in photos if not p.by_staff],
        "staff_photos": [p for p in photos if p.by_staff],
        "comments": report.comments.select_related("author"),
        "merged_here": report.duplicates.order_by("submitted_at").only("tracking_code"),
        "followers": report.followers.count(),
        "may_change": may_change,
        "may_assign": may_assign,
        "may_merge": may_merge,
        "may_see_contact": _may(request, "reports.view_reporter_contact", report),
        "transitions": transitions_from(report.status, Actor.STAFF) if may_change else [],
        "transition_form": transition_form or TransitionForm(),
        "assign_form": assign_form,
        "note_form": note_form or NoteForm(),
        "merge_form": merge_form or MergeForm(),
        "category_form": category_form,
        "report_panels": _report_panels(request, report),
        "duplicate_candidates": candidates,
        "now": timezone.now(),
    }
    return render(request, "staff/report.html", context)


def _report_panels(request: HttpRequest, report: Report) -> list[dict]:
    """Panels other apps add to this page (reports/registry.py), e.g. insight's suggestion."""
    shown = []
    for panel in report_panels.all():
        context = panel.context(request, report)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown


def _staff_report(request: HttpRequest, code: str) -> Report:
    return access_report(municipality=request.municipality, code=code, public=False)


@require_GET
def report_detail(request: HttpRequest, code: str) -> HttpResponse:
    report = _staff_report(request, code)
    _require(request, "reports.view_queue", report)
    return _detail_page(request, report)


@require_POST
def report_transition(request: HttpRequest, code: str) -> HttpResponse:
    report = _staff_report(request, code)
    _require(request, "reports.change_report", report)
    form = TransitionForm(request.POST, request.FILES)
    if form.is_valid():
        target = form.cleaned_data["to_status"]
        try:
            services.report_transition(
                report=report,
                actor=request.user,
                to_status=target,
                public_note=form.cleaned_data["public_note"],
                internal_note=form.cleaned_data["internal_note"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request, _("The report is now “%(status)s”.") % {"status": Status(target).label}
            )
            return redirect(_report_url(request, report))
    return _detail_page(request, report, transition_form=form)


@require_POST
def report_assign(request: HttpRequest, code: str) -> HttpResponse:
    report = _staff_report(request, code)
    _require(request, "reports.assign_report", report)
    form = AssignForm(request.POST, municipality=request.municipality)
    if form.is_valid():
        try:
            services.report_assign(
                report=report,
                actor=request.user,
                department=form.cleaned_data["department"],
                officer=form.cleaned_data["officer"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The assignment is saved."))
            return redirect(_report_url(request, report))
    return _detail_page(request, report, assign_form=form)


@require_POST
def report_note(request: HttpRequest, code: str) -> HttpResponse:
    report = _staff_report(request, code)
    _require(request, "reports.change_report", report)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.report_note_add(
                report=report,
                actor=request.user,
                note=form.cleaned_data["note"],
                is_public=form.is_public,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if form.is_public:
                messages.success(request, _("Your public reply is published."))
            else:
                messages.success(request, _("Your internal note is saved."))
            return redirect(_report_url(request, report))
    return _detail_page(request, report, note_form=form)


@require_POST
def report_recategorise(request: HttpRequest, code: str) -> HttpResponse:
    report = _staff_report(request, code)
    _require(request, "reports.change_report", report)
    form = RecategoriseForm(request.POST, municipality=request.municipality)
    if form.is_valid():
        try:
            report = services.report_recategorise(
                report=report,
                actor=request.user,
                category=form.cleaned_data["category"],
                reroute=form.cleaned_data["reroute"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The category is changed."))
            return redirect(_report_url(request, report))
    return _detail_page(request, report, category_form=form)


@require_POST
def report_merge(request: HttpRequest, code: str) -> HttpResponse:
    report = _staff_report(request, code)
    _require(request, "reports.merge_report", report)
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            into = access_report(
                municipality=request.municipality, code=form.cleaned_data["into"], public=False
            )
        except Http404:
            form.add_error("into", _("There is no report with this tracking code here."))
        else:
            try:
                into = services.report_merge(
                    duplicate=report,
                    into=into,
                    actor=request.user,
                    public_note=form.cleaned_data["public_note"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(duplicate)s was merged into %(kept)s.")
                    % {"duplicate": report.tracking_code, "kept": into.tracking_code},
                )
                return redirect(_report_url(request, into))
    return _detail_page(request, report, merge_form=form)


# --- Dashboard ------------------------------------------------------------------------------
# Charts are inline SVG drawn here on the server, so they need no JavaScript; each comes with
# a data table holding the same figures for screen readers and for reading exact values.


@dataclass
class Series:
    key: str
    label: str
    css: str


@dataclass
class Chart:
    title: str
    description: str
    width: int
    height: int
    series: list[Series]
    plot_left: int = 0
    plot_right: int = 0
    plot_top: int = 0
    baseline: int = 0
    ticks: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    points: list[dict] = field(default_factory=list)


def _axis(maximum: float, *, tick_count: int = 4) -> tuple[float, list[float]]:
    """A whole-number axis from 0 with 1-2-5 steps that covers `maximum`."""
    raw = max(maximum, 1) / tick_count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, math.ceil(step))
    top = step * max(1, math.ceil(maximum / step))
    return top, [step * i for i in range(int(top // step) + 1)]


def _n(value: float) -> str:
    """An SVG coordinate: never localised (a Thai or English locale must not change it)."""
    return f"{value:.1f}"


def _split_label(label: str) -> list[str]:
    """`ม.ค. 2569` on two lines under a bar group: month, then year."""
    head, _sep, tail = label.rpartition(" ")
    return [head, tail] if head else [label]


PLOT_TOP = 16
PLOT_HEIGHT = 170
PLOT_LEFT = 44


def _grouped_bar_chart(
    rows: list[dict], series: list[Series], *, title: str, description: str
) -> Chart:
    bar_width, bar_gap, group_gap = 12, 2, 16
    group_width = len(series) * bar_width + (len(series) - 1) * bar_gap
    width = PLOT_LEFT + len(rows) * (group_width + group_gap) + group_gap
    baseline = PLOT_TOP + PLOT_HEIGHT
    chart = Chart(
        title=title,
        description=description,
        width=max(width, 240),
        height=baseline + 40,
        series=series,
        plot_left=PLOT_LEFT,
        plot_right=max(width, 240),
        plot_top=PLOT_TOP,
        baseline=baseline,
    )
    top, ticks = _axis(max([row[s.key] for row in rows for s in series] or [0]))
    chart.ticks = [{"y": _n(baseline - PLOT_HEIGHT * t / top), "label": t} for t in ticks]
    for index, row in enumerate(rows):
        x0 = PLOT_LEFT + group_gap + index * (group_width + group_gap)
        for position, serie in enumerate(series):
            value = row[serie.key]
            height = PLOT_HEIGHT * value / top
            chart.bars.append(
                {
                    "x": _n(x0 + position * (bar_width + bar_gap)),
                    "y": _n(baseline - height),
                    "width": _n(bar_width),
                    "height": _n(height),
                    "css": serie.css,
                    "title": f"{row['label']} – {serie.label}: {value}",
                }
            )
        chart.labels.append({"x": _n(x0 + group_width / 2), "lines": _split_label(row["label"])})
    return chart


def _line_chart(
    rows: list[dict], serie: Series, *, title: str, description: str, unit: str = "%"
) -> Chart:
    """A 0-100 line; months without a value break the line rather than draw through zero."""
    step = 44
    width = PLOT_LEFT + max(len(rows), 1) * step + 16
    baseline = PLOT_TOP + PLOT_HEIGHT
    chart = Chart(
        title=title,
        description=description,
        width=max(width, 240),
        height=baseline + 40,
        series=[serie],
        plot_left=PLOT_LEFT,
        plot_right=max(width, 240),
        plot_top=PLOT_TOP,
        baseline=baseline,
    )
    chart.ticks = [
        {"y": _n(baseline - PLOT_HEIGHT * t / 100), "label": f"{t}{unit}"}
        for t in range(0, 101, 25)
    ]
    segment: list[str] = []
    for index, row in enumerate(rows):
        x = PLOT_LEFT + step / 2 + index * step + 8
        chart.labels.append({"x": _n(x), "lines": _split_label(row["label"])})
        value = row[serie.key]
        if value is None:
            if segment:
                chart.lines.append(" ".join(segment))
            segment = []
            continue
        y = baseline - PLOT_HEIGHT * value / 100
        segment.append(f"{_n(x)},{_n(y)}")
        chart.points.append(
            {"x": _n(x), "y": _n(y), "title": f"{row['label']} – {serie.label}: {value:.0f}{unit}"}
        )
    if segment:
        chart.lines.append(" ".join(segment))
    return chart


def _stacked_bar_chart(
    rows: list[dict], series: list[Series], *, title: str, description: str
) -> Chart:
    """Horizontal bars, one per row, the label above its bar (long Thai names fit on phones)."""
    width, left, right, row_height, bar_height = 480, 8, 440, 46, 18
    chart = Chart(
        title=title,
        description=description,
        width=width,
        height=max(len(rows), 1) * row_height + 12,
        series=series,
        plot_left=left,
        plot_right=right,
    )
    top, _ticks = _axis(max([row["total"] for row in rows] or [0]))
    for index, row in enumerate(rows):
        y_label = 8 + index * row_height + 12
        y_bar = y_label + 6
        chart.labels.append(
            {"x": _n(left), "y": _n(y_label), "text": f"{row['label']} ({row['total']})"}
        )
        x = left
        for serie, value in zip(series, row["counts"], strict=True):
            if not value:
                continue
            bar = (right - left) * value / top
            chart.bars.append(
                {
                    "x": _n(x),
                    "y": _n(y_bar),
                    "width": _n(bar),
                    "height": _n(bar_height),
                    "css": serie.css,
                    "title": f"{row['label']} – {serie.label}: {value}",
                }
            )
            x += bar
    return chart


def _month_key(value) -> tuple[int, int] | None:
    if value is None:
        return None
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.year, value.month


def _monthly_rows(monthly: list[dict], *, months: int = DASHBOARD_MONTHS) -> list[dict]:
    """The last `months` months that have data, with empty months in between filled with 0."""
    counts = {}
    for row in monthly:
        key = _month_key(row["month"])
        if key is not None:
            counts[key] = row
    if not counts:
        return []
    first, last = min(counts), max(counts)
    keys = []
    year, month = last
    for _i in range(months):
        keys.append((year, month))
        if (year, month) == first:
            break
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    rows = []
    for year, month in reversed(keys):
        row = counts.get((year, month), {})
        resolved = row.get("resolved", 0)
        within = row.get("within_sla", 0)
        rows.append(
            {
                "label": format_month(year, month),
                "submitted": row.get("submitted", 0),
                "resolved": resolved,
                "within_sla": within,
                "compliance": (100.0 * within / resolved) if resolved else None,
            }
        )
    return rows


def _department_rows(by_department_status: list[dict]) -> tuple[list[dict], list[int]]:
    statuses = [Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS]
    table: dict[tuple, dict] = {}
    for item in by_department_status:
        key = (item["department__name_th"], item["department__name_en"])
        if key not in table:
            department = None
            if key[0] is not None:
                department = SimpleNamespace(name_th=key[0], name_en=key[1])
            table[key] = {"department": department, "counts": [0] * len(statuses)}
        if item["status"] in statuses:
            table[key]["counts"][statuses.index(item["status"])] += item["n"]
    rows = sorted(table.values(), key=lambda r: (r["department"] is None, -sum(r["counts"])))
    for row in rows:
        row["total"] = sum(row["counts"])
    totals = [sum(row["counts"][i] for row in rows) for i in range(len(statuses))]
    return rows, totals + [sum(totals)]


def _duration(hours: float | None) -> str:
    if hours is None:
        return "—"
    if hours < 48:
        return _("%(hours)s hours") % {"hours": f"{hours:.1f}"}
    return _("%(days)s days") % {"days": f"{hours / 24:.1f}"}


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "reports.view_dashboard", municipality)
    stats = selectors.dashboard_stats(municipality=municipality)
    department_rows, department_totals = _department_rows(stats["by_department_status"])
    months = _monthly_rows(stats["monthly"])
    status_series = [
        Series(Status.SUBMITTED, str(Status.SUBMITTED.label), "s1"),
        Series(Status.ACCEPTED, str(Status.ACCEPTED.label), "s2"),
        Series(Status.IN_PROGRESS, str(Status.IN_PROGRESS.label), "s3"),
    ]
    department_chart = _stacked_bar_chart(
        [
            {
                "label": localized(row["department"]) if row["department"] else _("Unassigned"),
                "counts": row["counts"],
                "total": row["total"],
            }
            for row in department_rows
        ],
        status_series,
        title=_("Open reports by department"),
        description=_("One bar per department, divided by status; the table has the figures."),
    )
    month_series = [
        Series("submitted", _("Submitted"), "s1"),
        Series("resolved", _("Resolved"), "s4"),
        Series("within_sla", _("Resolved within SLA"), "s2"),
    ]
    trend_chart = _grouped_bar_chart(
        months,
        month_series,
        title=_("Reports per month"),
        description=_(
            "Reports submitted each month, how many of them are resolved and how many were "
            "resolved within the SLA; the table has the figures."
        ),
    )
    compliance_chart = _line_chart(
        months,
        Series("compliance", _("SLA compliance"), "s4"),
        title=_("SLA compliance per month"),
        description=_(
            "Share of the month's resolved reports that were resolved within the SLA; "
            "the table has the figures."
        ),
    )
    compliance = stats["sla_compliance"]
    return render(
        request,
        "staff/dashboard.html",
        {
            "staff_section": "dashboard",
            "stats": stats,
            "sla_compliance_percent": None if compliance is None else round(100 * compliance),
            "median_resolution": _duration(stats["median_hours_to_resolution"]),
            "satisfaction": stats["satisfaction"],
            "department_rows": department_rows,
            "department_totals": department_totals,
            "department_statuses": status_series,
            "department_chart": department_chart,
            "months": months,
            "trend_chart": trend_chart,
            "compliance_chart": compliance_chart,
        },
    )
