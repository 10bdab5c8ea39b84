"""`thesaban demo`: load or refresh the demo municipality, then print its demo accounts."""

import time

from django.core.management.base import BaseCommand, CommandError

from thesaban.municipalities.demo import builder


class Command(BaseCommand):
    help = (
        "Load the demo municipality (departments, communities, categories, staff, residents, a "
        "year of reports and digital-readiness assessments); --all loads the five municipalities "
        "of the demo network. Idempotent: running it again changes nothing; reports are generated "
        "only while the municipality has none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "slugs",
            nargs="*",
            default=["demo"],
            help=f"Demo municipalities to load (known: {', '.join(builder.profile_slugs())}).",
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="Load every demo municipality: the five members of the demo network, each with "
            "its own digital-readiness profile (the four besides `demo` have fewer reports).",
        )
        parser.add_argument(
            "--reports",
            type=int,
            default=None,
            help="How many reports to generate when the municipality has none (default: the profile's).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args, slugs, reports, no_progress, verbosity, **options):
        if options.get("all"):
            slugs = builder.profile_slugs()
        unknown = [slug for slug in slugs if slug not in builder.profile_slugs()]
        if unknown:
            raise CommandError(
                f"No demo profile for {', '.join(unknown)}; known: {', '.join(builder.profile_slugs())}."
            )
        if reports is not None and reports < 0:
            raise CommandError("--reports cannot be negative.")
        progress = not no_progress and verbosity > 0
        for slug in slugs:
            started = time.perf_counter()
            result = builder.build(slug, reports=reports, progress=progress)
            municipality = result.municipality
            if verbosity == 0:
                continue
            total = municipality.reports.count()
            what = (
                f"{result.reports_created} reports generated"
                if result.reports_created
                else f"{total} reports kept (generated only while there are none)"
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"{municipality.name_th} / {municipality.name_en} (/{municipality.slug}/): {what}, "
                    f"{time.perf_counter() - started:.1f} s."
                )
            )
            self._credentials(result)

    def _credentials(self, result: builder.BuildResult) -> None:
        if not result.credentials:
            return
        width = max(len(c.login) for c in result.credentials)
        self.stdout.write("")
        self.stdout.write(
            f"Demo accounts of /{result.municipality.slug}/ (password: {builder.DEMO_PASSWORD})"
        )
        for credential in result.credentials:
            department = f" – {credential.department}" if credential.department else ""
            self.stdout.write(f"  {credential.login.ljust(width)}  {credential.role}{department}")
        self.stdout.write(
            self.style.WARNING(
                f"The password “{builder.DEMO_PASSWORD}” is public: these accounts are for a demo "
                "installation only. Never load the demo into a server that real people use."
            )
        )
        if not all(c.created for c in result.credentials):
            self.stdout.write(
                "Accounts that already existed kept their password; the one above is only set when an "
                "account is first created."
            )
