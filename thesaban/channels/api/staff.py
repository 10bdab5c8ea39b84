"""Staff operations: the triage queue, a report with what staff may see, and changing it.

Rights are the web back office's (reports/rules.py): any staff role of the municipality reads
the queue; administrators act on every report, officers on their department's and unassigned
ones, viewers only read. The reporter's contact details are shown only to those who may act.
"""

from typing import Annotated

import rules
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from thesaban.accounts.models import StaffRole, User
from thesaban.accounts.selectors import staff_role_for
from thesaban.channels.api import idempotency, presenters, selectors
from thesaban.channels.api.auth import PERSON_AUTH, require_person
from thesaban.channels.api.errors import ApiError, error_responses
from thesaban.channels.api.idempotency import Outcome
from thesaban.channels.api.params import (
    Code,
    DateQuery,
    IdempotencyKey,
    IdQuery,
    Limit,
    Offset,
    Search,
    Slug,
    clean_search,
    date_bounds,
)
from thesaban.channels.api.reports import tenant
from thesaban.channels.api.schemas import (
    AssignIn,
    NoteIn,
    QueuePage,
    StaffEventOut,
    StaffReportOut,
    StaffStatusFilter,
    TransitionIn,
)
from thesaban.municipalities.models import Municipality
from thesaban.reports import services
from thesaban.reports.access import access_report
from thesaban.reports.models import Report
from thesaban.reports.selectors import ReportFilters, report_timeline, triage_queue

router = Router(tags=["Staff"], auth=PERSON_AUTH)

DepartmentScope = Annotated[
    str | None,
    Query(
        description='"mine" (an officer\'s department and unassigned reports; the default), '
        '"all", or a department id.',
        pattern=r"^(mine|all|[1-9][0-9]{0,17})$",
    ),
]

STAFF_ERRORS = error_responses(401, 403, 404, 422)


def _require(user: User, permission: str, obj) -> None:
    """The rule alone, as in the web back office: no blanket rights for superusers."""
    if not rules.has_perm(permission, user, obj):
        raise ApiError(403, _("Your staff role does not allow this."))


def staff_report(
    request: HttpRequest, slug: str, code: str, permission: str
) -> tuple[User, Report]:
    user = require_person(request)
    municipality = tenant(request, slug)
    _require(user, "reports.view_queue", municipality)
    report = access_report(municipality=municipality, code=code, public=False)
    _require(user, permission, report)
    return user, report


def _fresh(request: HttpRequest, report: Report, user: User) -> dict:
    report = access_report(municipality=report.municipality, code=report.tracking_code)
    return presenters.report_staff(request, report, user=user)


