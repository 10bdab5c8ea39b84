"""Every read of reports. List queries start from the municipality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Avg,
    Count,
    F,
    FloatField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Floor, Least, Ln, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thesaban.core.db import EpochSeconds
from thesaban.municipalities import geo
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Category, Report, ReportEvent, ReportFollower
from thesaban.reports.registry import DuplicateCandidate
from thesaban.reports.workflow import DONE_STATUSES, OPEN_STATUSES, Status

PUBLIC_STATUSES = [s for s in Status.values if s != Status.DUPLICATE]


@dataclass
class ReportFilters:
    category: int | None = None
    status: str | None = None
    community: int | None = None
    department: int | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    q: str = ""


def _filtered(queryset: QuerySet[Report], filters: ReportFilters) -> QuerySet[Report]:
    if filters.category:
        queryset = queryset.filter(category_id=filters.category)
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status == "done":
        queryset = queryset.filter(status__in=DONE_STATUSES)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.community:
        queryset = queryset.filter(community_id=filters.community)
    if filters.department:
        queryset = queryset.filter(department_id=filters.department)
    if filters.date_from:
        queryset = queryset.filter(submitted_at__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(submitted_at__lt=filters.date_to)
    if filters.q:
        queryset = queryset.filter(
            Q(description__icontains=filters.q) | Q(tracking_code__iexact=filters.q)
        )
    return queryset


def report_list_public(
    *, municipality: Municipality, filters: ReportFilters | None = None
) -> QuerySet[Report]:
    queryset = Report.objects.filter(municipality=municipality).exclude(status=Status.DUPLICATE)
    return (
        _filtered(queryset, filters or ReportFilters())
        .select_related("category", "community")
        .only(
            "id",
            "tracking_code",
            "description",
            "status",
            "submitted_at",
            "updated_at",
            "support_count",
            "comment_count",
            "address",
            "lat",
            "lng",
            "category__name_th",
            "category__name_en",
            "category__icon",
            "community__name_th",
            "community__name_en",
            "municipality_id",
        )
    )


# Grid cell size in degrees per zoom level: about 60 px on screen.
def cell_size_for_zoom(zoom: int) -> float:
    return 360.0 / (2 ** max(0, min(zoom, 22))) / 256 * 60


CLUSTER_THRESHOLD_ZOOM = 17  # from this zoom in, individual markers


@dataclass
class MapBox:
    south: float
    west: float
    north: float
    east: float


def report_map_points(
    *,
    municipality: Municipality,
    zoom: int,
    box: MapBox | None = None,
    filters: ReportFilters | None = None,
    limit: int = 2000,
) -> dict:
    """Markers for the public map, clustered on a grid in the database so that a million reports
    cost one grouped query, not a million rows sent to the browser."""
    queryset = _filtered(
        Report.objects.filter(municipality=municipality, lat__isnull=False).exclude(
            status=Status.DUPLICATE
        ),
        filters or ReportFilters(),
    )
    if box:
        queryset = queryset.filter(
            lat__gte=box.south, lat__lte=box.north, lng__gte=box.west, lng__lte=box.east
        )
    if zoom >= CLUSTER_THRESHOLD_ZOOM:
        rows = list(
            queryset.order_by("-submitted_at").values(
                "tracking_code",
                "lat",
                "lng",
                "status",
                "category__icon",
                "category__name_th",
                "category__name_en",
            )[:limit]
        )
        return {"kind": "points", "points": rows}
    cell = cell_size_for_zoom(zoom)
    clusters = (
        queryset.annotate(gx=Floor(F("lat") / cell), gy=Floor(F("lng") / cell))
        .values("gx", "gy")
        .annotate(count=Count("*"), lat=Avg("lat"), lng=Avg("lng"), code=Max("tracking_code"))
        .order_by()
    )
    return {
        "kind": "clusters",
        "clusters": [
            {
                "lat": c["lat"],
                "lng": c["lng"],
                "count": c["count"],
                "code": c["code"] if c["count"] == 1 else None,
            }
            for c in clusters
        ],
    }


def geographic_duplicates(
    *,
    municipality: Municipality,
    category: Category | int | None,
    lat: float | None,
    lng: float | None,
    text: str = "",
    when: datetime | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
    radius_m: float = 50,
    days: int = 30,
) -> list[DuplicateCandidate]:
    """The fallback duplicate finder when no app installed a better one (registry.py): open
    reports of the same category within `radius_m` metres from the `days` days before `when`,
    nearest first. The score is the distance's share of the radius; the text is not read."""
    if lat is None or lng is None or category is None:
        return []
    when = when or timezone.now()
    south, north, west, east = geo.degree_box(lat, lng, radius_m)
    candidates = (
        Report.objects.filter(
            municipality=municipality,
            category=category,
            status__in=OPEN_STATUSES,
            submitted_at__gte=when - timedelta(days=days),
            lat__gte=south,
            lat__lte=north,
            lng__gte=west,
            lng__lte=east,
        )
        .exclude(pk=exclude_id)
        .select_related("category")
        .order_by("-submitted_at")[:200]
    )
    found = []
    for report in candidates:
        distance = geo.distance_m(lat, lng, report.lat, report.lng)
        if distance <= radius_m:
            found.append(
                DuplicateCandidate(
                    report=report,
                    score=round(1 - distance / radius_m, 4),
                    distance_m=distance,
                    hours_apart=abs((report.submitted_at - when).total_seconds()) / 3600,
                )
            )
    found.sort(key=lambda candidate: (candidate.distance_m, candidate.report.pk))
    return found[:limit]


