"""`thesaban ledger verify|backfill|head --municipality SLUG`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from thesaban.ledger import selectors, services
from thesaban.ledger.models import LedgerEntry
from thesaban.ledger.registry import record_types
from thesaban.ledger.verification import ledger_verify
from thesaban.municipalities.models import Municipality


class Command(BaseCommand):
    help = (
        "The transparency ledger. verify: derive every leaf again from its record and check the "
        "Merkle tree and the signed head (exit status 1 on any problem). backfill: append the "
        "records that are not in the log yet (records created before the ledger). head: print "
        "the signed tree head."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("verify", "check the log against the records and the tree"),
            ("backfill", "append records that are not in the log yet"),
            ("head", "print the signed tree head as JSON"),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("--municipality", required=True, help="the municipality's slug")
            action.add_argument("--no-progress", action="store_true", help="no progress bar")
            if name == "verify":
                action.add_argument(
                    "--max-problems", type=int, default=100, help="stop listing after this many"
                )

    def handle(self, *args, action, municipality, no_progress=False, verbosity=1, **options):
        try:
            town = Municipality.objects.get(slug=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"No municipality with the slug {municipality!r}.") from None
        show = not no_progress and verbosity > 0
        if action == "verify":
            self._verify(town, show, options["max_problems"])
        elif action == "backfill":
            self._backfill(town, show)
        else:
            import json

            head = selectors.ledger_tree_head(municipality=town)
            self.stdout.write(json.dumps(head.as_json(), indent=2))

    def _verify(self, town: Municipality, show: bool, max_problems: int) -> None:
        total = LedgerEntry.objects.filter(municipality=town).count()
        with tqdm(total=total, unit="entry", disable=not show, desc="verify") as bar:
            result = ledger_verify(
                municipality=town, progress=bar.update, max_problems=max_problems
            )
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"OK: {result.checked} entries of /{town.slug}/ derived again from their "
                    f"records; tree root {result.root_hash.hex()} matches the signed head."
                )
            )
            return
        for problem in result.problems:
            self.stderr.write(f"PROBLEM {problem}")
        raise CommandError(
            f"The ledger of /{town.slug}/ does not verify: {len(result.problems)} problem(s)"
            f"{' (list cut)' if len(result.problems) >= max_problems else ''}."
        )

    def _backfill(self, town: Municipality, show: bool) -> None:
        pending = 0
        for spec in record_types.all():
            if spec.backfill is not None:
                pending += spec.backfill(town).count()
        already = LedgerEntry.objects.filter(municipality=town).count()
        with tqdm(
            total=max(pending - already, 0), unit="record", disable=not show, desc="backfill"
        ) as bar:
            appended = services.ledger_backfill(municipality=town, progress=bar)
        head = selectors.ledger_tree_head(municipality=town)
        self.stdout.write(
            self.style.SUCCESS(
                f"Appended {appended} record(s) to /{town.slug}/'s ledger; it now holds "
                f"{head.tree_size} entries, root {head.root_hash.hex()}."
            )
        )
