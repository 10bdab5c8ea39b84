"""Reads of the channels app."""

from datetime import timedelta

from django.utils import timezone

from thesaban.channels.keys import digest
from thesaban.channels.models import ApiKey
from thesaban.municipalities.models import Municipality


def api_key_authenticate(
    *, raw_key: str, municipality: Municipality | None = None
) -> ApiKey | None:
    """The active key matching `raw_key` (of `municipality` when given), or None."""
    if not raw_key or len(raw_key) > 200:
        return None
    keys = ApiKey.objects.select_related("municipality").filter(
        key_digest=digest(raw_key), revoked_at__isnull=True, municipality__is_active=True
    )
    if municipality is not None:
        keys = keys.filter(municipality=municipality)
    api_key = keys.first()
    if api_key is not None:
        now = timezone.now()
        # Touch at most once a minute so busy integrators do not write on every request.
        if api_key.last_used_at is None or now - api_key.last_used_at > timedelta(minutes=1):
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
            api_key.last_used_at = now
    return api_key


def api_keys_of(*, municipality: Municipality):
    return ApiKey.objects.filter(municipality=municipality).select_related("created_by")
