"""Must show: a worker killed in the middle of sending, restarted, and every notification
delivered exactly once as the receivers see it.

Real parts only: the test database (on SQLite copied to a file with SQLite's backup API, so
other processes can open it; on PostgreSQL the test database itself), filled through the real
services, `thesaban notifications deliver --loop` as separate worker processes, a real HTTP server receiving the signed webhooks and a real SMTP server
(aiosmtpd) receiving the e-mails, both recording each message by its idempotency key.

The webhook server holds one request open after recording it; while it hangs the worker gets
SIGKILL, so that delivery was *received but never recorded as sent* — the hard case. Two fresh
workers then finish the outbox (in parallel, so the lease claim is exercised across processes).
What is asserted is exactly the guarantee docs/notifications.md states:

- nothing is lost: every delivery in the outbox reached its receiver and is recorded as sent;
- nothing is processed twice: each idempotency key is acted on once by the receiver; the only
  repeat on the wire is the one in flight at the kill, and it carries the same key.
"""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests import factories
from tests.notifications.sinks import SmtpSink, WebhookSink
from thesaban.accounts.services import staff_role_grant
from thesaban.notifications import services
from thesaban.notifications.models import Delivery
from thesaban.reports import services as report_services

REPO = Path(__file__).resolve().parents[2]
WORKER = [
    sys.executable,
    "-m",
    "thesaban",
    "notifications",
    "deliver",
    "--loop",
    "--until-idle",
    "--batch",
    "10",
    "--interval",
    "0.2",
    "--quiet",
]
BLOCK_AT = 5  # the 5th webhook request hangs: the kill lands mid-batch, mid-send
SUBSCRIBERS = 8
REPORTS = 6


def seed(webhook_url: str) -> str:
    """A community with e-mail subscribers and an integrator's endpoint; an announcement, new
    reports and status changes. Returns the endpoint's secret."""
    municipality = factories.MunicipalityFactory(slug="kill", tracking_prefix="KILL")
    department = factories.DepartmentFactory(municipality=municipality, code="works")
    category = factories.CategoryFactory(
        municipality=municipality, department=department, code="road"
    )
    community = factories.CommunityFactory(municipality=municipality, code="market")
    admin, officer = factories.UserFactory(), factories.UserFactory()
    staff_role_grant(municipality=municipality, user=admin, role="administrator")
    staff_role_grant(municipality=municipality, user=officer, role="officer", department=department)
    _endpoint, secret = services.webhook_endpoint_create(
        municipality=municipality, actor=admin, name="sink", url=webhook_url
    )
    for i in range(SUBSCRIBERS):
        user = factories.UserFactory(email=f"subscriber{i}@example.org")
        services.subscription_create(
            municipality=municipality, channel="email", user=user, community=community
        )
    services.announcement_publish(
        municipality=municipality,
        author=admin,
        title_th="ประปาหยุดจ่ายน้ำ",
        body_th="วันเสาร์ 09:00-15:00 ชุมชนตลาด",
        communities=[community],
    )
    for i in range(REPORTS):
        report = report_services.report_create(
            municipality=municipality,
            category=category,
            description=f"หลุมที่ {i}",
            lat=13.005,
            lng=100.005,
        )
        report_services.report_transition(report=report, actor=officer, to_status="accepted")
    return secret


def shared_database(tmp_path) -> tuple[str, object]:
    """A DATABASE_URL other processes can open, and a function reading the outbox from it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "outbox.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()

        def read():
            with sqlite3.connect(path) as db:
                rows = db.execute(
                    "SELECT idempotency_key, status, attempts FROM notifications_delivery"
                ).fetchall()
            return {key: {"status": status, "attempts": n} for key, status, n in rows}

        return f"sqlite:///{path}", read
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )

    def read():
        return {
            d.idempotency_key: {"status": d.status, "attempts": d.attempts}
            for d in Delivery.objects.all()
        }

    return url, read


def worker(env):
    return subprocess.Popen(
        WORKER, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(tmp_path, settings):
    # Nothing nudges a worker after the commits (as if the server died right after them): the
    # worker under test has to find the deliveries in the outbox by itself.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with SmtpSink(delay=0.02) as smtp, WebhookSink(delay=0.05, block_at=BLOCK_AT) as hooks:
        hooks.secret = seed(hooks.url)
        database_url, read_outbox = shared_database(tmp_path)
        total = len(read_outbox())
        assert total == SUBSCRIBERS + 1 + REPORTS * (SUBSCRIBERS + 1) + REPORTS
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "thesaban.config.base",
            "THESABAN_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": database_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "THESABAN_NOTIFICATIONS_LEASE_SECONDS": "3",
            "PYTHONPATH": str(REPO),
        }

        first = worker(env)
        assert hooks.blocked.wait(180), "the worker never reached the hanging request: " + (
            first.stderr.read() if first.poll() is not None else ""
        )
        blocked_key = hooks.requests[BLOCK_AT - 1]["key"]
        os.kill(first.pid, signal.SIGKILL)
        first.wait(30)
        assert first.returncode == -signal.SIGKILL
        hooks.release.set()

        after_kill = read_outbox()
        statuses = [d["status"] for d in after_kill.values()]
        assert 0 < statuses.count("sent") < total  # killed in the middle
        assert after_kill[blocked_key]["status"] == "sending"  # received, never recorded
        assert statuses.count("pending") >= 1

        second, third = worker(env), worker(env)
        for process in (second, third):
            _out, err = process.communicate(timeout=240)
            assert process.returncode == 0, err[-3000:]

        final = read_outbox()
        assert len(final) == total
        assert {d["status"] for d in final.values()} == {"sent"}, final

        received = set(smtp.received.processed) | set(hooks.received.processed)
        assert received == set(final)  # none lost, none invented
        assert len(smtp.received.processed) == SUBSCRIBERS * (1 + REPORTS)
        assert len(hooks.received.processed) == 1 + REPORTS + REPORTS
        # On the wire, the only repeat is the delivery that was in flight when the worker died,
        # and it came with the same key, so the receiver acted on it once.
        assert smtp.received.duplicates() == []
        assert hooks.received.duplicates() == [blocked_key]
        assert all(r["signature_ok"] for r in hooks.requests)
        assert final[blocked_key]["attempts"] == 2
