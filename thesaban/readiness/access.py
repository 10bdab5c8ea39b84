"""The only way views fetch a readiness object: through the request's municipality (or, for a
network, by its public slug)."""

from django.http import Http404

from thesaban.readiness.models import Assessment, EvidenceFile, Network, SurveyRound


def access_assessment(*, municipality, assessment_id) -> Assessment:
    try:
        return Assessment.objects.select_related("indicator_set", "municipality").get(
            municipality=municipality, pk=assessment_id
        )
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment") from None


def access_evidence_file(*, municipality, file_id) -> EvidenceFile:
    try:
        return EvidenceFile.objects.select_related("answer__assessment").get(
            municipality=municipality, pk=file_id
        )
    except (EvidenceFile.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file") from None


def access_survey_round(*, municipality, round_id) -> SurveyRound:
    try:
        return SurveyRound.objects.get(municipality=municipality, pk=round_id)
    except (SurveyRound.DoesNotExist, ValueError, TypeError):
        raise Http404("No such survey round") from None


def access_network(*, slug: str) -> Network:
    try:
        return Network.objects.get(slug=slug)
    except Network.DoesNotExist:
        raise Http404("No such network") from None
