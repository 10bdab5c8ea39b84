"""Background work of opinion groups: the map of a process is recomputed after votes arrive.
In-process by default (cheap: a few hundred milliseconds for thousands of votes); with the
database task backend a worker runs it. A retried or concurrent task that finds the map already
up to date does nothing."""

from django_tasks import task


@task()
def recompute_opinion_map(process_id: int) -> None:
    from thesaban.participation.models import Process
    from thesaban.participation.opinions.services import opinion_map_recompute

    process = Process.objects.filter(pk=process_id).select_related("municipality").first()
    if process is None:
        return  # deleted since
    opinion_map_recompute(process=process)
