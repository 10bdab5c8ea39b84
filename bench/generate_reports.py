"""Generate many reports for one municipality, fast, for the benchmarks.

    .venv/bin/python bench/generate_reports.py --municipality bench --count 1000000

Writes straight to the reports table (COPY on PostgreSQL, executemany in large transactions on
SQLite), bypassing the services: no timeline events, audit entries or followers, only report
rows whose fields agree with each other (status, first response, resolution, closure, SLA due,
satisfaction). The municipality is created with the demo builder when it does not exist.
Tracking codes are taken from the municipality's ReportSequence counters, which are advanced
first, so reports filed later through the app never collide with generated ones. Meant for an
otherwise idle benchmark database.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import secrets
import sys
import time
from bisect import bisect_right
from collections import deque
from datetime import UTC, datetime
from itertools import accumulate

import _django

_django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from thesaban.core.dates import BUDDHIST_ERA_OFFSET  # noqa: E402
from thesaban.municipalities import geo  # noqa: E402
from thesaban.municipalities.demo import builder  # noqa: E402
from thesaban.municipalities.models import Community, Municipality  # noqa: E402
from thesaban.reports.models import Category, Report, ReportSequence, RoutingRule  # noqa: E402
from thesaban.reports.workflow import Status  # noqa: E402

HISTORY_DAYS = 730
HOUR = 3600.0
DAY = 86400.0
HOUR_WEIGHTS = builder.HOUR_WEIGHTS
CHANNELS = ["web", "line", "phone", "walk_in", "assisted", "api"]
CHANNEL_WEIGHTS = [48, 34, 8, 4, 4, 2]
# Final state by age as in the demo; on top of that a few percent are merged duplicates.
AGE_BUCKETS = builder.AGE_STATUS_WEIGHTS
DUPLICATE_SHARE = 0.04
RASTER = 200  # community lookup grid, cells per side


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--municipality", required=True, help="slug; created with the demo builder if missing"
    )
    parser.add_argument(
        "--count", type=int, default=1_000_000, help="reports to add (default 1,000,000)"
    )
    parser.add_argument(
        "--batch", type=int, default=20_000, help="rows per transaction (default 20,000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after loading")
    return parser.parse_args()


def migrate_if_needed() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("Applying migrations…")
        call_command("migrate", verbosity=0)


class Model:
    """What the generator needs to know about the municipality, read once."""

    def __init__(self, municipality: Municipality):
        self.municipality = municipality
        self.categories = list(Category.objects.filter(municipality=municipality, is_active=True))
        if not self.categories:
            raise SystemExit(f"{municipality.slug} has no categories.")
        specs = {spec["code"]: spec for spec in builder.category_specs()}
        self.weights = [specs.get(c.code, {}).get("weight", 1.0) for c in self.categories]
        self.peaks = [set(specs.get(c.code, {}).get("peak_months", [])) for c in self.categories]
        self.communities = list(
            Community.objects.filter(municipality=municipality).exclude(boundary=None)
        )
        self.rules = {
            (rule.category_id, rule.community_id): rule.department_id
            for rule in RoutingRule.objects.filter(municipality=municipality)
        }
        box = geo.bounds(municipality.boundary) if municipality.boundary else None
        if box is None and self.communities:
            boxes = [geo.bounds(c.boundary) for c in self.communities]
            box = (
                min(b[0] for b in boxes),
                max(b[1] for b in boxes),
                min(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
        if box is None:  # neither boundary nor communities: a 4 km square around the centre
            box = (
                municipality.center_lat - 0.018,
                municipality.center_lat + 0.018,
                municipality.center_lng - 0.018,
                municipality.center_lng + 0.018,
            )
        self.box = box
        self.raster = self._raster()

    def _raster(self) -> list[int | None]:
        """The community at the centre of each cell of a grid over the municipality."""
        min_lat, max_lat, min_lng, max_lng = self.box
        boxes = [(c, geo.bounds(c.boundary)) for c in self.communities]
        cells: list[int | None] = []
        for i in range(RASTER):
            lat = min_lat + (max_lat - min_lat) * (i + 0.5) / RASTER
            row = [(c, b) for c, b in boxes if b[0] <= lat <= b[1]]
            for j in range(RASTER):
                lng = min_lng + (max_lng - min_lng) * (j + 0.5) / RASTER
                cells.append(
                    next(
                        (
                            c.id
                            for c, b in row
                            if b[2] <= lng <= b[3] and geo.contains(c.boundary, lat, lng)
                        ),
                        None,
                    )
                )
        return cells

    def community_at(self, lat: float, lng: float) -> int | None:
        min_lat, max_lat, min_lng, max_lng = self.box
        i = int((lat - min_lat) / (max_lat - min_lat) * RASTER)
        j = int((lng - min_lng) / (max_lng - min_lng) * RASTER)
        if 0 <= i < RASTER and 0 <= j < RASTER:
            return self.raster[i * RASTER + j]
        return None


def ensure_municipality(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        print(f"Creating the municipality {slug} with the demo builder (structure only)…")
        municipality = builder.ensure_structure(builder.load_profile(slug)).municipality
    return municipality


def submission_times(count: int, rng: random.Random, now: float, offset: float) -> list[float]:
    """Epoch seconds over two years, three times as many lately as two years ago, by hour of day."""
    cumulative = list(accumulate(HOUR_WEIGHTS))
    total = cumulative[-1]
    times = []
    while len(times) < count:
        days = rng.random() * HISTORY_DAYS
        if rng.random() * 3 > 1 + 2 * (1 - days / HISTORY_DAYS):
            continue
        local_day = math.floor((now + offset) / DAY - days) * DAY
        hour = bisect_right(cumulative, rng.random() * total)
        moment = local_day - offset + hour * HOUR + rng.random() * HOUR
        if moment < now - 60:
            times.append(moment)
    times.sort()
    return times


def text_pools(
    model: Model, rng: random.Random
) -> tuple[dict[int, list[str]], dict[int | None, list[str]]]:
    """Descriptions per category and addresses per community, from the demo's text generator."""
    profile = builder.load_profile(model.municipality.slug)
    writer = builder.Writer(rng, profile)
    codes = [c["code"] for c in profile["communities"]]
    descriptions = {}
    for category in model.categories:
        if category.code in writer.texts["categories"]:
            descriptions[category.id] = [
                writer.description(
                    category.code,
                    writer.place(rng.choice(codes)),
                    gender=rng.choice("mf"),
                    channel=rng.choice(["web", "line"]),
                    severity=category.severity,
                )
                for _ in range(300)
            ]
        else:
            descriptions[category.id] = [f"{category.name_th} ({n})" for n in range(20)]
    addresses: dict[int | None, list[str]] = {}
    for index, community in enumerate([*model.communities, None]):
        code = (
            community.code if community and community.code in codes else codes[index % len(codes)]
        )
        addresses[community.id if community else None] = [
            writer.place(code).address for _ in range(200)
        ]
    return descriptions, addresses


