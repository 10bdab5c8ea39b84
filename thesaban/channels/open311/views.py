"""Open311 GeoReport v2 at /open311/v2/ (docs/open311.md).

Each view: resolve the jurisdiction, read and validate the arguments (params.py), call one
selector or service, and render the document (documents.py, render.py) in the format the URL
names. Every failure is the spec's error list with the matching HTTP status.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt

from thesaban.channels.open311 import documents, params, selectors, services
from thesaban.channels.open311.errors import (
    Open311Error,
    bad_request,
    forbidden,
    not_found,
)
from thesaban.channels.open311.render import document_response, error_response
from thesaban.channels.selectors import api_key_authenticate
from thesaban.municipalities.models import Municipality

IDEMPOTENCY_HEADER = "Idempotency-Key"


def request_language(request: HttpRequest) -> str:
    """Thai unless the client asks for English: `locale` (or `lang`) argument first, then the
    Accept-Language header."""
    chosen = request.GET.get("locale") or request.GET.get("lang")
    if not chosen and request.method == "POST":
        chosen = request.POST.get("locale") or request.POST.get("lang")
    candidates = (
        [chosen]
        if chosen
        else [
            language
            for language, _quality in parse_accept_lang_header(
                request.headers.get("Accept-Language", "")[:500]
            )
        ]
    )
    for candidate in candidates:
        candidate = candidate.lower()
        if candidate.startswith("en"):
            return "en"
        if candidate.startswith("th"):
            return "th"
    return "th"


def open311_endpoint(*methods: str) -> Callable:
    if "GET" in methods:
        methods = (*methods, "HEAD")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str = "xml", **kwargs) -> HttpResponse:
            language = "th"
            try:
                language = request_language(request)
                with translation.override(language):
                    if request.method not in methods:
                        raise Open311Error.single(
                            405,
                            _("%(method)s is not allowed here; use %(allowed)s.")
                            % {"method": request.method[:10], "allowed": ", ".join(methods)},
                        )
                    response = view(request, fmt, **kwargs)
            except Open311Error as error:
                with translation.override(language):
                    response = error_response(fmt, error.status, error.errors)
                if error.status == 405:
                    response["Allow"] = ", ".join(methods)
            except SuspiciousOperation:
                # Too many fields or too large a body: refused before any parsing.
                with translation.override(language):
                    response = error_response(
                        fmt, 400, [(400, _("The request is too large or has too many fields."))]
                    )
            response["Content-Language"] = language
            patch_vary_headers(response, ["Accept-Language"])
            if request.method in ("GET", "HEAD"):
                # Public data: browser apps on other sites may read it.
                response["Access-Control-Allow-Origin"] = "*"
            return response

        return wrapper

    return decorate


def _arguments(request: HttpRequest) -> QueryDict:
    """The query string, overridden by the form body of a POST."""
    merged = request.GET.copy()
    if request.method == "POST":
        for key in request.POST:
            merged.setlist(key, request.POST.getlist(key))
    return merged


def _jurisdiction(arguments: QueryDict) -> Municipality:
    slug = params.text(arguments, "jurisdiction_id", limit=100)
    if slug:
        municipality = selectors.jurisdiction_by_slug(slug=slug)
        if municipality is None:
            raise not_found(_("jurisdiction_id %(value)s was not found.") % {"value": slug[:50]})
        return municipality
    only = selectors.the_only_jurisdiction()
    if only is None:
        raise bad_request(
            _(
                "jurisdiction_id was not provided: this server serves several municipalities; "
                "give the municipality's short name (its slug)."
            )
        )
    return only


def _service(municipality: Municipality, code: str):
    category = selectors.service_by_code(municipality=municipality, code=code)
    if category is None:
        raise not_found(_("service_code %(value)s was not found.") % {"value": code[:50]})
    return category


@open311_endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    arguments = _arguments(request)
    municipality = None
    if params.text(arguments, "jurisdiction_id", limit=100):
        municipality = _jurisdiction(arguments)
    else:
        municipality = selectors.the_only_jurisdiction()
    document = documents.discovery(request, municipality, reverse("open311:root"))
    return document_response(fmt, "discovery", document)


@open311_endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    municipality = _jurisdiction(_arguments(request))
    services_ = [documents.service(c) for c in selectors.service_list(municipality=municipality)]
    return document_response(fmt, "services", services_)


@open311_endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    municipality = _jurisdiction(_arguments(request))
    category = _service(municipality, service_code)
    return document_response(fmt, "service_definition", documents.service_definition(category))


@open311_endpoint("GET", "POST")
def service_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    arguments = _arguments(request)
    municipality = _jurisdiction(arguments)
    query = params.request_query(arguments)
    if query.service_codes:
        known = selectors.known_service_codes(municipality=municipality, codes=query.service_codes)
        unknown = [code for code in query.service_codes if code not in known]
        if unknown:
            raise not_found(_("service_code %(value)s was not found.") % {"value": unknown[0][:50]})
    reports = selectors.requests_matching(municipality=municipality, query=query)
    per_category: dict = {}
    document = [documents.service_request(request, report, per_category) for report in reports]
    return document_response(fmt, "service_requests", document)


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    arguments = _arguments(request)
    municipality = _jurisdiction(arguments)
    raw_key = params.text(arguments, "api_key", limit=200)
    if not raw_key:
        raise forbidden(_("api_key is missing: a POST needs the key the municipality issued."))
    api_key = api_key_authenticate(raw_key=raw_key, municipality=municipality)
    if api_key is None:
        raise forbidden(
            _("Invalid api_key received: it is unknown, revoked or for another jurisdiction.")
        )
    new = params.new_request(arguments)
    category = _service(municipality, new.service_code)
    token = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(token) > 64:
        raise bad_request(_("The Idempotency-Key header may have at most 64 characters."))
    try:
        outcome = services.open311_request_create(
            municipality=municipality, api_key=api_key, category=category, new=new, token=token
        )
    except ValidationError as error:
        raise Open311Error(400, _validation_errors(error)) from None
    document = [documents.created_request(outcome.report, account_id=new.account_id)]
    return document_response(
        fmt, "service_requests", document, status=201 if outcome.created else 200
    )


def _validation_errors(error: ValidationError) -> list[tuple[int, str]]:
    if hasattr(error, "error_dict"):
        return [
            (400, f"{_field_name(field)}: {message}")
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [(400, message) for message in error.messages]


def _field_name(field: str) -> str:
    # report_create's field names, in Open311's words.
    return {"lat": "lat, long", "address": "address_string", "photos": "media_url"}.get(
        field, field
    )


@open311_endpoint("GET")
def service_request(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    municipality = _jurisdiction(_arguments(request))
    report = selectors.request_by_id(
        municipality=municipality, service_request_id=service_request_id[:64]
    )
    if report is None:
        raise not_found(
            _("service_request_id %(value)s was not found.") % {"value": service_request_id[:64]}
        )
    return document_response(fmt, "service_requests", [documents.service_request(request, report)])


@open311_endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    municipality = _jurisdiction(_arguments(request))
    found = selectors.token_lookup(municipality=municipality, token=token[:64])
    if not found:
        raise not_found(_("token %(value)s was not found.") % {"value": token[:64]})
    document = [documents.token_request(item.token, item.report) for item in found]
    return document_response(fmt, "service_requests", document)


@open311_endpoint("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
def unknown(request: HttpRequest, fmt: str, path: str = "") -> HttpResponse:
    raise not_found(
        _("There is no Open311 resource at %(path)s; see discovery.xml.") % {"path": path[:100]}
    )
