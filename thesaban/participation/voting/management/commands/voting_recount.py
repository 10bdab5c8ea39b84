"""Recount every published poll and budget from the stored ballots and compare with the
published tally. Exits non-zero if any differs.

    thesaban voting_recount [--municipality SLUG]
"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from thesaban.municipalities.models import Municipality
from thesaban.participation.voting import selectors
from thesaban.participation.voting.models import Budget, Poll


class Command(BaseCommand):
    help = "Recount published polls and budgets from the stored ballots and compare."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", help="slug; default: every municipality")

    def handle(self, *args, **options):
        municipalities = Municipality.objects.order_by("slug")
        if options["municipality"]:
            municipalities = municipalities.filter(slug=options["municipality"])
            if not municipalities.exists():
                raise CommandError(f"No municipality {options['municipality']!r}.")
        targets = []
        for municipality in municipalities:
            targets += list(
                Poll.objects.filter(municipality=municipality, published_tally__isnull=False)
            )
            targets += list(
                Budget.objects.filter(municipality=municipality, published_tally__isnull=False)
            )
        differing = []
        for target in tqdm(targets, desc="recount", unit="vote", disable=not targets):
            recount = (
                selectors.poll_recount(poll=target)
                if isinstance(target, Poll)
                else selectors.budget_recount(budget=target)
            )
            label = f"{target._meta.model_name} {target.pk} ({target.municipality.slug}): {target.title_th}"
            if recount.matches:
                self.stdout.write(f"same     {label}")
            else:
                differing.append(label)
                self.stdout.write(f"DIFFERS  {label}")
        self.stdout.write(f"{len(targets)} recounted, {len(differing)} differ.")
        if differing:
            raise CommandError("Some recounts differ from the published tallies.")
