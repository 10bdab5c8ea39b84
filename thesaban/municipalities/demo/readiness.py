"""The demo's digital-readiness story: assessments with the profile's levels, the choice to
publish results, and membership of the demo network. Written through the readiness services,
once: a municipality that already has assessments is left as it is."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.utils import timezone

from thesaban.municipalities.models import Municipality
from thesaban.readiness import services
from thesaban.readiness.models import Assessment
from thesaban.readiness.selectors import definition_of

DATA_DIR = Path(__file__).resolve().parent


@cache
def network_specs() -> dict[str, Any]:
    return json.loads((DATA_DIR / "networks.json").read_text(encoding="utf-8"))


def ensure_readiness(
    municipality: Municipality, administrator: Any, profile: dict[str, Any], *, now: datetime
) -> int:
    """Assessments, publication and networks of a profile; returns the assessments created."""
    for slug in profile.get("networks", []):
        spec = network_specs()[slug]
        network = services.network_save(slug=slug, **spec)
        services.network_member_add(network=network, municipality=municipality)
    story = profile.get("readiness")
    if not story:
        return 0
    services.publication_set(
        municipality=municipality, actor=administrator, results_public=story.get("public", False)
    )
    if Assessment.objects.filter(municipality=municipality).exists():
        return 0
    services.indicator_set_load_files()
    today = timezone.localdate(now)
    created = 0
    for spec in sorted(story["assessments"], key=lambda a: -a["years_ago"]):
        end = today - timedelta(days=1 + 365 * spec["years_ago"])
        start = end - timedelta(days=364)
        assessment = services.assessment_start(
            municipality=municipality,
            actor=administrator,
            title=f"ประเมินความพร้อมดิจิทัล พ.ศ. {end.year + 543}",
            period_start=start,
            period_end=end,
        )
        overrides = spec.get("overrides", {})
        services.assessment_answers_save(
            assessment=assessment,
            actor=administrator,
            answers=[
                {
                    "indicator_code": indicator.code,
                    "level": overrides.get(indicator.code, spec["levels"][indicator.layer]),
                    "evidence_text": "ข้อมูลสาธิต" if indicator.layer == "governance" else "",
                }
                for indicator in definition_of(assessment).indicators
                if not indicator.is_live
            ],
        )
        services.assessment_complete(assessment=assessment, actor=administrator, now=now)
        created += 1
    return created