class Generator:
    def __init__(self, model: Model, rng: random.Random, now: float):
        self.m, self.rng, self.now = model, rng, now
        self.descriptions, self.addresses = text_pools(model, rng)
        min_lat, max_lat, min_lng, max_lng = model.box
        # Where reports gather: markets, schools, main roads; a few hot, most lukewarm.
        spots = []
        for _ in range(80):
            lat, lng = rng.uniform(min_lat, max_lat), rng.uniform(min_lng, max_lng)
            spots.append((lat, lng, rng.uniform(0.0003, 0.0030)))
        self.spots = spots
        self.spot_weights = list(accumulate(1 / (rank + 1) ** 0.8 for rank in range(len(spots))))
        self.category_cumulative = {}
        for month in range(1, 13):
            weights = [
                w * (3 if month in peak else 1)
                for w, peak in zip(model.weights, model.peaks, strict=True)
            ]
            self.category_cumulative[month] = list(accumulate(weights))
        self.channel_cumulative = list(accumulate(CHANNEL_WEIGHTS))
        self.names = builder.texts()["names"]
        self.recent: dict[int, deque] = {c.id: deque(maxlen=64) for c in model.categories}
        self.age_buckets = [
            (limit, list(weights), list(accumulate(weights.values())))
            for limit, weights in AGE_BUCKETS
        ]
        self.satisfied = list(accumulate([2, 5, 15, 35, 43]))  # scores 1-5 when resolved within SLA
        self.unsatisfied = list(accumulate([12, 18, 30, 25, 15]))

    def _pick(self, cumulative: list[float]) -> int:
        return bisect_right(cumulative, self.rng.random() * cumulative[-1])

    def _status(self, age_days: float) -> str:
        if self.rng.random() < DUPLICATE_SHARE:
            return Status.DUPLICATE
        for limit, statuses, cumulative in self.age_buckets:
            if age_days < limit:
                return statuses[self._pick(cumulative)]
        raise AssertionError("unreachable")

    def row(self, report_id: int, code: str, submitted: float, month: int) -> dict:
        rng, m, now = self.rng, self.m, self.now
        category = m.categories[self._pick(self.category_cumulative[month])]
        status = self._status((now - submitted) / DAY)
        original = None
        if status == Status.DUPLICATE:
            if self.recent[category.id]:
                original = rng.choice(self.recent[category.id])
            else:
                status = Status.SUBMITTED
        if original is not None:
            lat, lng = original[1] + rng.gauss(0, 0.0001), original[2] + rng.gauss(0, 0.0001)
        elif rng.random() < 0.85:
            spot_lat, spot_lng, spread = self.spots[self._pick(self.spot_weights)]
            lat, lng = rng.gauss(spot_lat, spread), rng.gauss(spot_lng, spread)
        else:
            lat, lng = rng.uniform(m.box[0], m.box[1]), rng.uniform(m.box[2], m.box[3])
        community = m.community_at(lat, lng)
        sla = category.sla_hours * HOUR
        limit = now - 60
        first = resolved = closed = rated = None
        satisfaction = None
        updated = submitted
        if status not in (Status.SUBMITTED, Status.DUPLICATE):
            first = (
                submitted
                + max(0.2, rng.lognormvariate(math.log(6), 0.9) * 3 / category.severity) * HOUR
            )
            if status in (Status.RESOLVED, Status.CLOSED):
                resolved = submitted + max(
                    first - submitted + HOUR, sla * rng.lognormvariate(math.log(0.55), 0.7)
                )
                if resolved > limit:  # squeeze the story into the time there was
                    factor = (limit - submitted) / (resolved - submitted) * rng.uniform(0.6, 0.95)
                    first, resolved = (
                        submitted + (first - submitted) * factor,
                        submitted + (resolved - submitted) * factor,
                    )
                if status == Status.CLOSED:
                    closed = resolved + (
                        14 * DAY if rng.random() < 0.6 else rng.uniform(1, 7) * DAY
                    )
                    if closed > limit:
                        closed = resolved + (limit - resolved) * rng.uniform(0.3, 0.9)
                if rng.random() < 0.7:
                    rated = resolved + min(
                        rng.uniform(1, 96) * HOUR, ((closed or limit) - resolved) * 0.9
                    )
                    within = resolved <= submitted + sla
                    satisfaction = 1 + self._pick(self.satisfied if within else self.unsatisfied)
            else:
                first = min(first, submitted + (limit - submitted) * 0.5)
            updated = max(t for t in (first, resolved, closed) if t is not None)
        elif status == Status.DUPLICATE:
            updated = submitted + min(rng.uniform(0.5, 24) * HOUR, (limit - submitted) * 0.5)
        if status != Status.DUPLICATE:
            self.recent[category.id].append((report_id, lat, lng))
        channel = CHANNELS[self._pick(self.channel_cumulative)]
        named = rng.random() < 0.5
        gender = rng.choice("mf")
        department = m.rules.get((category.id, community), category.department_id)
        return {
            "id": report_id,
            "municipality_id": m.municipality.id,
            "tracking_code": code,
            "category_id": category.id,
            "department_id": department,
            "community_id": community,
            "description": rng.choice(self.descriptions[category.id]),
            "lat": lat,
            "lng": lng,
            "address": rng.choice(self.addresses.get(community) or self.addresses[None]),
            "status": status,
            "channel": channel,
            "reporter_name": f"{rng.choice(self.names[gender])} {rng.choice(self.names['surnames'])}"
            if named
            else "",
            "reporter_phone": f"080-000-{rng.randrange(10_000):04d}"
            if named and rng.random() < 0.6
            else "",
            "is_anonymous": rng.random() < 0.7,
            "follow_token": secrets.token_urlsafe(24),
            "duplicate_of_id": original[0] if original else None,
            "support_count": int(rng.expovariate(1 / (0.3 + 0.5 * category.severity)))
            if status != Status.DUPLICATE
            else 0,
            "comment_count": int(rng.expovariate(3)),
            "submitted_at": submitted,
            "updated_at": updated,
            "sla_due_at": submitted + sla,
            "first_response_at": first,
            "resolved_at": resolved,
            "closed_at": closed,
            "reopen_count": 1 if resolved and rng.random() < 0.03 else 0,
            "satisfaction": satisfaction,
            "rated_at": rated,
        }


