"""Path and query parameters shared by the API's operations, with their limits."""

from datetime import date, datetime, time, timedelta
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Path, Query

from thesaban.channels.api.errors import ApiError
from thesaban.channels.api.schemas import MAX_ID, ShortToken

SLUG_PATTERN = r"^[-a-zA-Z0-9_]{1,50}$"
CODE_PATTERN = r"^[A-Za-z0-9-]{1,32}$"

Slug = Annotated[
    str, Path(description="The municipality's slug (see /municipalities).", pattern=SLUG_PATTERN)
]
Code = Annotated[
    str, Path(description="A report's tracking code, e.g. DEMO-2569-000123.", pattern=CODE_PATTERN)
]
Limit = Annotated[int, Query(description="Page size (1-100).", ge=1, le=100)]
Offset = Annotated[int, Query(description="Items to skip.", ge=0, le=1_000_000)]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Search = Annotated[
    str | None,
    Query(description="Words of the description, or a tracking code.", max_length=100),
]
DateQuery = Annotated[date | None, Query(description="YYYY-MM-DD (Christian era).")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Makes retries safe: the same key with the same request returns the first "
        "answer (200 instead of 201) without writing again; with a different request, 409. "
        "8-200 visible ASCII characters; use a fresh UUID per new request.",
        pattern=r"^[\x21-\x7e]{8,200}$",
    ),
]
FollowerToken = Annotated[
    ShortToken | None,
    Query(description="An e-mail follower's unsubscribe token, when not signed in."),
]

EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


def date_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, ...]:
    """Aware datetimes for [date_from, date_to + 1 day); 422 for dates out of range or reversed."""
    errors: dict[str, list[str]] = {}
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if value is not None and not EARLIEST <= value <= LATEST:
            errors[name] = [
                _("Give a date between %(start)s and %(end)s (Christian era).")
                % {"start": EARLIEST.isoformat(), "end": LATEST.isoformat()}
            ]
    if not errors and date_from and date_to and date_to < date_from:
        errors["date_to"] = [_("The end date is before the start date.")]
    if errors:
        raise ApiError(422, _("Some values are not valid."), errors)

    def aware(day: date | None, extra: int = 0) -> datetime | None:
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=extra), time.min))

    return aware(date_from), aware(date_to, 1)


def clean_search(q: str | None) -> str:
    q = (q or "").strip()
    if "\x00" in q:
        raise ApiError(
            422,
            _("Some values are not valid."),
            {"q": [_("This text contains a character that is not allowed.")]},
        )
    return q
