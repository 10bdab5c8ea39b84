"""Residents' operations on reports: create (idempotent), list, read, support, comment, rate,
follow. Each one: authenticate -> access_* -> one service call -> representation."""

import hashlib
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from thesaban.channels.api import idempotency, presenters, selectors
from thesaban.channels.api.auth import (
    OPTIONAL_AUTH,
    OPTIONAL_SECURITY,
    PERSON_AUTH,
    check_key_scope,
    principal_of,
    require_person,
)
from thesaban.channels.api.errors import ApiError, error_responses
from thesaban.channels.api.idempotency import Outcome
from thesaban.channels.api.params import (
    Code,
    DateQuery,
    FollowerToken,
    IdempotencyKey,
    IdQuery,
    Limit,
    Offset,
    Search,
    Slug,
    clean_search,
    date_bounds,
)
from thesaban.channels.api.schemas import (
    CommentIn,
    CommentOut,
    FollowIn,
    FollowOut,
    RateIn,
    ReportCreatedOut,
    ReportIn,
    ReportOut,
    ReportPage,
    StatusFilter,
    SupportOut,
)
from thesaban.municipalities.models import Municipality
from thesaban.reports import services
from thesaban.reports.access import access_category, access_report
from thesaban.reports.models import Report
from thesaban.reports.photos import MAX_PHOTOS  # noqa: E402
from thesaban.reports.selectors import ReportFilters, report_list_public

router = Router(tags=["Reports"])
# What a list item shows (presenters.report_summary), loaded in one query with the category
# and community: nothing else of the report, and no personal field, is read from the database.
PUBLIC_LIST_FIELDS = (
    "id",
    "municipality_id",
    "tracking_code",
    "category__id",
    "category__code",
    "category__name_th",
    "category__name_en",
    "category__icon",
    "status",
    "description",
    "address",
    "lat",
    "lng",
    "community__name_th",
    "community__name_en",
    "submitted_at",
    "updated_at",
    "support_count",
    "comment_count",
)
ReportJson = Annotated[
    str, Form(description="The report as JSON: the same object as POST .../reports takes.")
]
PhotoFiles = Annotated[
    list[UploadedFile] | None, File(description="Up to 3 photos (JPEG, PNG or WebP, 10 MB each).")
]


def tenant(request: HttpRequest, slug: str) -> Municipality:
    """The municipality of the URL, set on the request as the web's tenancy middleware does."""
    municipality = selectors.access_municipality(slug=slug)
    request.municipality = municipality
    check_key_scope(principal_of(request), municipality)
    return municipality


def public_report(request: HttpRequest, slug: str, code: str) -> Report:
    return access_report(municipality=tenant(request, slug), code=code)


@router.post(
    "/municipalities/{slug}/reports",
    response={
        200: ReportCreatedOut,
        201: ReportCreatedOut,
        **error_responses(400, 401, 403, 404, 409, 422),
    },
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Report a problem",
    description="Anyone may report; with a personal token the report is linked to that person's "
    "account (and they follow it), with an integrator's X-Api-Key it is recorded as coming from "
    "that integrator. Give coordinates (lat and lng) or an address. The answer (201) contains "
    "the tracking code and, for the reporter only, a follow token. Send an Idempotency-Key so "
    "that a retry after a lost answer returns the same report (200) instead of a second one.",
)
def report_create(
    request: HttpRequest,
    response: HttpResponse,
    slug: Slug,
    payload: ReportIn,
    idempotency_key: IdempotencyKey = None,
):
    return _create(request, response, slug, payload, photos=[])


