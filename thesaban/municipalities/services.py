from typing import Any

from django.db import transaction

from thesaban.core.audit import audit_record
from thesaban.municipalities import geo
from thesaban.municipalities.models import Community, Municipality


@transaction.atomic
def community_save(
    *,
    municipality: Municipality,
    code: str,
    name_th: str,
    name_en: str,
    boundary: dict[str, Any] | None,
    actor: Any = None,
) -> Community:
    """Create or update a community and keep its bounding box in step with its polygon."""
    box = geo.bounds(boundary)
    community, created = Community.objects.update_or_create(
        municipality=municipality,
        code=code,
        defaults={
            "name_th": name_th,
            "name_en": name_en,
            "boundary": boundary,
            "min_lat": box[0] if box else None,
            "max_lat": box[1] if box else None,
            "min_lng": box[2] if box else None,
            "max_lng": box[3] if box else None,
        },
    )
    audit_record(
        action="community.create" if created else "community.update",
        actor=actor,
        municipality=municipality,
        target=community,
    )
    return community
