"""The one way services record what was done."""

from typing import Any

from django.db import models

from thesaban.core.models import AuditEntry


def audit_record(
    *,
    action: str,
    actor: Any = None,
    municipality: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        municipality=municipality,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
