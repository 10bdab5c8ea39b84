"""Resident-facing report pages.

Views only translate HTTP: the municipality comes from the tenancy middleware
(`request.municipality`), objects from `access.py`, writes from one `services.py` call, lists
from `selectors.py`. A service's ValidationError becomes a form error or a message, its
PermissionDenied a 403. Public pages never render the reporter's contact data
(`_public_reporter.html` is the only place a reporter's name is shown).
"""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.core.dates import format_date
from thesaban.core.forms import apply_validation_error
from thesaban.municipalities.selectors import community_list
from thesaban.reports import services
from thesaban.reports.access import access_category, access_report
from thesaban.reports.forms import (
    CommentForm,
    DuplicatesQueryForm,
    FollowForm,
    MapDataForm,
    RateForm,
    ReopenForm,
    ReportFilterForm,
    ReportForm,
)
from thesaban.reports.registry import DuplicateCandidate, duplicate_finder
from thesaban.reports.selectors import (
    ReportFilters,
    category_list,
    duplicate_reasons,
    report_follower_token_valid,
    report_list_public,
    report_map_points,
    report_timeline,
)
from thesaban.reports.workflow import DONE_STATUSES, Status

if TYPE_CHECKING:
    from thesaban.reports.models import Report

LIST_PAGE_SIZE = 20
FILTER_FIELDS = ("q", "category", "status", "community", "date_from", "date_to")
COMMENT_KEYS_SESSION = "reports_comment_keys"


# --- helpers ---------------------------------------------------------------------------------


