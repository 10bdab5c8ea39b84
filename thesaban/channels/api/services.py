"""Writes of the JSON API itself (the report writes are in thesaban/reports/services.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from thesaban.channels.api.models import IdempotencyRecord
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Report


@transaction.atomic
def idempotency_record_create(
    *,
    municipality: Municipality,
    key_digest: str,
    request_digest: str,
    operation: str,
    response_status: int,
    response_body: Any,
    report: Report | None = None,
) -> IdempotencyRecord:
    """Remember the answer to a write sent with an Idempotency-Key. Raises IntegrityError when
    a simultaneous request with the same key got there first (the caller rolls back)."""
    return IdempotencyRecord.objects.create(
        municipality=municipality,
        key_digest=key_digest,
        request_digest=request_digest,
        operation=operation[:100],
        response_status=response_status,
        response_body=response_body,
        report=report,
    )
