"""One error shape for every answer of the JSON API that is not a success:

    {"detail": "A sentence for people", "errors": {"field": ["message", ...]}}

`detail` and the messages are in the request's language (Accept-Language th/en, Thai by
default). `errors` is empty when no particular field is at fault; a message about the request
as a whole sits under "__all__". Validation errors of django-ninja (the request did not match
the schema) and Django `ValidationError`s raised by services both become 422 with the field
messages; other statuses: 400 unreadable body, 401 missing or bad credentials, 403 not
allowed, 404 not found, 409 idempotency key reused for another request, 413 too large, 429
throttled.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

NON_FIELD = "__all__"


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str = Field(description="What went wrong, in the request's language.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Messages per field ("__all__" for the request as a whole); may be empty.',
    )


class ApiError(Exception):
    """Raised by operations for an error answer in the common shape."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or {}
        self.headers = headers or {}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """`response=` entries documenting the error statuses an operation may answer."""
    return dict.fromkeys(statuses, ErrorOut)


# --- pydantic's error types, in the request's language -------------------------------------


def _limit(error: dict, *names: str) -> Any:
    ctx = error.get("ctx") or {}
    for name in names:
        if name in ctx:
            value = ctx[name]
            if isinstance(value, float) and value.is_integer():
                return int(value)  # "at most 90", not "at most 90.0"
            return value
    return ""


def pydantic_message(error: dict) -> str:
    """A translated message for one pydantic error (its English `msg` is never shown)."""
    kind = error.get("type", "")
    loc = [str(part) for part in error.get("loc", ())]
    if kind == "missing" and loc[:1] == ["body"] and len(loc) == 2:
        return _("Send a JSON object as the request body.")
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        if _limit(error, "min_length") in (1, "1"):
            return _("This field may not be blank.")
        return _("At least %(limit)s characters.") % {"limit": _limit(error, "min_length")}
    if kind == "string_too_long":
        return _("At most %(limit)s characters.") % {"limit": _limit(error, "max_length")}
    if kind == "string_pattern_mismatch":
        return _("This value is not in the expected format.")
    if kind in ("string_type", "string_unicode"):
        return _("Give text.")
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return _("Give a whole number.")
    if kind in ("float_type", "float_parsing", "finite_number", "decimal_parsing"):
        return _("Give a number.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Give a value of at least %(limit)s.") % {"limit": _limit(error, "ge", "gt")}
    if kind in ("less_than_equal", "less_than"):
        return _("Give a value of at most %(limit)s.") % {"limit": _limit(error, "le", "lt")}
    if kind in ("bool_type", "bool_parsing"):
        return _("Give true or false.")
    if kind in ("literal_error", "enum"):
        return _("Choose one of: %(choices)s.") % {"choices": _limit(error, "expected")}
    if kind.startswith("date") and not kind.startswith("datetime"):
        return _("Give a date as YYYY-MM-DD.")
    if kind.startswith("datetime"):
        return _("Give a date and time as YYYY-MM-DDThh:mm:ss.")
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return _("Give a JSON object.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Give a list.")
    if kind == "too_long":
        return _("At most %(limit)s items.") % {"limit": _limit(error, "max_length")}
    if kind == "too_short":
        return _("At least %(limit)s items.") % {"limit": _limit(error, "min_length")}
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind == "extra_forbidden":
        return _("This field is not expected here.")
    if kind in ("value_error", "assertion_error"):
        # Our own validators raise messages that are already translated.
        message = str(_limit(error, "error"))
        return message or _("This value is not valid.")
    if kind == "union_tag_invalid" or kind.startswith("union"):
        return _("This value is not valid.")
    return _("This value is not valid.")


# Names of the schema-typed parameters of operations: they are not part of a field's name.
_WRAPPERS = {"payload", "filters", "data", "body", "query", "form"}


def field_name(loc: list | tuple) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
    if parts and parts[0] in _WRAPPERS:
        parts = parts[1:]
    return ".".join(parts) or NON_FIELD


def _response(
    api, request: HttpRequest, status: int, detail: str, errors=None, headers=None
) -> HttpResponse:
    response = api.create_response(
        request, {"detail": str(detail), "errors": errors or {}}, status=status
    )
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="thesaban"'
    return response


def django_validation_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(message) for message in error.messages]}


def install_error_handlers(api) -> None:
    """Replace django-ninja's handlers so every error has the common shape and language."""

    def on_api_error(request, exc: ApiError):
        return _response(api, request, exc.status, exc.detail, exc.errors, exc.headers)

    def on_ninja_validation(request, exc: NinjaValidationError):
        errors: dict[str, list[str]] = {}
        for item in exc.errors:
            errors.setdefault(field_name(item.get("loc", ())), []).append(pydantic_message(item))
        return _response(api, request, 422, _("Some values are not valid."), errors)

    def on_django_validation(request, exc: DjangoValidationError):
        errors = django_validation_errors(exc)
        messages = [message for items in errors.values() for message in items]
        detail = messages[0] if len(messages) == 1 else _("Some values are not valid.")
        return _response(api, request, 422, detail, errors)

    def on_permission_denied(request, exc: PermissionDenied):
        detail = str(exc) if exc.args and exc.args[0] else _("You are not allowed to do this.")
        return _response(api, request, 403, detail)

    def on_not_found(request, exc: Http404):
        return _response(api, request, 404, _("Not found."))

    def on_http_error(request, exc: HttpError):
        if isinstance(exc, Throttled):
            return _response(api, request, 429, _("Too many requests; try again later."))
        if isinstance(exc, AuthenticationError):
            message = exc.message
            if message == "Unauthorized":
                message = _("Sign in first: send the header Authorization: Bearer <token>.")
            return _response(api, request, 401, message)
        if exc.status_code == 400:
            return _response(api, request, 400, _("The request body is not valid JSON."))
        return _response(api, request, exc.status_code, exc.message)

    def on_too_big(request, exc: RequestDataTooBig):
        return _response(api, request, 413, _("The request is too large."))

    def on_suspicious(request, exc: SuspiciousOperation):
        return _response(api, request, 400, _("The request could not be read."))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
