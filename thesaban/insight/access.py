"""The only way views fetch a category model or a suggestion: through the request's
municipality. A municipality's own models are found by their version number within it; a
site-wide model is never changed from a municipality's pages."""

from django.http import Http404

from thesaban.insight.models import CategoriserModel, CategorySuggestion


def access_categoriser_model(*, municipality, version) -> CategoriserModel:
    try:
        return CategoriserModel.objects.get(municipality=municipality, version=int(version))
    except (CategoriserModel.DoesNotExist, ValueError, TypeError):
        raise Http404("No such category model") from None


def access_suggestion(*, report) -> CategorySuggestion | None:
    """The current suggestion of a report already fetched through reports/access.py."""
    return (
        CategorySuggestion.objects.select_related("category", "department", "model")
        .filter(municipality_id=report.municipality_id, report=report)
        .first()
    )
