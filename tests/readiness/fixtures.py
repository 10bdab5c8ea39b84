"""Readiness objects for other test modules (tests/test_tenant_isolation.py walks every URL)."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from thesaban.readiness import services


def readiness_objects(municipality, administrator) -> dict[str, int]:
    """An assessment with an evidence file and a survey round: the ids readiness URLs take."""
    from thesaban.accounts.models import User
    from thesaban.reports.models import Report

    assessment = services.assessment_start(
        municipality=municipality,
        actor=administrator,
        title=f"Assessment of {municipality.slug}",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    answer = services.assessment_answer_save(
        assessment=assessment,
        actor=administrator,
        indicator_code="gov.dto",
        level=2,
        evidence_text=f"EVIDENCE-OF-{municipality.slug}",
        files=[
            SimpleUploadedFile("plan.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
        ],
    )
    # The survey needs a resident who took part: the first report's reporter, or a new one.
    reporter_ids = list(
        Report.objects.filter(municipality=municipality, reporter__isnull=False).values_list(
            "reporter_id", flat=True
        )[:1]
    )
    if not reporter_ids:
        raise AssertionError("readiness_objects needs a report with a signed-in reporter")
    survey_round = services.survey_round_start(
        municipality=municipality,
        actor=administrator,
        title=f"Survey of {municipality.slug}",
        opens_on=date.today(),
        closes_on=date.today(),
        sample_size=10,
        seed=1,
    )
    assert User.objects.filter(pk=reporter_ids[0]).exists()
    return {
        "assessment_id": assessment.pk,
        "file_id": answer.files.get().pk,
        "round_id": survey_round.pk,
    }
