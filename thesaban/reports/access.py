"""The only way views fetch a report-domain object: always through the request's municipality."""

from django.http import Http404

from thesaban.reports.models import Category, Report


def access_report(*, municipality, code: str, public: bool = True) -> Report:
    """A report of this municipality by tracking code; 404 for anything else.

    Public callers never see duplicates' hidden data differently; personal fields are simply not
    rendered by public templates (see reports/templates/reports/_public_reporter.html).
    """
    try:
        return Report.objects.select_related(
            "category", "department", "community", "municipality", "duplicate_of"
        ).get(municipality=municipality, tracking_code=code)
    except Report.DoesNotExist:
        raise Http404("No such report") from None


def access_report_by_id(*, municipality, report_id: int) -> Report:
    try:
        return Report.objects.select_related("category", "department", "municipality").get(
            municipality=municipality, pk=report_id
        )
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report") from None


def access_category(*, municipality, category_id) -> Category:
    try:
        return Category.objects.get(municipality=municipality, pk=category_id, is_active=True)
    except (Category.DoesNotExist, ValueError, TypeError):
        raise Http404("No such category") from None