def _user(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _token_matches(report: Report, token: str) -> bool:
    return bool(token) and hmac.compare_digest(token.encode(), report.follow_token.encode())


def _detail_url(report: Report, anchor: str = "") -> str:
    url = reverse(
        "reports:detail",
        kwargs={"municipality": report.municipality.slug, "code": report.tracking_code},
    )
    return f"{url}#{anchor}" if anchor else url


def _follow_link_url(report: Report, anchor: str = "") -> str:
    url = reverse(
        "reports:follow_link",
        kwargs={
            "municipality": report.municipality.slug,
            "code": report.tracking_code,
            "token": report.follow_token,
        },
    )
    return f"{url}#{anchor}" if anchor else url


def _back(report: Report, *, private: bool, anchor: str = "") -> str:
    return _follow_link_url(report, anchor) if private else _detail_url(report, anchor)


def _code_url_maker(municipality):
    """The detail URL of many reports from one reverse() (thousands of map markers)."""
    template = reverse(
        "reports:detail", kwargs={"municipality": municipality.slug, "code": "__code__"}
    )
    return lambda code: template.replace("__code__", quote(code, safe=""))


def _name(row: dict, prefix: str) -> str:
    english = (translation.get_language() or "th").startswith("en")
    return (english and row.get(f"{prefix}name_en")) or row.get(f"{prefix}name_th") or ""


def _filter_form(request: HttpRequest) -> ReportFilterForm:
    municipality = request.municipality
    return ReportFilterForm(
        request.GET,
        categories=list(category_list(municipality=municipality)),
        communities=list(community_list(municipality=municipality)),
    )


def _filter_query(request: HttpRequest, form: ReportFilterForm) -> str:
    """The valid filters as a query string, for the list <-> map links and the map's data URL."""
    form.is_valid()
    params = request.GET.copy()
    for key in list(params.keys()):
        if key not in FILTER_FIELDS or not params.get(key) or key in form.errors:
            del params[key]
    return params.urlencode()


def _message_errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# The duplicate check reads the start of the description: enough to compare, short in a URL.
DUPLICATE_TEXT_CHARS = 500


def _candidate(candidate: DuplicateCandidate, url_for, *, category_id: int | None) -> dict:
    """A possible duplicate as the public form and its JSON show it: public fields only (what
    the public list shows), the score and its parts, and the reason in words."""
    report = candidate.report
    distance_m = round(candidate.distance_m)
    reasons = duplicate_reasons(candidate, category_id=category_id)
    return {
        "tracking_code": report.tracking_code,
        "description": Truncator(report.description).chars(140),
        "distance_m": distance_m,
        "distance_label": _("%(distance)s m away") % {"distance": distance_m},
        "support_count": report.support_count,
        "supports_label": ngettext(
            "%(count)s supporter", "%(count)s supporters", report.support_count
        )
        % {"count": report.support_count},
        "status": report.status,
        "status_label": str(Status(report.status).label),
        "submitted": format_date(report.submitted_at),
        "url": url_for(report.tracking_code),
        "score": candidate.score,
        "score_label": _("%(percent)s%% match") % {"percent": round(candidate.score * 100)},
        "hours_apart": round(candidate.hours_apart, 1),
        "text_similarity": candidate.text_similarity,
        "same_category": report.category_id == category_id,
        "reasons": reasons,
        "reason": " · ".join(reasons),
    }


def _map_settings(municipality) -> dict:
    return {
        "tile_url": settings.THESABAN_MAP_TILE_URL,
        "tile_attribution": settings.THESABAN_MAP_TILE_ATTRIBUTION,
        "lat": municipality.center_lat,
        "lng": municipality.center_lng,
        "zoom": municipality.default_zoom,
    }


def _render_report_page(
    request: HttpRequest, report: Report, *, private: bool = False, **forms
) -> HttpResponse:
    """The detail page; with `private` (a valid follow token) the reporter's private view.
    Forms passed in (bound, with errors) replace the blank ones."""
    user = _user(request)
    is_reporter = private or (user is not None and report.reporter_id == user.id)
    token = report.follow_token if private else ""
    photos = list(report.photos.all())
    follower = None
    if user:
        follower = report.followers.filter(user=user).first()
    elif private and report.reporter_id:
        follower = report.followers.filter(user_id=report.reporter_id).first()
    elif private and report.reporter_email:
        follower = report.followers.filter(user=None, email=report.reporter_email).first()
    supported = bool(user) and report.supports.filter(user=user).exists()
    can_rate = is_reporter and report.status in DONE_STATUSES
    window = services.reopen_window(report)
    can_reopen = is_reporter and window.open
    context = {
        "report": report,
        "private": private,
        "is_reporter": is_reporter,
        "photos": [photo for photo in photos if not photo.by_staff],
        "work_photos": [photo for photo in photos if photo.by_staff],
        "timeline": report_timeline(report=report),
        "comments": report.comments.filter(is_hidden=False).select_related("author"),
        "comment_form": forms.get("comment_form")
        or CommentForm(initial={"once": secrets.token_urlsafe(16)}),
        "follow_form": forms.get("follow_form")
        or FollowForm(initial={"email": report.reporter_email if private else ""}),
        "follower": follower,
        "supported": supported,
        "can_rate": can_rate,
        "rate_form": forms.get("rate_form")
        or RateForm(
            initial={
                "score": report.satisfaction,
                "comment": report.satisfaction_comment,
                "token": token,
            }
        ),
        "can_reopen": can_reopen,
        "reopen_until": window.until,
        "reopen_form": forms.get("reopen_form") or ReopenForm(initial={"token": token}),
        "map": _map_settings(report.municipality),
    }
    if private:
        # The reporter's own view: their contact data as staff see it (never on public pages).
        account = report.reporter
        context["follow_link"] = request.build_absolute_uri(_follow_link_url(report))
        context["contact"] = {
            "name": report.reporter_name or (account.display_name if account else ""),
            "email": report.reporter_email or ((account.email or "") if account else ""),
            "phone": report.reporter_phone or ((account.phone or "") if account else ""),
        }
    response = render(request, "reports/report_detail.html", context)
    if private:
        patch_cache_control(response, private=True, no_store=True)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the report form -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_new(request):
    municipality = request.municipality
    categories = list(category_list(municipality=municipality))
    signed_in = request.user.is_authenticated
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        categories=categories,
        signed_in=signed_in,
        initial={"idempotency_key": secrets.token_urlsafe(24)},
    )
    candidates: list[dict] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["confirm_new"] and data["lat"] is not None:
            found = duplicate_finder.find(
                municipality=municipality,
                category=data["category"],
                lat=data["lat"],
                lng=data["lng"],
                text=data["description"],
                when=None,
                exclude_id=None,
                limit=5,
            )
            key = data["idempotency_key"]
            # A retry of a submission that already went through finds its own report nearby:
            # that is not a duplicate, report_create returns it.
            if not (key and any(c.report.idempotency_key == key for c in found)):
                url_for = _code_url_maker(municipality)
                candidates = [
                    _candidate(c, url_for, category_id=data["category"].pk) for c in found
                ]
        if not candidates:
            try:
                report = services.report_create(
                    municipality=municipality,
                    category=data["category"],
                    description=data["description"],
                    lat=data["lat"],
                    lng=data["lng"],
                    address=data["address"],
                    reporter=_user(request),
                    reporter_name=data.get("reporter_name", ""),
                    reporter_email=data.get("reporter_email", ""),
                    reporter_phone=data.get("reporter_phone", ""),
                    is_anonymous=data["is_anonymous"],
                    photos=data["photos"],
                    contact_consent=data.get("contact_consent", False),
                    idempotency_key=data["idempotency_key"],
                    answers=form.answers(),
                )
            except ValidationError as error:
                form.apply_service_error(error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your report has the tracking code %(code)s.")
                    % {"code": report.tracking_code},
                )
                return redirect(_follow_link_url(report))
    return render(
        request,
        "reports/report_form.html",
        {
            "form": form,
            "categories": categories,
            "candidates": candidates,
            "photos_dropped": bool(candidates or form.errors) and bool(request.FILES),
            "map": _map_settings(municipality),
        },
    )


