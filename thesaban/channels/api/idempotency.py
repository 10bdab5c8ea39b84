"""`Idempotency-Key` for the API's writes: a retry with the same key and the same request gets
the first answer again (200 where the first was 201, with `Idempotent-Replayed: true`) and
changes nothing; the same key with a different request is refused with 409.

The record is written in the same transaction as the write itself, so either both exist or
neither does; two simultaneous requests with one key serialise on the record's unique
constraint and the loser's write is rolled back.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from thesaban.channels.api import selectors, services
from thesaban.channels.api.auth import principal_of
from thesaban.channels.api.errors import ApiError
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Report

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{8,200}$")  # visible ASCII, e.g. a UUID


@dataclass
class Outcome:
    status: int
    body: Any
    report: Report | None = None
    replayed: bool = False


def client_key(request: HttpRequest) -> str:
    """The header's value, checked; "" when absent."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return ""
    if not KEY_PATTERN.match(raw):
        raise ApiError(
            422,
            _("The Idempotency-Key must be 8 to 200 visible ASCII characters, e.g. a UUID."),
            {HEADER: [_("This value is not in the expected format.")]},
        )
    return raw


def request_digest(operation: str, path: str, body: Any) -> str:
    canonical = json.dumps(
        {"operation": operation, "path": path, "body": body},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _LostRace(Exception):
    pass


def _replay(record, replay: Callable[[Any], Outcome] | None) -> Outcome:
    if replay is not None:
        outcome = replay(record)
    else:
        outcome = Outcome(record.response_status, record.response_body)
    outcome.status = 200 if outcome.status == 201 else outcome.status
    outcome.replayed = True
    return outcome


def mark_replay(response, outcome: Outcome) -> None:
    if outcome.replayed:
        response["Idempotent-Replayed"] = "true"


def run(
    request: HttpRequest,
    *,
    municipality: Municipality,
    operation: str,
    body: Any,
    perform: Callable[[str], Outcome],
    replay: Callable[[Any], Outcome] | None = None,
) -> Outcome:
    """Do `perform(namespaced_key)` once per Idempotency-Key (or every time without one).

    `replay(record)` rebuilds the answer of a retry (default: the stored answer)."""
    key = client_key(request)
    if not key:
        return perform("")
    namespaced = f"{principal_of(request).ref}\n{key}"
    key_digest = hashlib.sha256(namespaced.encode("utf-8")).hexdigest()
    digest = request_digest(operation, request.path, body)

    def check(record) -> Outcome:
        if record.request_digest != digest:
            raise ApiError(
                409,
                _(
                    "This Idempotency-Key was already used for a different request; "
                    "use a new key for a new request."
                ),
                {HEADER: [_("Already used for a different request.")]},
            )
        return _replay(record, replay)

    try:
        with transaction.atomic():
            record = selectors.idempotency_record(municipality=municipality, key_digest=key_digest)
            if record is not None:
                return check(record)
            outcome = perform("api:" + key_digest[:56])
            try:
                with transaction.atomic():
                    services.idempotency_record_create(
                        municipality=municipality,
                        key_digest=key_digest,
                        request_digest=digest,
                        operation=operation,
                        response_status=outcome.status,
                        response_body=outcome.body,
                        report=outcome.report,
                    )
            except IntegrityError:
                raise _LostRace from None  # undo this request's write; the other one counts
            return outcome
    except _LostRace:
        record = selectors.idempotency_record(municipality=municipality, key_digest=key_digest)
        return check(record)