@router.post(
    "/municipalities/{slug}/reports/with-photos",
    response={
        200: ReportCreatedOut,
        201: ReportCreatedOut,
        **error_responses(400, 401, 403, 404, 409, 413, 422),
    },
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Report a problem with photos (multipart/form-data)",
    description="The same as POST .../reports, as multipart/form-data: the field `report` holds "
    "the JSON report, the field `photos` up to 3 JPEG, PNG or WebP images of at most 10 MB "
    "each. Photos are re-encoded, so their EXIF data (including GPS) is removed.",
)
def report_create_with_photos(
    request: HttpRequest,
    response: HttpResponse,
    slug: Slug,
    report: ReportJson,
    photos: PhotoFiles = None,
    idempotency_key: IdempotencyKey = None,
):
    try:
        payload = ReportIn.model_validate_json(report)
    except PydanticValidationError as error:
        raise NinjaValidationError(
            [{**e, "loc": ("form", "report", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None
    return _create(request, response, slug, payload, photos=list(photos or []))


def _create(request, response, slug: str, payload: ReportIn, *, photos: list) -> Status:
    municipality = tenant(request, slug)
    principal = principal_of(request)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most 3 photos.")})
    try:
        category = access_category(municipality=municipality, category_id=payload.category)
    except Http404:
        raise ApiError(
            422,
            _("Some values are not valid."),
            {"category": [_("Choose an active category of this municipality.")]},
        ) from None
    user = principal.user

    def perform(key: str) -> Outcome:
        report = services.report_create(
            municipality=municipality,
            category=category,
            description=payload.description,
            lat=payload.lat,
            lng=payload.lng,
            address=payload.address,
            reporter=user,
            reporter_name=payload.reporter_name or (user.display_name if user else ""),
            reporter_email=payload.reporter_email,
            reporter_phone=payload.reporter_phone,
            is_anonymous=payload.is_anonymous,
            contact_consent=payload.contact_consent,
            channel=Report.Channel.API,
            idempotency_key=key,
            answers=payload.answers,
            api_key=principal.api_key,
            photos=photos,
        )
        return Outcome(201, {}, report=report)

    outcome = idempotency.run(
        request,
        municipality=municipality,
        operation="report_create",
        body={"report": payload.model_dump(mode="json"), "photos": _digests(photos)},
        perform=perform,
        replay=lambda record: Outcome(201, {}, report=record.report),
    )
    idempotency.mark_replay(response, outcome)
    return Status(outcome.status, presenters.report_created(request, outcome.report))


def _digests(photos: list) -> list[str]:
    """The photos' SHA-256, so a retry with other photos is a different request."""
    digests = []
    for photo in photos:
        sha = hashlib.sha256()
        for chunk in photo.chunks():
            sha.update(chunk)
        photo.seek(0)
        digests.append(sha.hexdigest())
    return digests


@router.get(
    "/municipalities/{slug}/reports",
    response={200: ReportPage, **error_responses(404, 422)},
    summary="List reports (public fields only)",
    description="Newest first. No personal data: reporters are never named here.",
)
def report_list(
    request: HttpRequest,
    slug: Slug,
    status: StatusFilter | None = None,
    category: IdQuery = None,
    community: IdQuery = None,
    q: Search = None,
    date_from: DateQuery = None,
    date_to: DateQuery = None,
    limit: Limit = 20,
    offset: Offset = 0,
):
    municipality = tenant(request, slug)
    start, end = date_bounds(date_from, date_to)
    filters = ReportFilters(
        category=category,
        status=status,
        community=community,
        date_from=start,
        date_to=end,
        q=clean_search(q),
    )
    reports = report_list_public(municipality=municipality, filters=filters).only(
        *PUBLIC_LIST_FIELDS
    )
    urls = presenters.ReportUrls(request, municipality)
    return presenters.page(
        request,
        list(reports[offset : offset + limit]),
        count=reports.count(),
        limit=limit,
        offset=offset,
        build=lambda report: presenters.report_summary(report, urls),
    )


@router.get(
    "/municipalities/{slug}/reports/{code}",
    response={200: ReportOut, **error_responses(404, 422)},
    summary="A report with its photos and public timeline",
)
def report_detail(request: HttpRequest, slug: Slug, code: Code):
    return presenters.report_public(request, public_report(request, slug, code))


@router.post(
    "/municipalities/{slug}/reports/{code}/support",
    response={200: SupportOut, **error_responses(401, 404, 422)},
    auth=PERSON_AUTH,
    summary='Support a report ("me too")',
    description="Once per person; supporting again changes nothing. Supporters follow the report.",
)
def report_support(request: HttpRequest, slug: Slug, code: Code):
    user = require_person(request)
    report = public_report(request, slug, code)
    created = services.report_support(report=report, user=user)
    report.refresh_from_db(fields=["support_count"])
    return {"supported": True, "created": created, "support_count": report.support_count}


@router.get(
    "/municipalities/{slug}/reports/{code}/comments",
    response={200: list[CommentOut], **error_responses(404, 422)},
    summary="Residents' comments on a report, oldest first",
)
def report_comment_list(request: HttpRequest, slug: Slug, code: Code):
    report = public_report(request, slug, code)
    return [presenters.comment_out(c) for c in selectors.report_comments_public(report=report)]


@router.post(
    "/municipalities/{slug}/reports/{code}/comments",
    response={200: CommentOut, 201: CommentOut, **error_responses(400, 401, 404, 409, 422)},
    auth=PERSON_AUTH,
    summary="Comment on a report",
    description="Shown publicly with your display name. Idempotency-Key makes retries safe.",
)
def report_comment_create(
    request: HttpRequest,
    response: HttpResponse,
    slug: Slug,
    code: Code,
    payload: CommentIn,
    idempotency_key: IdempotencyKey = None,
):
    user = require_person(request)
    report = public_report(request, slug, code)

    def perform(_key: str) -> Outcome:
        comment = services.report_comment_create(report=report, author=user, body=payload.body)
        return Outcome(201, presenters.as_json(presenters.comment_out(comment)))

    outcome = idempotency.run(
        request,
        municipality=report.municipality,
        operation="report_comment_create",
        body=payload.model_dump(mode="json"),
        perform=perform,
    )
    idempotency.mark_replay(response, outcome)
    return Status(outcome.status, outcome.body)


@router.post(
    "/municipalities/{slug}/reports/{code}/rating",
    response={200: ReportOut, **error_responses(400, 401, 403, 404, 422)},
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Rate the result (the reporter only)",
    description="Once the report is resolved or closed, its reporter rates the work from 1 to 5: "
    "signed in with their token, or with the follow token they received when reporting. "
    "Rating again replaces the rating.",
)
def report_rate(request: HttpRequest, slug: Slug, code: Code, payload: RateIn):
    report = public_report(request, slug, code)
    report = services.report_rate(
        report=report,
        user=principal_of(request).user,
        follow_token=payload.follow_token,
        score=payload.score,
        comment=payload.comment,
    )
    return presenters.report_public(request, public_report(request, slug, code))


@router.post(
    "/municipalities/{slug}/reports/{code}/follow",
    response={200: FollowOut, **error_responses(400, 401, 403, 404, 422)},
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Follow a report: be told when it changes",
    description="Signed in: you follow it. Otherwise give an e-mail address, which then "
    "receives the updates (with an unsubscribe link). Following twice changes nothing.",
)
def report_follow(request: HttpRequest, slug: Slug, code: Code, payload: FollowIn | None = None):
    report = public_report(request, slug, code)
    user = principal_of(request).user
    email = payload.email if payload else ""
    if user is None and not email:
        raise ValidationError({"email": _("Enter an e-mail address to follow this report.")})
    services.report_follow(report=report, user=user, email="" if user else email)
    return {"following": True}


@router.delete(
    "/municipalities/{slug}/reports/{code}/follow",
    response={200: FollowOut, **error_responses(401, 403, 404, 422)},
    auth=OPTIONAL_AUTH,
    openapi_extra=OPTIONAL_SECURITY,
    summary="Stop following a report",
    description="Signed in: you stop following it. An e-mail follower gives the unsubscribe "
    "token from the link in their e-mails instead.",
)
def report_unfollow(request: HttpRequest, slug: Slug, code: Code, token: FollowerToken = None):
    report = public_report(request, slug, code)
    user = principal_of(request).user
    if user is not None:
        follower = selectors.report_follower_of(report=report, user=user)
        if follower is not None:
            services.report_unfollow(report=report, token=follower.unsubscribe_token)
        return {"following": False}
    if not token:
        raise ApiError(401, _("Sign in first: send the header Authorization: Bearer <token>."))
    if not services.report_unfollow(report=report, token=token):
        raise ApiError(404, _("Nobody follows this report with this token."))
    return {"following": False}