def duplicate_reasons(candidate: DuplicateCandidate, *, category_id: int | None) -> list[str]:
    """Why a report was offered as a possible duplicate, in words a resident or an officer
    reads at a glance: "similar description · 20 m away · 2 days apart · same category"."""
    reasons = []
    similarity = candidate.text_similarity
    if similarity is not None:
        if similarity >= 0.5:
            reasons.append(_("very similar description"))
        elif similarity >= 0.2:
            reasons.append(_("similar description"))
        else:
            reasons.append(_("different description"))
    reasons.append(_("%(distance)s m away") % {"distance": round(candidate.distance_m)})
    hours = candidate.hours_apart
    if hours < 1:
        reasons.append(_("less than an hour apart"))
    elif hours < 48:
        count = round(hours)
        reasons.append(
            ngettext("%(count)s hour apart", "%(count)s hours apart", count) % {"count": count}
        )
    else:
        count = round(hours / 24)
        reasons.append(
            ngettext("%(count)s day apart", "%(count)s days apart", count) % {"count": count}
        )
    if category_id is not None:
        reasons.append(
            _("same category")
            if candidate.report.category_id == category_id
            else _("another category")
        )
    return reasons


def report_timeline(*, report: Report, include_internal: bool = False) -> QuerySet[ReportEvent]:
    events = ReportEvent.objects.filter(
        municipality_id=report.municipality_id, report=report
    ).select_related("actor")
    if not include_internal:
        events = events.filter(is_public=True)
    return events


# Priority (documented in docs/architecture.md): it rises with the share of the SLA used
# (capped at 2x), the category's severity and the number of supports (logarithmic, so a
# campaign cannot drown everything else).
PRIORITY_SLA_WEIGHT = 100.0
PRIORITY_SEVERITY_WEIGHT = 20.0
PRIORITY_SUPPORT_WEIGHT = 15.0


