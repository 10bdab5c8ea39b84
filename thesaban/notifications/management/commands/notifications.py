"""`thesaban notifications deliver|status|retry-dead`: the outbox's worker and sweeper."""

from __future__ import annotations

import signal
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from thesaban.notifications import outbox


class Command(BaseCommand):
    help = (
        "Deliver the notification outbox. `deliver` sends what is due and stops; with --loop it "
        "keeps sweeping (retries, deliveries whose worker died). `status` prints counts."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="send due deliveries")
        deliver.add_argument("--loop", action="store_true", help="keep running (the sweeper)")
        deliver.add_argument(
            "--until-idle",
            action="store_true",
            help="with --loop: stop once nothing is pending or being sent",
        )
        deliver.add_argument("--batch", type=int, default=20, help="deliveries claimed at once")
        deliver.add_argument(
            "--interval", type=float, default=5.0, help="seconds between sweeps when idle"
        )
        deliver.add_argument("--max-seconds", type=float, default=None)
        deliver.add_argument("--quiet", action="store_true", help="no progress bar")
        sub.add_parser("status", help="how many deliveries are in each state")
        retry = sub.add_parser("retry-dead", help="send every failed delivery again")
        retry.add_argument("--municipality", help="only this municipality's (slug)")

    def handle(self, *args, action, **options):
        if action == "deliver":
            return self._deliver(**options)
        if action == "status":
            return self._status()
        if action == "retry-dead":
            return self._retry_dead(options.get("municipality"))
        raise CommandError(f"unknown action {action}")

    def _deliver(self, *, loop, until_idle, batch, interval, max_seconds, quiet, **_options):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        # SIGTERM (systemd, docker stop) ends the loop between two deliveries.
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        bar = tqdm(
            desc="notifications",
            unit="msg",
            total=None if loop else outbox.pending_count(),
            disable=quiet,
            file=self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr,
        )

        def progress(outcome):
            bar.update(outcome.claimed)
            bar.set_postfix(sent=outcome.sent, retry=outcome.retrying, dead=outcome.dead)

        if loop:
            total = outbox.run_loop(
                limit=batch,
                interval=interval,
                until_idle=until_idle,
                max_seconds=max_seconds,
                progress=progress,
            )
        else:
            total = outbox.deliver_until_done(limit=batch, progress=progress)
        bar.close()
        self.stdout.write(f"sent {total.sent}, to retry {total.retrying}, failed {total.dead}")

    def _status(self):
        from django.db.models import Count

        from thesaban.notifications.models import Delivery

        rows = dict(Delivery.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in Delivery.Status.values:
            self.stdout.write(f"{status}\t{rows.get(status, 0)}")
        due = outbox.pending_count()
        self.stdout.write(f"due now\t{due}")

    def _retry_dead(self, slug):
        from django.utils import timezone

        from thesaban.notifications.models import Delivery

        dead = Delivery.objects.filter(status=Delivery.Status.DEAD)
        if slug:
            dead = dead.filter(municipality__slug=slug)
        n = dead.update(status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now())
        self.stdout.write(f"{n} deliveries will be sent again")
