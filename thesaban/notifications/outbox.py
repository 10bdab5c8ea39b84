"""Delivering the outbox: claim with a lease, send, record; retry with back-off; dead letters.

Any number of workers may run this at once (web processes with the immediate task backend,
`thesaban db_worker`, `thesaban notifications deliver --loop`):

- **Claim.** A worker takes a batch of due deliveries by writing its own random lease token and
  a lease deadline into them. On PostgreSQL the candidates are locked with
  `SELECT … FOR UPDATE SKIP LOCKED`, so workers never wait for each other; elsewhere (SQLite)
  one conditional `UPDATE … WHERE id IN (…) AND <still due>` is the atomic claim. A row is due
  when it is pending and its `next_attempt_at` has come, or when it is being sent but its lease
  has run out (the worker that claimed it died).
- **Send, then record.** The sender is called outside any transaction; success is written
  right after, before the next delivery. A worker killed between the two leaves the row
  "sending" with a lease that runs out: another worker sends it again **with the same
  idempotency key**, which the receiver uses to drop the repeat. That is the whole guarantee:
  at-least-once sending, exactly-once effect at a receiver that honours the key (see
  docs/notifications.md).
- **Fail.** A temporary failure puts the row back to pending at
  `now + BASE × 2^(attempts-1)` (capped, with jitter); after MAX_ATTEMPTS, or on a permanent
  failure, it is dead-lettered for staff to see and retry.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from thesaban.notifications.models import Delivery
from thesaban.notifications.registry import PermanentFailure, sender_for

logger = logging.getLogger(__name__)


def _setting(name: str, default):
    """A setting, else the environment variable THESABAN_<name>, else the default."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"THESABAN_{name}")
    return default if value in (None, "") else value


def lease_seconds() -> float:
    return float(_setting("NOTIFICATIONS_LEASE_SECONDS", 120))


def max_attempts() -> int:
    return int(_setting("NOTIFICATIONS_MAX_ATTEMPTS", 8))


def backoff_base() -> float:
    return float(_setting("NOTIFICATIONS_BACKOFF_SECONDS", 30))


