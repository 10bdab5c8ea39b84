"""Reading Open311 arguments: every malformed value becomes a precise 400, never a 500."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.channels.open311.errors import Open311Error, bad_request

# GET requests: "Default query limit is a span of 90 days or first 1000 requests returned,
# whichever is smallest."
DEFAULT_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 1000
MAX_DESCRIPTION = 4000  # the spec's limit for description
MAX_VALUE_LENGTH = 2000  # any other single argument
MAX_ATTRIBUTES = 100
STATUSES = ("open", "closed")

_W3C = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(?P<tz>Z|[+-]\d{2}:\d{2})?)?$"
)
_ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\[\]]{1,50})\](?P<many>\[\])?$")


def text(params: QueryDict, name: str, *, limit: int = MAX_VALUE_LENGTH) -> str:
    """A single argument, stripped; "" when absent (the spec: empty equals absent)."""
    value = params.get(name, "")
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > limit:
        raise bad_request(
            _("%(name)s: at most %(limit)s characters.") % {"name": name, "limit": limit}
        )
    return value


def w3c_datetime(value: str, name: str) -> datetime:
    """A W3C-profile ISO 8601 date or date-time. Without a time zone: Thailand's local time."""
    match = _W3C.match(value)
    parsed = None
    if match:
        normalised = value.replace(" ", "T").replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(normalised)
        except ValueError:
            parsed = None
    if parsed is None:
        raise bad_request(
            _("%(name)s: %(value)s is not a W3C date and time such as 2026-11-21T09:30:00+07:00.")
            % {"name": name, "value": value[:40]}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def comma_list(value: str, name: str, *, limit: int) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    if len(items) > limit:
        raise bad_request(
            _("%(name)s: at most %(limit)s values at once.") % {"name": name, "limit": limit}
        )
    return list(dict.fromkeys(items))


@dataclass
class RequestQuery:
    """GET requests, after validation."""

    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] = field(default_factory=list)
    limit: int = MAX_RESULTS


def request_query(params: QueryDict, *, now: datetime | None = None) -> RequestQuery:
    """service_request_id overrides every other argument, as the spec says; otherwise the window
    is the last 90 days, a start alone runs 90 days on, an end alone reaches 90 days back, and
    a start and an end may not be more than 90 days apart."""
    ids_text = text(params, "service_request_id", limit=MAX_IDS * 40)
    if ids_text:
        return RequestQuery(ids=comma_list(ids_text, "service_request_id", limit=MAX_IDS))
    now = now or timezone.now()
    query = RequestQuery()
    query.service_codes = comma_list(
        text(params, "service_code", limit=MAX_IDS * 60), "service_code", limit=200
    )
    statuses = comma_list(text(params, "status"), "status", limit=len(STATUSES))
    unknown = [status for status in statuses if status not in STATUSES]
    if unknown:
        raise bad_request(
            _("status: %(value)s is not a status; use open or closed.") % {"value": unknown[0][:40]}
        )
    query.statuses = statuses
    start_text, end_text = text(params, "start_date", limit=40), text(params, "end_date", limit=40)
    start = w3c_datetime(start_text, "start_date") if start_text else None
    end = w3c_datetime(end_text, "end_date") if end_text else None
    if start and end:
        if end < start:
            raise bad_request(_("end_date is before start_date."))
        if end - start > DEFAULT_SPAN:
            raise bad_request(_("start_date and end_date may not be more than 90 days apart."))
    elif start:
        end = start + DEFAULT_SPAN
    elif end:
        start = end - DEFAULT_SPAN
    else:
        start, end = now - DEFAULT_SPAN, now
    query.start, query.end = start, end
    return query


def coordinate(value: str, name: str, bound: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise bad_request(
            _("%(name)s: %(value)s is not a WGS84 coordinate between -%(bound)s and %(bound)s.")
            % {"name": name, "value": value[:40], "bound": int(bound)}
        )
    return number


def attributes(params: QueryDict) -> dict[str, Any]:
    """attribute[code]=value and, for a multivaluelist, attribute[code][]=v1&attribute[code][]=v2."""
    answers: dict[str, Any] = {}
    for name in params:
        match = _ATTRIBUTE.match(name)
        if not match:
            if name.startswith("attribute"):
                raise bad_request(
                    _("%(name)s is not an attribute; write attribute[code]=value.")
                    % {"name": name[:60]}
                )
            continue
        values = [value.strip() for value in params.getlist(name)]
        if any(len(value) > MAX_VALUE_LENGTH for value in values):
            raise bad_request(
                _("%(name)s: at most %(limit)s characters.")
                % {"name": name[:60], "limit": MAX_VALUE_LENGTH}
            )
        code = match["code"]
        if match["many"] or len(values) > 1:
            answers[code] = [*answers.get(code, []), *values] if match["many"] else values
        else:
            answers[code] = values[0] if values else ""
        if len(answers) > MAX_ATTRIBUTES:
            raise bad_request(_("Too many attributes."))
    return answers


@dataclass
class NewRequest:
    """POST requests, after validation (the service_code is checked by the view)."""

    service_code: str
    lat: float | None
    lng: float | None
    address: str
    address_id: str
    description: str
    email: str
    phone: str
    first_name: str
    last_name: str
    device_id: str
    account_id: str
    media_url: str
    answers: dict[str, Any]


def new_request(params: QueryDict) -> NewRequest:
    errors: list[tuple[int, str]] = []

    def collect(function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Open311Error as error:
            errors.extend(error.errors)
            return None

    service_code = collect(text, params, "service_code", limit=50) or ""
    if not service_code:
        errors.append((400, _("service_code: a service_code is required.")))
    lat_text = collect(text, params, "lat", limit=40) or ""
    lng_text = collect(text, params, "long", limit=40) or ""
    lat = collect(coordinate, lat_text, "lat", 90.0) if lat_text else None
    lng = collect(coordinate, lng_text, "long", 180.0) if lng_text else None
    if bool(lat_text) != bool(lng_text):
        errors.append((400, _("lat and long: give both, or neither.")))
    address = collect(text, params, "address_string", limit=300) or ""
    address_id = collect(text, params, "address_id", limit=100) or ""
    if not (lat_text and lng_text) and not address and not address_id:
        errors.append(
            (400, _("A location is required: lat and long, or address_string, or address_id."))
        )
    description = collect(text, params, "description", limit=MAX_DESCRIPTION) or ""
    email = collect(text, params, "email", limit=254) or ""
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors.append(
                (400, _("email: %(value)s is not an e-mail address.") % {"value": email[:60]})
            )
    media_url = collect(text, params, "media_url", limit=500) or ""
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            errors.append((400, _("media_url: give an http or https URL.")))
    fields = {
        name: collect(text, params, name, limit=limit) or ""
        for name, limit in (
            ("phone", 20),
            ("first_name", 70),
            ("last_name", 70),
            ("device_id", 100),
            ("account_id", 100),
        )
    }
    answers = collect(attributes, params) or {}
    if errors:
        raise Open311Error(400, errors)
    return NewRequest(
        service_code=service_code,
        lat=lat,
        lng=lng,
        address=address,
        address_id=address_id,
        description=description,
        email=email,
        media_url=media_url,
        answers=answers,
        **fields,
    )
