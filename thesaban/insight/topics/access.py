"""The only way views fetch what the themes pages show: through the request's municipality.
Anything of another municipality is a 404, exactly like an id that does not exist."""

from __future__ import annotations

from django.http import Http404

from thesaban.insight.topics.models import TopicAnalysis
from thesaban.participation.models import DocumentSection, Process
from thesaban.participation.selectors import access_process


def access_staff_process(*, municipality, slug: str) -> Process:
    """A process of this municipality, published or not (staff pages)."""
    return access_process(municipality=municipality, slug=slug, include_unpublished=True)


def access_process_section(*, process: Process, section_id) -> DocumentSection:
    """A section of one of this process's documents (published or not)."""
    try:
        return DocumentSection.objects.select_related("document").get(
            municipality_id=process.municipality_id, document__process=process, pk=section_id
        )
    except (DocumentSection.DoesNotExist, ValueError, TypeError):
        raise Http404("No such section") from None


def access_analysis(*, process: Process, section: DocumentSection | None, analysis_id):
    """An analysis of exactly this scope (the process as a whole, or this section)."""
    try:
        return TopicAnalysis.objects.get(
            municipality_id=process.municipality_id,
            process=process,
            section=section,
            pk=analysis_id,
        )
    except (TopicAnalysis.DoesNotExist, ValueError, TypeError):
        raise Http404("No such analysis") from None