@require_GET
def report_duplicates(request):
    """Possible duplicates of the report being written (category, place, and optionally the
    description typed so far as `text`), best first, as JSON with each one's score and parts."""
    query = DuplicatesQueryForm(request.GET)
    if not query.is_valid():
        return JsonResponse(
            {"error": _("Invalid parameters."), "fields": query.errors.get_json_data()}, status=400
        )
    try:
        category = access_category(
            municipality=request.municipality, category_id=query.cleaned_data["category"]
        )
    except Http404:
        return JsonResponse({"error": _("Unknown category.")}, status=400)
    url_for = _code_url_maker(request.municipality)
    found = duplicate_finder.find(
        municipality=request.municipality,
        category=category,
        lat=query.cleaned_data["lat"],
        lng=query.cleaned_data["lng"],
        text=request.GET.get("text", "")[:DUPLICATE_TEXT_CHARS],
        when=None,
        exclude_id=None,
        limit=5,
    )
    return JsonResponse(
        {"candidates": [_candidate(c, url_for, category_id=category.pk) for c in found]}
    )


# --- public list and map ---------------------------------------------------------------------


@require_GET
def report_list(request):
    form = _filter_form(request)
    reports = report_list_public(municipality=request.municipality, filters=form.filters())
    page = Paginator(reports, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/report_list.html",
        {"form": form, "page": page, "filter_query": _filter_query(request, form)},
    )


@require_GET
def report_map(request):
    form = _filter_form(request)
    form.is_valid()
    return render(
        request,
        "reports/report_map.html",
        {
            "form": form,
            "filter_query": _filter_query(request, form),
            "map": _map_settings(request.municipality),
        },
    )


@require_GET
def report_map_data(request):
    params = MapDataForm(request.GET)
    if not params.is_valid():
        return JsonResponse(
            {"error": _("Invalid map parameters."), "fields": params.errors.get_json_data()},
            status=400,
        )
    filters = ReportFilters()
    if any(request.GET.get(name) for name in FILTER_FIELDS):
        filter_form = _filter_form(request)
        if not filter_form.is_valid():
            return JsonResponse(
                {"error": _("Invalid filters."), "fields": filter_form.errors.get_json_data()},
                status=400,
            )
        filters = filter_form.filters()
    result = report_map_points(
        municipality=request.municipality,
        zoom=params.cleaned_data["zoom"],
        box=params.box(),
        filters=filters,
    )
    url_for = _code_url_maker(request.municipality)
    if result["kind"] == "points":
        points = [
            {
                "code": row["tracking_code"],
                "lat": row["lat"],
                "lng": row["lng"],
                "status": row["status"],
                "status_label": str(Status(row["status"]).label),
                "icon": row["category__icon"],
                "category": _name(row, "category__"),
                "url": url_for(row["tracking_code"]),
            }
            for row in result["points"]
        ]
        total = len(points)
        payload = {"kind": "points", "points": points}
    else:
        clusters = []
        for cluster in result["clusters"]:
            count = cluster["count"]
            clusters.append(
                {
                    "lat": cluster["lat"],
                    "lng": cluster["lng"],
                    "count": count,
                    "url": url_for(cluster["code"]) if cluster["code"] else None,
                    "label": ngettext(
                        "%(count)s report here; zoom in", "%(count)s reports here; zoom in", count
                    )
                    % {"count": count},
                }
            )
        total = sum(cluster["count"] for cluster in clusters)
        payload = {"kind": "clusters", "clusters": clusters}
    payload["summary"] = ngettext(
        "%(count)s report in this area.", "%(count)s reports in this area.", total
    ) % {"count": total}
    return JsonResponse(payload)


# --- one report ------------------------------------------------------------------------------


