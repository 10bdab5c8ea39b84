"""`thesaban apikey create|list|revoke --municipality SLUG`: integrators' API keys from the shell.

`create` prints the new key as its last line (and only then: it is stored as a digest), so a
script can take it with `| tail -n 1`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from thesaban.channels import selectors, services
from thesaban.municipalities.models import Municipality


class Command(BaseCommand):
    help = "Issue, list and revoke integrators' API keys (Open311 api_key, JSON API X-Api-Key)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="issue a key; prints it as the last line")
        create.add_argument("--name", required=True, help="the integrator's name")
        listing = sub.add_parser("list", help="list the keys (prefix, name, created, last used)")
        revoke = sub.add_parser("revoke", help="revoke a key, given by the start of the key")
        revoke.add_argument("--prefix", required=True, help="the key's first characters")
        for action in (create, listing, revoke):
            action.add_argument("--municipality", required=True, help="the municipality's slug")

    def handle(self, *args, action, municipality, **options):
        try:
            town = Municipality.objects.get(slug=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"No municipality with the slug {municipality!r}.") from None
        if action == "create":
            name = options["name"].strip()
            if not name:
                raise CommandError("--name must not be empty.")
            api_key, raw = services.api_key_create(municipality=town, name=name, actor=None)
            self.stdout.write(
                f"Issued key {api_key.prefix}… for {api_key.name} ({town.slug}). "
                "It is shown only now; store it safely:"
            )
            self.stdout.write(raw)
        elif action == "list":
            self._list(town)
        else:
            self._revoke(town, options["prefix"].strip())

    def _list(self, town: Municipality) -> None:
        keys = list(selectors.api_keys_of(municipality=town))
        if not keys:
            self.stdout.write("No keys.")
            return
        self.stdout.write(f"{'prefix':<14} {'created':<17} {'last used':<17} {'state':<8} name")
        for key in keys:
            self.stdout.write(
                f"{key.prefix:<14} {_when(key.created_at):<17} {_when(key.last_used_at):<17} "
                f"{'active' if key.is_active else 'revoked':<8} {key.name}"
            )

    def _revoke(self, town: Municipality, prefix: str) -> None:
        if len(prefix) < 6:
            raise CommandError("Give at least the first 6 characters of the key (its prefix).")
        matches = [
            key
            for key in selectors.api_keys_of(municipality=town).filter(revoked_at__isnull=True)
            if key.prefix.startswith(prefix) or prefix.startswith(key.prefix)
        ]
        if not matches:
            raise CommandError(f"No active key of {town.slug} starts with {prefix!r}.")
        if len(matches) > 1:
            raise CommandError(f"{len(matches)} keys start with {prefix!r}; give more characters.")
        services.api_key_revoke(api_key=matches[0], actor=None)
        self.stdout.write(f"Revoked {matches[0].prefix}… ({matches[0].name}).")


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"
