"""Writes of the channels app: issuing and revoking integrators' API keys."""

from django.db import transaction
from django.utils import timezone

from thesaban.accounts.models import User
from thesaban.channels.keys import digest, new_secret
from thesaban.channels.models import ApiKey
from thesaban.core.audit import audit_record
from thesaban.municipalities.models import Municipality


@transaction.atomic
def api_key_create(
    *, municipality: Municipality, name: str, actor: User | None = None
) -> tuple[ApiKey, str]:
    """Issue a key; the raw key is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("An API key needs the integrator's name.")
    raw = new_secret("ths")
    api_key = ApiKey.objects.create(
        municipality=municipality,
        name=name[:100],
        prefix=raw[:12],
        key_digest=digest(raw),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="channels.api_key_create",
        actor=actor,
        municipality=municipality,
        target=api_key,
        data={"name": api_key.name, "prefix": api_key.prefix},
    )
    return api_key, raw


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: User | None = None) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            action="channels.api_key_revoke",
            actor=actor,
            municipality=api_key.municipality,
            target=api_key,
            data={"name": api_key.name, "prefix": api_key.prefix},
        )
    return api_key