def triage_queue(
    *,
    municipality: Municipality,
    department_id: int | None = None,
    filters: ReportFilters | None = None,
    include_unassigned: bool = True,
    now: datetime | None = None,
) -> QuerySet[Report]:
    now = now or timezone.now()
    filters = filters or ReportFilters()
    queryset = Report.objects.filter(municipality=municipality)
    if not filters.status:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    if department_id:
        scope = Q(department_id=department_id)
        if include_unassigned:
            scope |= Q(department__isnull=True)
        queryset = queryset.filter(scope)
    queryset = _filtered(queryset, filters)
    now_epoch = Value(now.timestamp(), output_field=FloatField())
    sla_share = (now_epoch - EpochSeconds("submitted_at")) / (
        EpochSeconds("sla_due_at") - EpochSeconds("submitted_at") + Value(1.0)
    )
    return (
        queryset.annotate(
            sla_share=sla_share,
            priority=Value(PRIORITY_SLA_WEIGHT) * Least(sla_share, Value(2.0))
            + Value(PRIORITY_SEVERITY_WEIGHT) * F("category__severity")
            + Value(PRIORITY_SUPPORT_WEIGHT) * Ln(F("support_count") + Value(1.0)),
        )
        .select_related("category", "department", "community", "assigned_to")
        .order_by("-priority", "submitted_at")
    )


def dashboard_stats(*, municipality: Municipality, since: datetime | None = None) -> dict:
    """Figures for the staff dashboard; a fixed number of grouped queries whatever the volume."""
    reports = Report.objects.filter(municipality=municipality).exclude(status=Status.DUPLICATE)
    if since:
        reports = reports.filter(submitted_at__gte=since)
    by_department_status = list(
        reports.filter(status__in=OPEN_STATUSES)
        .values("department__name_th", "department__name_en", "status")
        .annotate(n=Count("*"))
        .order_by("department__name_th", "status")
    )
    resolved = reports.filter(resolved_at__isnull=False)
    # Filtered counts count `submitted_at` (never null) rather than `id`: it is in the covering
    # index report_muni_time_stats, so PostgreSQL answers from the index alone.
    totals = resolved.aggregate(
        resolved=Count("*"),
        within_sla=Count("submitted_at", filter=Q(resolved_at__lte=F("sla_due_at"))),
        # Not named `satisfaction`: an alias equal to a field name shadows the field in `rated`.
        satisfaction_avg=Avg("satisfaction"),
        rated=Count("satisfaction"),
    )
    open_totals = reports.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("*"), breached=Count("submitted_at", filter=Q(sla_due_at__lt=timezone.now()))
    )
    durations = resolved.annotate(
        hours=(EpochSeconds("resolved_at") - EpochSeconds("submitted_at")) / Value(3600.0)
    ).values_list("hours", flat=True)
    median_hours = _median_from_db(durations, totals["resolved"])
    monthly = list(
        reports.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(
            submitted=Count("*"),
            resolved=Count("submitted_at", filter=Q(resolved_at__isnull=False)),
            within_sla=Count("submitted_at", filter=Q(resolved_at__lte=F("sla_due_at"))),
        )
        .order_by("month")
    )
    span = reports.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    return {
        "by_department_status": by_department_status,
        "open": open_totals["open"],
        "open_breached": open_totals["breached"],
        "resolved": totals["resolved"],
        "sla_compliance": (totals["within_sla"] / totals["resolved"])
        if totals["resolved"]
        else None,
        "median_hours_to_resolution": median_hours,
        "satisfaction": totals["satisfaction_avg"],
        "rated": totals["rated"],
        "monthly": monthly,
        "span": span,
    }


def _median_from_db(values: QuerySet, count: int) -> float | None:
    """The median without loading every row: order in the database and fetch the middle one or two."""
    if not count:
        return None
    ordered = values.order_by("hours")
    if count % 2:
        return float(ordered[count // 2])
    pair = list(ordered[count // 2 - 1 : count // 2 + 1])
    return float(sum(pair) / 2)


def report_list_of_reporter(*, user, limit: int = 50) -> QuerySet[Report]:
    """A resident's own reports, in every municipality, for their account page."""
    return (
        Report.objects.filter(reporter=user)
        .select_related("municipality", "category")
        .order_by("-submitted_at")[:limit]
    )


def category_list(*, municipality: Municipality) -> QuerySet[Category]:
    return Category.objects.filter(municipality=municipality, is_active=True).select_related(
        "department"
    )


def report_follower_token_valid(*, report: Report, token: str) -> bool:
    return ReportFollower.objects.filter(
        municipality_id=report.municipality_id, report=report, unsubscribe_token=token
    ).exists()
