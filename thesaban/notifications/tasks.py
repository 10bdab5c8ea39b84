"""Background tasks (django-tasks) that deliver the outbox.

`schedule_delivery` is called after a commit: with the immediate backend (the embedded default)
the deliveries go out in the same process right away; with `THESABAN_TASK_BACKEND=database`
a `thesaban db_worker` picks the task up. A task is only a nudge: the rows it delivers are
claimed with a lease (outbox.py), so a task lost or run twice changes nothing, and the sweeper
(`thesaban notifications deliver --loop`) delivers whatever no task did.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import Min
from django_tasks import default_task_backend, task

from thesaban.notifications import outbox

logger = logging.getLogger(__name__)


@task()
def deliver_notification(notification_id: int) -> dict:
    limit = getattr(settings, "NOTIFICATIONS_INLINE_LIMIT", None)
    outcome = outbox.deliver_until_done(
        notification_id=notification_id,
        max_deliveries=limit if not default_task_backend.supports_defer else None,
    )
    if outcome.retrying and default_task_backend.supports_defer:
        _schedule_retry(notification_id)
    return {"sent": outcome.sent, "retrying": outcome.retrying, "dead": outcome.dead}


def _schedule_retry(notification_id: int) -> None:
    from thesaban.notifications.models import Delivery

    when = Delivery.objects.filter(
        notification_id=notification_id, status=Delivery.Status.PENDING
    ).aggregate(first=Min("next_attempt_at"))["first"]
    if when is not None:
        deliver_notification.using(run_after=when).enqueue(notification_id)


def schedule_delivery(notification_id: int) -> None:
    """Ask a worker to deliver a notification now; never fails the caller (the sweeper is the
    safety net)."""
    try:
        deliver_notification.enqueue(notification_id)
    except Exception:  # a broken queue must not turn a saved report into an error page
        logger.exception("could not enqueue the delivery of notification %s", notification_id)
