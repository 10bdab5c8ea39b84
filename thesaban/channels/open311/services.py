"""The one write behind Open311: POST requests becomes a report, safely retried."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from thesaban.channels.models import ApiKey, Open311Token
from thesaban.channels.open311.params import NewRequest
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Category, Report
from thesaban.reports.services import report_create

# A POST without an Idempotency-Key is recognised by its content for this long: an integrator
# that retries after a timeout gets the request its first attempt created.
CONTENT_REPLAY_WINDOW = timedelta(hours=24)


@dataclass
class Created:
    report: Report
    created: bool  # False when this POST repeated an earlier one


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()
    return f"o311:{digest[:59]}"


def token_idempotency_key(*, api_key: ApiKey, token: str) -> str:
    return _key("token", str(api_key.pk), token)


def content_idempotency_key(*, api_key: ApiKey, new: NewRequest, day: str) -> str:
    content = json.dumps(
        {
            "service_code": new.service_code,
            "lat": new.lat,
            "long": new.lng,
            "address": new.address,
            "address_id": new.address_id,
            "description": new.description,
            "email": new.email,
            "phone": new.phone,
            "first_name": new.first_name,
            "last_name": new.last_name,
            "device_id": new.device_id,
            "account_id": new.account_id,
            "media_url": new.media_url,
            "attributes": new.answers,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return _key("content", str(api_key.pk), day, content)


def _day(moment: datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


@transaction.atomic
def open311_request_create(
    *,
    municipality: Municipality,
    api_key: ApiKey,
    category: Category,
    new: NewRequest,
    token: str = "",
    now: datetime | None = None,
) -> Created:
    """Create the report an Open311 POST asks for.

    Retries are safe. With a `token` (the client's Idempotency-Key header) a repeated POST
    returns the request the first one created, whatever it carries. Without one, a POST with the
    same content from the same key within 24 hours counts as a retry. The report itself is
    audited by `report_create` (channel open311, which key).
    """
    now = now or timezone.now()
    token = token.strip()[:64]
    reports = Report.objects.filter(municipality=municipality)
    if token:
        known = Open311Token.objects.filter(
            municipality=municipality, api_key=api_key, token=token
        ).first()
        if known is not None:
            return Created(report=known.report, created=False)
        idempotency_key = token_idempotency_key(api_key=api_key, token=token)
        previous = reports.filter(idempotency_key=idempotency_key).first()
    else:
        idempotency_key = content_idempotency_key(api_key=api_key, new=new, day=_day(now))
        yesterday = content_idempotency_key(
            api_key=api_key, new=new, day=_day(now - timedelta(days=1))
        )
        previous = (
            reports.filter(
                idempotency_key__in=[idempotency_key, yesterday],
                submitted_at__gte=now - CONTENT_REPLAY_WINDOW,
            )
            .order_by("-submitted_at")
            .first()
        )
    if previous is not None:
        return Created(report=previous, created=False)

    external_ref = {
        name: value
        for name, value in (
            ("device_id", new.device_id),
            ("account_id", new.account_id),
            ("address_id", new.address_id),
        )
        if value
    }
    report = report_create(
        municipality=municipality,
        category=category,
        description=new.description or category.name_th,
        lat=new.lat,
        lng=new.lng,
        address=new.address or new.address_id,
        reporter_name=f"{new.first_name} {new.last_name}".strip(),
        reporter_email=new.email,
        reporter_phone=new.phone,
        channel=Report.Channel.OPEN311,
        idempotency_key=idempotency_key,
        answers=new.answers,
        media_url=new.media_url,
        api_key=api_key,
        external_ref=external_ref,
        submitted_at=now,
    )
    if token:
        try:
            with transaction.atomic():
                Open311Token.objects.create(
                    municipality=municipality, api_key=api_key, token=token, report=report
                )
        except IntegrityError:
            pass  # a simultaneous retry with the same token recorded it first
    return Created(report=report, created=True)