class TableWriter:
    """Rows in the table's column order; values shaped for the backend."""

    def __init__(self):
        self.fields = Report._meta.concrete_fields
        self.columns = [f.column for f in self.fields]
        self.sqlite = connection.vendor == "sqlite"
        self.datetimes = {f.column for f in self.fields if f.get_internal_type() == "DateTimeField"}
        self.booleans = {f.column for f in self.fields if f.get_internal_type() == "BooleanField"}
        # Columns the generator does not know (added later) get their field's default, in the
        # form the database takes (a JSON field's default dict as JSON text).
        self.defaults = {
            f.column: (
                None
                if f.null
                else json.dumps(f.get_default())
                if f.get_internal_type() == "JSONField"
                else f.get_default()
            )
            for f in self.fields
        }
        if self.sqlite:
            with connection.cursor() as cursor:  # a large page cache for the bulk load
                cursor.execute("PRAGMA cache_size = -262144")

    def _datetime(self, value: float):
        moment = datetime.fromtimestamp(value, UTC)
        # Django keeps aware datetimes in SQLite as naive UTC text.
        return str(moment.replace(tzinfo=None)) if self.sqlite else moment

    def values(self, row: dict) -> tuple:
        for column in self.datetimes:
            if row.get(column) is not None:
                row[column] = self._datetime(row[column])
        if self.sqlite:
            for column in self.booleans:
                if row.get(column) is not None:
                    row[column] = int(row[column])
        defaults = self.defaults
        return tuple([row[c] if c in row else defaults[c] for c in self.columns])

    def write(self, rows: list[tuple]) -> None:
        table = Report._meta.db_table
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with transaction.atomic():
            if self.sqlite:
                placeholders = ", ".join("?" for _ in self.columns)
                connection.ensure_connection()
                connection.connection.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows
                )
            else:
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
                ):
                    for row in rows:
                        copy.write_row(row)


