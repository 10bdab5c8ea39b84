"""Background work of the portal: imports run as tasks (in-process by default, workers in
production, see THESABAN_TASK_BACKEND), so a large file does not hold a web request."""

from django_tasks import task


@task()
def run_import(job_id: int) -> None:
    from thesaban.opendata.importers import run_import_job
    from thesaban.opendata.models import ImportJob

    job = ImportJob.objects.select_related("municipality", "created_by").get(pk=job_id)
    if job.state != ImportJob.State.PENDING:
        return  # a retried task finds the job already handled
    run_import_job(job)
