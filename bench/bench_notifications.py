"""What the durable outbox costs: fan-out of an announcement, and delivering it, beside baselines.

    DATABASE_URL=sqlite:///bench-notify.sqlite3 .venv/bin/thesaban migrate
    DATABASE_URL=sqlite:///bench-notify.sqlite3 .venv/bin/python bench/bench_notifications.py

1. Fan-out: `announcement_publish` to N subscribers (rendering, one Delivery row each, in the
   publishing transaction) beside the baseline of bulk-inserting N equally sized rows.
2. Delivery: the outbox worker (lease claim, sender call, success recorded per delivery) with a
   sender that does nothing, beside the baseline of a loop calling that sender over the same
   rows without any bookkeeping. The difference is what durability costs per message.
It creates its own municipality (slug `bench-notify-<random>`): run it on a scratch database.
"""

from __future__ import annotations

import argparse
import time
import uuid

import _django

_django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import override_settings  # noqa: E402

from thesaban.accounts.models import StaffRole, User  # noqa: E402
from thesaban.municipalities.models import Community, Municipality  # noqa: E402
from thesaban.notifications import outbox, registry, services  # noqa: E402
from thesaban.notifications.models import Delivery, Notification, Subscription  # noqa: E402

DUMMY = "django_tasks.backends.dummy.DummyBackend"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=2000)
    args = parser.parse_args()
    n = args.subscribers
    slug = f"bench-notify-{uuid.uuid4().hex[:6]}"
    municipality = Municipality.objects.create(
        slug=slug,
        name_th="เทศบาลทดสอบ",
        name_en="Bench",
        tracking_prefix=slug[-6:].upper(),
        center_lat=13.0,
        center_lng=100.0,
    )
    community = Community.objects.create(
        municipality=municipality, code="c", name_th="ชุมชน", name_en="Community"
    )
    admin = User.objects.create_user(email=f"bench-admin-{uuid.uuid4().hex[:6]}@example.org")
    StaffRole.objects.create(municipality=municipality, user=admin, role="administrator")
    sent = []
    registry.register_sender("bench", lambda delivery: sent.append(delivery.idempotency_key))
    Subscription.objects.bulk_create(
        Subscription(
            municipality=municipality,
            channel="bench",
            address=f"U{i:08d}",
            community=community,
            scope_key=f"community:{community.pk}",
            recipient_key=f"address:U{i:08d}",
        )
        for i in range(n)
    )
    print(f"database: {connection.vendor}, subscribers: {n}")

    # Measure the fan-out alone: no task delivers right after the commit.
    with override_settings(TASKS={"default": {"BACKEND": DUMMY}}):
        started = time.perf_counter()
        services.announcement_publish(
            municipality=municipality,
            author=admin,
            title_th="ประปาหยุดจ่ายน้ำ",
            body_th="วันเสาร์ 09:00-15:00",
            communities=[community],
        )
        fanout_s = time.perf_counter() - started
    template = Delivery.objects.filter(municipality=municipality).first()

    notification = Notification.objects.create(
        municipality=municipality, event_type="bench", event_key="bench-baseline"
    )
    started = time.perf_counter()
    with transaction.atomic():
        Delivery.objects.bulk_create(
            [
                Delivery(
                    municipality=municipality,
                    notification=notification,
                    channel="bench-baseline",
                    address=f"U{i:08d}",
                    idempotency_key=str(uuid.uuid4()),
                    payload=template.payload,
                    status=Delivery.Status.SENT,
                )
                for i in range(n)
            ],
            batch_size=500,
        )
    baseline_insert_s = time.perf_counter() - started

    rows = list(Delivery.objects.filter(channel="bench-baseline"))
    started = time.perf_counter()
    for row in rows:
        sent.append(row.idempotency_key)
    baseline_send_s = time.perf_counter() - started
    sent.clear()

    started = time.perf_counter()
    outcome = outbox.deliver_until_done(limit=50)
    deliver_s = time.perf_counter() - started
    assert outcome.sent == n == len(set(sent)), (outcome, len(sent))

    print(f"{'step':44} {'total':>9} {'per message':>12}")
    for label, seconds in [
        ("fan-out (announcement_publish)", fanout_s),
        ("baseline: bulk insert of N rows", baseline_insert_s),
        ("deliver (claim, send, record), batch 50", deliver_s),
        ("baseline: call the sender N times", baseline_send_s),
    ]:
        print(f"{label:44} {seconds:8.2f}s {seconds / n * 1000:10.3f}ms")
    print(f"deliveries per second through the outbox: {n / deliver_s:,.0f}")
    registry.unregister_sender("bench")


if __name__ == "__main__":
    main()