BACKOFF_CAP = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, 4 min … at most 6 h, ±10 %."""
    seconds = backoff_base() * (2 ** max(attempts - 1, 0))
    seconds = min(seconds, BACKOFF_CAP.total_seconds())
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))  # noqa: S311


def due_filter(now) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Delivery.Status.SENDING, lease_until__lt=now
    )


def claim(
    *, limit: int = 20, notification_id: int | None = None, municipality_id: int | None = None
) -> list[Delivery]:
    """Take up to `limit` due deliveries for this worker; returns them with the lease set."""
    now = timezone.now()
    token = secrets.token_hex(16)
    candidates = Delivery.objects.filter(due_filter(now))
    if notification_id is not None:
        candidates = candidates.filter(notification_id=notification_id)
    if municipality_id is not None:
        candidates = candidates.filter(municipality_id=municipality_id)
    candidates = candidates.order_by("next_attempt_at", "id")
    lease = {
        "status": Delivery.Status.SENDING,
        "lease_token": token,
        "lease_until": now + timedelta(seconds=lease_seconds()),
        "attempts": F("attempts") + 1,
    }
    if connection.vendor == "postgresql":
        with transaction.atomic():
            ids = list(
                candidates.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit]
            )
            if ids:
                Delivery.objects.filter(id__in=ids).update(**lease)
    else:
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if ids:
            # The condition is checked again by the UPDATE itself: a row another worker took
            # between the SELECT and here is no longer due and is left alone.
            Delivery.objects.filter(due_filter(now), id__in=ids).update(**lease)
    if not ids:
        return []
    claimed = list(
        Delivery.objects.filter(lease_token=token, status=Delivery.Status.SENDING)
        .select_related("notification")
        .order_by("next_attempt_at", "id")
    )
    return claimed


def record_sent(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Delivery.Status.SENT).update(
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        lease_until=None,
        lease_token="",
        last_error="",
    )


def record_failure(delivery: Delivery, error: BaseException) -> str:
    """Back to pending with back-off, or dead. Only while this worker still holds the lease."""
    permanent = isinstance(error, PermanentFailure)
    dead = permanent or delivery.attempts >= max_attempts()
    message = f"{type(error).__name__}: {error}"[:1000]
    changes = {"lease_until": None, "lease_token": "", "last_error": message}
    if dead:
        changes["status"] = Delivery.Status.DEAD
    else:
        changes["status"] = Delivery.Status.PENDING
        changes["next_attempt_at"] = timezone.now() + backoff(delivery.attempts)
    Delivery.objects.filter(
        pk=delivery.pk, lease_token=delivery.lease_token, status=Delivery.Status.SENDING
    ).update(**changes)
    return changes["status"]


@dataclass
class Outcome:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    claimed: int = 0
    retry_at: list = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.dead += other.dead
        self.claimed += other.claimed
        self.retry_at += other.retry_at


def deliver_one(delivery: Delivery) -> str:
    sender = sender_for(delivery.channel)
    try:
        if sender is None:
            raise PermanentFailure(f"no sender is registered for the channel {delivery.channel!r}")
        sender(delivery)
    except Exception as error:  # every failure is recorded; the worker goes on
        logger.warning("delivery %s failed: %s", delivery.idempotency_key, error)
        return record_failure(delivery, error)
    record_sent(delivery)
    return Delivery.Status.SENT


def deliver_batch(
    *, limit: int = 20, notification_id: int | None = None, municipality_id: int | None = None
) -> Outcome:
    outcome = Outcome()
    batch = claim(limit=limit, notification_id=notification_id, municipality_id=municipality_id)
    outcome.claimed = len(batch)
    for delivery in batch:
        status = deliver_one(delivery)
        if status == Delivery.Status.SENT:
            outcome.sent += 1
        elif status == Delivery.Status.DEAD:
            outcome.dead += 1
        else:
            outcome.retrying += 1
    return outcome


def deliver_until_done(
    *,
    limit: int = 20,
    max_deliveries: int | None = None,
    notification_id: int | None = None,
    progress=None,
) -> Outcome:
    """Deliver batch after batch until nothing is due (or `max_deliveries` were claimed)."""
    total = Outcome()
    while max_deliveries is None or total.claimed < max_deliveries:
        size = limit if max_deliveries is None else min(limit, max_deliveries - total.claimed)
        outcome = deliver_batch(limit=size, notification_id=notification_id)
        if not outcome.claimed:
            break
        total.add(outcome)
        if progress is not None:
            progress(outcome)
    return total


def pending_count() -> int:
    return Delivery.objects.filter(due_filter(timezone.now())).count()


def next_due_in(now=None) -> float | None:
    """Seconds until the next delivery becomes due (0 if one is due now), None if none waits."""
    now = now or timezone.now()
    nearest = (
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    lease = (
        Delivery.objects.filter(status=Delivery.Status.SENDING)
        .order_by("lease_until")
        .values_list("lease_until", flat=True)
        .first()
    )
    moments = [m for m in (nearest, lease) if m is not None]
    if not moments:
        return None
    return max(0.0, (min(moments) - now).total_seconds())


def run_loop(
    *,
    limit: int = 20,
    interval: float = 5.0,
    until_idle: bool = False,
    max_seconds: float | None = None,
    progress=None,
) -> Outcome:
    """The sweeper: deliver whatever is due, sleep, repeat. With `until_idle`, stop once no
    delivery is pending or leased (used by tests and by cron-style runs)."""
    started = time.monotonic()
    total = Outcome()
    while True:
        total.add(deliver_until_done(limit=limit, progress=progress))
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            return total
        wait = next_due_in()
        if wait is None and until_idle:
            return total
        time.sleep(min(interval, wait) if wait is not None else interval)