def reserve_ids(count: int) -> int:
    """The first of `count` consecutive free report ids."""
    table = Report._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        return cursor.fetchone()[0] + 1


def reserve_numbers(municipality: Municipality, per_year: dict[int, int]) -> dict[int, int]:
    """Advance the tracking-number counters; returns the first number to use in each year."""
    first = {}
    with transaction.atomic():
        for year_be, count in sorted(per_year.items()):
            ReportSequence.objects.get_or_create(municipality=municipality, year_be=year_be)
            sequence = ReportSequence.objects.select_for_update().get(
                municipality=municipality, year_be=year_be
            )
            first[year_be] = sequence.last_number + 1
            sequence.last_number += count
            sequence.save(update_fields=["last_number"])
    return first


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Report._meta.db_table}")


def main() -> None:
    args = parse_args()
    if args.count <= 0 or args.batch <= 0:
        raise SystemExit("--count and --batch must be positive.")
    started = time.perf_counter()
    print(f"Database: {_django.describe_database()}")
    migrate_if_needed()
    municipality = ensure_municipality(args.municipality)
    rng = random.Random(args.seed)
    now_dt = timezone.now()
    now = now_dt.timestamp()
    offset = timezone.localtime(now_dt).utcoffset().total_seconds()
    model = Model(municipality)
    generator = Generator(model, rng, now)
    times = submission_times(args.count, rng, now, offset)
    local_days = [math.floor((t + offset) / DAY) for t in times]
    # Year and month of each local day, once per day rather than once per report.
    calendar = {day: datetime.fromtimestamp(day * DAY, UTC) for day in set(local_days)}
    per_year: dict[int, int] = {}
    for day in local_days:
        year_be = calendar[day].year + BUDDHIST_ERA_OFFSET
        per_year[year_be] = per_year.get(year_be, 0) + 1
    next_number = reserve_numbers(municipality, per_year)
    next_id = reserve_ids(args.count)
    writer = TableWriter()
    prefix = municipality.tracking_prefix
    setup = time.perf_counter() - started
    print(
        f"{municipality.name_th} ({municipality.slug}): {args.count:,} reports from "
        f"{datetime.fromtimestamp(times[0], UTC):%Y-%m-%d} to {datetime.fromtimestamp(times[-1], UTC):%Y-%m-%d}, "
        f"batches of {args.batch:,} ({setup:.1f} s to prepare)"
    )

    load_started = time.perf_counter()
    batch: list[tuple] = []
    with tqdm(total=args.count, unit="report", unit_scale=True, file=sys.stdout) as progress:
        for index, submitted in enumerate(times):
            moment = calendar[local_days[index]]
            year_be = moment.year + BUDDHIST_ERA_OFFSET
            code = f"{prefix}-{year_be}-{next_number[year_be]:06d}"
            next_number[year_be] += 1
            batch.append(
                writer.values(generator.row(next_id + index, code, submitted, moment.month))
            )
            if len(batch) >= args.batch:
                writer.write(batch)
                progress.update(len(batch))
                batch = []
        if batch:
            writer.write(batch)
            progress.update(len(batch))
    loaded = time.perf_counter() - load_started
    analyzed = 0.0
    if not args.no_analyze:
        analyze_started = time.perf_counter()
        analyze()
        analyzed = time.perf_counter() - analyze_started
    total = Report.objects.filter(municipality=municipality).count()
    print(
        f"Inserted {args.count:,} reports in {loaded:.1f} s: {args.count / loaded:,.0f} rows/s "
        f"(generation and insert; ANALYZE {analyzed:.1f} s; {time.perf_counter() - started:.1f} s in all)."
    )
    print(f"{municipality.slug} now has {total:,} reports.")


if __name__ == "__main__":
    main()