@require_GET
def report_detail(request, code):
    report = access_report(municipality=request.municipality, code=code)
    return _render_report_page(request, report)


@require_GET
def report_follow_link(request, code, token):
    report = access_report(municipality=request.municipality, code=code)
    if not _token_matches(report, token):
        raise Http404("No such report")
    return _render_report_page(request, report, private=True)


@require_POST
def report_support(request, code):
    report = access_report(municipality=request.municipality, code=code)
    if not request.user.is_authenticated:
        return redirect_to_login(_detail_url(report))
    try:
        added = services.report_support(report=report, user=request.user)
    except ValidationError as error:
        _message_errors(request, error)
    else:
        if added:
            messages.success(
                request, _("Thank you: your support is counted and you will be told of changes.")
            )
        else:
            messages.info(request, _("You already support this report."))
    return redirect(_detail_url(report, "support"))


@require_POST
def report_comment(request, code):
    report = access_report(municipality=request.municipality, code=code)
    if not request.user.is_authenticated:
        return redirect_to_login(_detail_url(report))
    form = CommentForm(request.POST)
    if form.is_valid():
        key = form.cleaned_data["once"]
        used = request.session.get(COMMENT_KEYS_SESSION, [])
        if key and key in used:
            messages.info(request, _("Your comment was already posted."))
            return redirect(_detail_url(report, "comments"))
        try:
            services.report_comment_create(
                report=report, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            if key:
                request.session[COMMENT_KEYS_SESSION] = [*used, key][-20:]
            messages.success(request, _("Your comment is posted."))
            return redirect(_detail_url(report, "comments"))
    return _render_report_page(request, report, comment_form=form)


@require_POST
def report_follow(request, code):
    report = access_report(municipality=request.municipality, code=code)
    if request.user.is_authenticated:
        services.report_follow(report=report, user=request.user)
        if request.user.email:
            messages.success(request, _("You follow this report: we e-mail you when it changes."))
        else:
            messages.success(
                request,
                _(
                    "You follow this report. Add an e-mail address to your account to receive updates."
                ),
            )
        return redirect(_detail_url(report, "follow"))
    form = FollowForm(request.POST)
    if form.is_valid():
        try:
            services.report_follow(report=report, email=form.cleaned_data["email"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("You follow this report: we e-mail you when it changes."))
            return redirect(_detail_url(report, "follow"))
    return _render_report_page(request, report, follow_form=form)


@csrf_exempt  # the token in the URL is the credential; mail clients' one-click unsubscribe POSTs
@require_http_methods(["GET", "POST"])
def report_unfollow(request, code, token):
    report = access_report(municipality=request.municipality, code=code)
    # Opening the link only asks: mail scanners that pre-open links must not unsubscribe anyone.
    if request.method == "POST":
        removed = services.report_unfollow(report=report, token=token)
        context = {"report": report, "removed": removed, "confirm": False}
    else:
        valid = report_follower_token_valid(report=report, token=token)
        context = {"report": report, "removed": False, "confirm": valid}
    response = render(request, "reports/unfollow.html", context)
    patch_cache_control(response, private=True, no_store=True)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _reporter_action(request, code, form_class, form_key: str, act) -> HttpResponse:
    """Rate and reopen: the signed-in reporter, or anyone holding the follow token."""
    report = access_report(municipality=request.municipality, code=code)
    form = form_class(request.POST)
    private = _token_matches(report, request.POST.get("token", ""))
    user = _user(request)
    if not private and (user is None or report.reporter_id != user.id):
        raise PermissionDenied(_("Only the person who reported this can do this."))
    if form.is_valid():
        try:
            message = act(report, form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                _message_errors(request, error)
                return redirect(_back(report, private=private))
            apply_validation_error(form, error)
        else:
            messages.success(request, message)
            return redirect(_back(report, private=private))
    return _render_report_page(request, report, private=private, **{form_key: form})


@require_POST
def report_rate(request, code):
    def act(report, data):
        services.report_rate(
            report=report,
            user=_user(request),
            follow_token=data["token"],
            score=data["score"],
            comment=data["comment"],
        )
        return _("Thank you for rating the result.")

    return _reporter_action(request, code, RateForm, "rate_form", act)


@require_POST
def report_reopen(request, code):
    def act(report, data):
        services.report_reopen(
            report=report, user=_user(request), follow_token=data["token"], reason=data["reason"]
        )
        return _("The report is open again; the municipality will look at it.")

    return _reporter_action(request, code, ReopenForm, "reopen_form", act)
