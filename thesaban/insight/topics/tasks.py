"""Background work: an analysis runs as a task (in-process by default, a worker in production,
see THESABAN_TASK_BACKEND), so thousands of comments never hold a web request."""

from django_tasks import task


@task()
def run_topic_analysis(analysis_id: int) -> None:
    from thesaban.insight.topics.services import topic_analysis_run

    topic_analysis_run(analysis_id=analysis_id)
