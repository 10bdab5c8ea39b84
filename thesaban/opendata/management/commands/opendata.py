"""`thesaban opendata …`: import files, load the demo data, publish the live datasets.

thesaban opendata import budget FILE --municipality SLUG     (also: disbursements, procurement, projects)
thesaban opendata demo --municipality demo
thesaban opendata publish --municipality SLUG
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from thesaban.municipalities.models import Municipality
from thesaban.opendata import demo, importers, services
from thesaban.opendata.models import ImportJob


class Command(BaseCommand):
    help = "Open data: import budget, payment, procurement or project files; demo data; publish datasets."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="check a CSV/XLSX file and import it (all or nothing)")
        imp.add_argument("kind", choices=[k.value for k in ImportJob.Kind])
        imp.add_argument("file", type=Path)
        imp.add_argument("--municipality", required=True)
        imp.add_argument("--note", default="")
        for name, text in (
            ("demo", "load the demo budget, projects, awards and payments"),
            ("publish", "publish the live datasets"),
        ):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("--municipality", required=True)

    def handle(self, *args, action, municipality, **options):
        try:
            found = Municipality.objects.get(slug=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"no municipality with the slug {municipality!r}") from None
        if action == "demo":
            summary = demo.load(found)
            self.stdout.write(
                self.style.SUCCESS(f"open-data demo loaded for {found.slug}: {summary}")
            )
        elif action == "publish":
            datasets = services.datasets_publish_standard(municipality=found)
            self.stdout.write(self.style.SUCCESS(f"{len(datasets)} live datasets in the catalogue"))
        else:
            self._import(found, options["kind"], options["file"], options["note"])

    def _import(self, municipality, kind, path: Path, note: str) -> None:
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        bar = tqdm(total=0, unit="row", desc=f"checking {path.name}")

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        result = importers.IMPORTERS[kind](
            municipality=municipality,
            name=path.name,
            data=path.read_bytes(),
            note=note,
            progress=progress,
        )
        bar.close()
        if not result.ok:
            for error in result.errors.items:
                self.stderr.write(
                    f"row {error['row']}, {error['column']}: {error['th']} / {error['en']}"
                )
            raise CommandError(f"nothing imported: {len(result.errors)} problem(s)")
        self.stdout.write(self.style.SUCCESS(f"imported {result.rows} rows: {result.summary}"))
