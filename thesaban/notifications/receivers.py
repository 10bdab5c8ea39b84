"""Listens to other apps' signals and writes the outbox in their transaction."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import transaction

from thesaban.notifications import fanout
from thesaban.notifications.tasks import schedule_delivery

_paused: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "notifications_paused", default=False
)


@contextlib.contextmanager
def notifications_paused() -> Iterator[None]:
    """Nobody is told about what happens inside this block: for loaders that write history
    (the demo builder), whose past events must not reach anyone's inbox today."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def on_report_event_recorded(sender, *, report, event, **kwargs) -> None:
    """A report's timeline got an event: record who must be told (same transaction)."""
    if _paused.get():
        return
    notification = fanout.fanout_report_event(report=report, event=event)
    if notification is not None:
        notification_id = notification.pk
        transaction.on_commit(lambda: schedule_delivery(notification_id))
