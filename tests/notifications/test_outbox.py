"""The outbox's delivery machinery: leases, back-off, dead letters, the sweeper, the task."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests import factories
from thesaban.notifications import outbox, registry, services, tasks
from thesaban.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def make_deliveries(municipality, n, channel="pigeon"):
    notification = Notification.objects.create(
        municipality=municipality, event_type="test", event_key=f"test:{channel}:{n}"
    )
    Delivery.objects.bulk_create(
        Delivery(
            municipality=municipality,
            notification=notification,
            channel=channel,
            address=f"addr-{i}",
            idempotency_key=str(uuid.uuid4()),
            payload={"subject": "s", "text": "t", "url": "http://x", "event": {}},
        )
        for i in range(n)
    )
    return notification


def test_claims_do_not_overlap_and_set_a_lease(municipality):
    make_deliveries(municipality, 5)
    first = outbox.claim(limit=3)
    second = outbox.claim(limit=3)
    assert len(first) == 3 and len(second) == 2
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert outbox.claim(limit=3) == []
    for delivery in first + second:
        assert delivery.status == Delivery.Status.SENDING
        assert delivery.attempts == 1 and delivery.lease_until > timezone.now()


def test_an_expired_lease_is_claimed_again(municipality):
    make_deliveries(municipality, 1)
    (taken,) = outbox.claim(limit=1)
    assert outbox.claim(limit=1) == []
    Delivery.objects.filter(pk=taken.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    (again,) = outbox.claim(limit=1)
    assert again.pk == taken.pk and again.attempts == 2 and again.lease_token != taken.lease_token
    # The first worker's late failure no longer touches the row: it lost the lease.
    outbox.record_failure(taken, registry.TemporaryFailure("late"))
    again.refresh_from_db()
    assert again.status == Delivery.Status.SENDING and again.last_error == ""


def test_temporary_failures_back_off_exponentially_then_dead_letter(municipality, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_BACKOFF_SECONDS = 10
    calls = []

    def flaky(delivery):
        calls.append(delivery.attempts)
        raise registry.TemporaryFailure("503")

    registry.register_sender("flaky", flaky)
    try:
        make_deliveries(municipality, 1, channel="flaky")
        waits = []
        for _attempt in range(3):
            Delivery.objects.update(next_attempt_at=timezone.now())
            before = timezone.now()
            outbox.deliver_until_done()
            delivery = Delivery.objects.get()
            waits.append((delivery.next_attempt_at - before).total_seconds())
        assert calls == [1, 2, 3]
        assert delivery.status == Delivery.Status.DEAD and "503" in delivery.last_error
        assert 9 <= waits[0] <= 11.5 and 18 <= waits[1] <= 22.5  # 10 s, then 20 s (±10 %)
    finally:
        registry.unregister_sender("flaky")


def test_backoff_is_capped():
    assert outbox.backoff(40) <= timedelta(hours=6, minutes=36)


def test_permanent_failure_and_unknown_channel_dead_letter_at_once(municipality):
    def refuse(delivery):
        raise registry.PermanentFailure("no such user")

    registry.register_sender("refuse", refuse)
    try:
        make_deliveries(municipality, 1, channel="refuse")
        make_deliveries(municipality, 1, channel="unregistered")
        outbox.deliver_until_done()
        assert set(Delivery.objects.values_list("status", "attempts")) == {("dead", 1)}
    finally:
        registry.unregister_sender("refuse")


def test_an_unexpected_exception_counts_as_temporary(municipality):
    def broken(delivery):
        raise RuntimeError("bug in a sender")

    registry.register_sender("broken", broken)
    try:
        make_deliveries(municipality, 1, channel="broken")
        outcome = outbox.deliver_until_done()
        assert outcome.retrying == 1
        assert Delivery.objects.get().status == Delivery.Status.PENDING
    finally:
        registry.unregister_sender("broken")


def test_the_sweeper_delivers_what_no_task_did(municipality, recording_channel):
    make_deliveries(municipality, 7)
    assert outbox.pending_count() == 7
    outcome = outbox.run_loop(limit=3, until_idle=True, interval=0.01)
    assert outcome.sent == 7 and len(recording_channel) == 7
    assert outbox.next_due_in() is None
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_task_delivers_one_notification(municipality, recording_channel):
    mine = make_deliveries(municipality, 2)
    make_deliveries(municipality, 3, channel="other")
    result = tasks.deliver_notification.enqueue(mine.pk)
    assert result.return_value == {"sent": 2, "retrying": 0, "dead": 0}
    assert Delivery.objects.filter(channel="other", status="pending").count() == 3


def test_a_plug_in_channel_gets_a_delivery_for_every_subscription(
    municipality, community, admin_user, recording_channel
):
    services.subscription_create(
        municipality=municipality, channel="pigeon", address="U1", community=community
    )
    services.announcement_publish(
        municipality=municipality,
        author=admin_user,
        title_th="ตลาดนัดงด",
        body_th="งดตลาดนัดวันเสาร์",
        communities=[community],
    )
    outbox.deliver_until_done()
    assert [s["address"] for s in recording_channel] == ["U1"]
    assert recording_channel[0]["payload"]["subject"] == "ตลาดนัดงด"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_skip_locked_claims_from_parallel_workers_are_disjoint():
    if connection.vendor != "postgresql":
        pytest.skip(
            "FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite claims with a conditional UPDATE"
        )
    municipality = factories.MunicipalityFactory()
    make_deliveries(municipality, 60)
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        mine = []
        while batch := outbox.claim(limit=5):
            mine += [d.pk for d in batch]
        claimed.append(mine)
        connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [pk for mine in claimed for pk in mine]
    assert len(every) == 60 == len(set(every))
