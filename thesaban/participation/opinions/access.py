"""The only way views fetch a statement: through its process, which the view fetched through
the request's municipality. The public reach only approved statements of a published process;
anything else is a 404, exactly like an id that does not exist."""

from django.http import Http404

from thesaban.participation.opinions.models import Statement


def access_statement(*, process, statement_id, public: bool = True) -> Statement:
    statements = Statement.objects.select_related("process", "process__municipality")
    if public:
        statements = statements.filter(status=Statement.Status.APPROVED)
    try:
        return statements.get(
            municipality_id=process.municipality_id, process=process, pk=statement_id
        )
    except (Statement.DoesNotExist, ValueError, TypeError):
        raise Http404("No such statement") from None
