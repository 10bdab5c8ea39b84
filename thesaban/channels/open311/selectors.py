"""Reads behind the Open311 endpoints. Every query starts from the jurisdiction (municipality)."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from thesaban.channels.models import Open311Token
from thesaban.channels.open311.params import RequestQuery
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Category, Report, ReportEvent, ReportPhoto
from thesaban.reports.workflow import OPEN_STATUSES, Status

# Open311 knows two statuses. Thesaban's map onto them (docs/open311.md):
#   open   <- submitted, accepted, in_progress
#   closed <- resolved, closed, rejected, duplicate
OPEN311_OPEN = frozenset(OPEN_STATUSES)
OPEN311_CLOSED = frozenset(set(Status.values) - set(OPEN_STATUSES))


def open311_status(status: str) -> str:
    return "open" if status in OPEN311_OPEN else "closed"


def active_jurisdictions() -> QuerySet[Municipality]:
    return Municipality.objects.filter(is_active=True)


def jurisdiction_by_slug(*, slug: str) -> Municipality | None:
    return active_jurisdictions().filter(slug=slug).first()


def the_only_jurisdiction() -> Municipality | None:
    """The deployment's municipality when it serves exactly one, else None."""
    first_two = list(active_jurisdictions().order_by("pk")[:2])
    return first_two[0] if len(first_two) == 1 else None


def service_list(*, municipality: Municipality) -> QuerySet[Category]:
    return Category.objects.filter(municipality=municipality, is_active=True).select_related(
        "department"
    )


def service_by_code(*, municipality: Municipality, code: str) -> Category | None:
    return service_list(municipality=municipality).filter(code=code).first()


def known_service_codes(*, municipality: Municipality, codes: list[str]) -> set[str]:
    """Of `codes`, those that name a category of the municipality (active or not: old requests
    keep the category they were filed under)."""
    return set(
        Category.objects.filter(municipality=municipality, code__in=codes).values_list(
            "code", flat=True
        )
    )


REQUEST_COLUMNS = (
    "municipality_id",
    "tracking_code",
    "status",
    "description",
    "address",
    "lat",
    "lng",
    "media_url",
    "external_ref",
    "submitted_at",
    "updated_at",
    "sla_due_at",
    "category__code",
    "category__name_th",
    "category__name_en",
    "category__notice_th",
    "category__notice_en",
    "category__sla_hours",
    "department__name_th",
    "department__name_en",
)


def _with_public_extras(reports: QuerySet[Report]) -> QuerySet[Report]:
    """One query for a whole page: the latest public note and the first resident photo come as
    subqueries, the category and department as joins."""
    latest_note = (
        ReportEvent.objects.filter(
            municipality_id=OuterRef("municipality_id"), report=OuterRef("pk"), is_public=True
        )
        .exclude(note="")
        .order_by("-created_at", "-id")
        .values("note")[:1]
    )
    first_photo = (
        ReportPhoto.objects.filter(
            municipality_id=OuterRef("municipality_id"), report=OuterRef("pk"), by_staff=False
        )
        .order_by("position", "id")
        .values("image")[:1]
    )
    return (
        reports.select_related("category", "department")
        # Only what the document shows: no reporter, answers or the category's questions.
        .only(*REQUEST_COLUMNS)
        .annotate(public_note=Subquery(latest_note), first_photo=Subquery(first_photo))
    )


def requests_matching(*, municipality: Municipality, query: RequestQuery) -> list[Report]:
    """GET requests: newest first, at most `query.limit`."""
    reports = Report.objects.filter(municipality=municipality)
    if query.ids:
        reports = reports.filter(tracking_code__in=query.ids)
    else:
        # Merged duplicates stay out of lists, as on the public site; by id they answer.
        reports = reports.exclude(status=Status.DUPLICATE).filter(
            submitted_at__gte=query.start, submitted_at__lte=query.end
        )
        if query.service_codes:
            reports = reports.filter(category__code__in=query.service_codes)
        if query.statuses and set(query.statuses) != {"open", "closed"}:
            wanted = OPEN311_OPEN if query.statuses == ["open"] else OPEN311_CLOSED
            reports = reports.filter(status__in=wanted)
    reports = reports.order_by("-submitted_at", "-id")
    return list(_with_public_extras(reports)[: query.limit])


def request_by_id(*, municipality: Municipality, service_request_id: str) -> Report | None:
    return (
        _with_public_extras(
            Report.objects.filter(municipality=municipality, tracking_code=service_request_id)
        )
        .order_by()
        .first()
    )


def token_lookup(*, municipality: Municipality, token: str) -> list[Open311Token]:
    return list(
        Open311Token.objects.filter(municipality=municipality, token=token)
        .select_related("report")
        .order_by("created_at", "id")
    )


def token_of(*, municipality: Municipality, api_key, token: str) -> Open311Token | None:
    return (
        Open311Token.objects.filter(municipality=municipality, api_key=api_key, token=token)
        .select_related("report")
        .first()
    )