@router.get(
    "/municipalities/{slug}/staff/queue",
    response={200: QueuePage, **STAFF_ERRORS},
    summary="The triage queue, highest priority first",
    description="Open reports by default (status filters otherwise). Priority rises with the "
    "share of the SLA used, the category's severity and the number of supports.",
)
def staff_queue(
    request: HttpRequest,
    slug: Slug,
    department: DepartmentScope = None,
    status: StaffStatusFilter | None = None,
    category: IdQuery = None,
    community: IdQuery = None,
    q: Search = None,
    date_from: DateQuery = None,
    date_to: DateQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    user = require_person(request)
    municipality: Municipality = tenant(request, slug)
    _require(user, "reports.view_queue", municipality)
    start, end = date_bounds(date_from, date_to)
    filters = ReportFilters(
        category=category,
        status=status,
        community=community,
        date_from=start,
        date_to=end,
        q=clean_search(q),
    )
    role = staff_role_for(user=user, municipality=municipality)
    own = role.department_id if role and role.role == StaffRole.Role.OFFICER else None
    if department in (None, "mine"):
        department_id, include_unassigned = own, True
    elif department == "all":
        department_id, include_unassigned = None, True
    else:
        department_id, include_unassigned = int(department), False
    reports = triage_queue(
        municipality=municipality,
        department_id=department_id,
        include_unassigned=include_unassigned,
        filters=filters,
    )
    urls = presenters.ReportUrls(request, municipality)
    return presenters.page(
        request,
        list(reports[offset : offset + limit]),
        count=reports.count(),
        limit=limit,
        offset=offset,
        build=lambda report: presenters.queue_item(report, urls),
    )


@router.get(
    "/municipalities/{slug}/staff/reports/{code}",
    response={200: StaffReportOut, **STAFF_ERRORS},
    summary="A report as staff see it",
    description="Adds internal notes, assignment, answers, and the reporter's contact details "
    "for staff who may act on the report.",
)
def staff_report_detail(request: HttpRequest, slug: Slug, code: Code):
    user, report = staff_report(request, slug, code, "reports.view_queue")
    return presenters.report_staff(request, report, user=user)


def _idempotent(request, response, report: Report, operation: str, payload, perform) -> Status:
    outcome = idempotency.run(
        request,
        municipality=report.municipality,
        operation=operation,
        body={"code": report.tracking_code, **payload.model_dump(mode="json")},
        perform=perform,
    )
    idempotency.mark_replay(response, outcome)
    return Status(outcome.status, outcome.body)


@router.post(
    "/municipalities/{slug}/staff/reports/{code}/transition",
    response={200: StaffReportOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Change a report's status",
    description="Allowed moves are in the report's allowed_transitions; resolving or rejecting "
    "needs a public note. Idempotency-Key makes retries safe.",
)
def staff_report_transition(
    request: HttpRequest,
    response: HttpResponse,
    slug: Slug,
    code: Code,
    payload: TransitionIn,
    idempotency_key: IdempotencyKey = None,
):
    user, report = staff_report(request, slug, code, "reports.change_report")

    def perform(_key: str) -> Outcome:
        services.report_transition(
            report=report,
            actor=user,
            to_status=payload.to_status,
            public_note=payload.public_note,
            internal_note=payload.internal_note,
        )
        return Outcome(200, presenters.as_json(_fresh(request, report, user)))

    return _idempotent(request, response, report, "staff_report_transition", payload, perform)


@router.post(
    "/municipalities/{slug}/staff/reports/{code}/assign",
    response={200: StaffReportOut, **error_responses(400, 401, 403, 404, 409, 422)},
    summary="Route a report to a department and officer",
)
def staff_report_assign(
    request: HttpRequest,
    response: HttpResponse,
    slug: Slug,
    code: Code,
    payload: AssignIn,
    idempotency_key: IdempotencyKey = None,
):
    user, report = staff_report(request, slug, code, "reports.assign_report")
    errors: dict[str, list[str]] = {}
    department = officer = None
    if payload.department is not None:
        department = selectors.access_department(
            municipality=report.municipality, department_id=payload.department
        )
        if department is None:
            errors["department"] = [_("Choose a department of this municipality.")]
    if payload.officer is not None:
        officer = selectors.access_staff_member(
            municipality=report.municipality, user_id=payload.officer
        )
        if officer is None:
            errors["officer"] = [_("Choose an administrator or officer of this municipality.")]
    if errors:
        raise ApiError(422, _("Some values are not valid."), errors)

    def perform(_key: str) -> Outcome:
        services.report_assign(report=report, actor=user, department=department, officer=officer)
        return Outcome(200, presenters.as_json(_fresh(request, report, user)))

    return _idempotent(request, response, report, "staff_report_assign", payload, perform)


@router.post(
    "/municipalities/{slug}/staff/reports/{code}/notes",
    response={
        200: StaffEventOut,
        201: StaffEventOut,
        **error_responses(400, 401, 403, 404, 409, 422),
    },
    summary="Add a public reply or an internal note",
)
def staff_report_note(
    request: HttpRequest,
    response: HttpResponse,
    slug: Slug,
    code: Code,
    payload: NoteIn,
    idempotency_key: IdempotencyKey = None,
):
    user, report = staff_report(request, slug, code, "reports.change_report")

    def perform(_key: str) -> Outcome:
        event = services.report_note_add(
            report=report, actor=user, note=payload.note, is_public=payload.is_public
        )
        timeline = report_timeline(report=report, include_internal=True).filter(pk=event.pk)
        return Outcome(201, presenters.as_json(presenters.staff_event_out(timeline.get())))

    return _idempotent(request, response, report, "staff_report_note", payload, perform)
