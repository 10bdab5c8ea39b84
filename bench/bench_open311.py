"""How long Open311 `GET requests` takes on a big municipality, beside hand-written SQL.

    .venv/bin/python bench/bench_open311.py --municipality bench [--repeat 15]

Fill the municipality first with bench/generate_reports.py, or with `--fill N`, which adds N
report rows spread evenly over the last two years (bulk inserts through the ORM, so every
column, JSON ones included, gets its proper value). Rows, in one process:

- `GET requests.json` / `.xml`, default window (last 90 days, first 1,000, newest first): the
  whole request through Django's test client (URL routing, middleware, validation, the one
  query, the document, JSON or XML), i.e. what an integrator waits for minus the network;
- the selector alone (`requests_matching`, its one query with the latest public note and the
  first photo as subqueries), so query and rendering can be told apart;
- the same rows by hand-written SQL (the baseline): one SELECT with the same joins and
  subqueries, fetched as tuples.

Each runs once untimed (and the selector and the SQL are checked to return the same tracking
codes in the same order), then `--repeat` times, alternating. Medians and 90th percentiles in
milliseconds; the ratio is to the SQL baseline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import _django

_django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from thesaban.channels.open311 import params, selectors  # noqa: E402
from thesaban.municipalities.models import Municipality  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipality", required=True, help="slug of the municipality")
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each (default 15)")
    parser.add_argument("--fill", type=int, default=0, help="first add this many report rows")
    return parser.parse_args()


def fill(municipality: Municipality, count: int, batch: int = 5000) -> None:
    """`count` report rows over the last 730 days, newest to oldest, all categories."""
    from datetime import timedelta

    from tqdm import tqdm

    from thesaban.reports.models import Category, Report
    from thesaban.reports.workflow import Status

    categories = list(Category.objects.filter(municipality=municipality))
    statuses = [Status.SUBMITTED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED]
    start = Report.objects.filter(municipality=municipality).count()
    now = timezone.now()
    step = timedelta(days=730) / max(count, 1)
    with tqdm(total=count, unit="report", desc="fill") as bar:
        for first in range(0, count, batch):
            rows = []
            for n in range(first, min(first + batch, count)):
                category = categories[n % len(categories)]
                when = now - step * n
                rows.append(
                    Report(
                        municipality=municipality,
                        tracking_code=f"O311-{start + n:09d}",
                        category=category,
                        department_id=category.department_id,
                        description="ถนนเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย",
                        lat=13.0 + (n % 1000) / 10000,
                        lng=100.0 + (n % 997) / 10000,
                        address="หน้าตลาดสด",
                        status=statuses[n % len(statuses)],
                        submitted_at=when,
                        updated_at=when,
                        sla_due_at=when + timedelta(hours=category.sla_hours),
                    )
                )
            Report.objects.bulk_create(rows)
            bar.update(len(rows))


SQL = """
SELECT r.tracking_code, r.status, r.description, r.address, r.lat, r.lng, r.media_url,
       r.submitted_at, r.updated_at, r.sla_due_at, r.external_ref,
       c.code, c.name_th, c.notice_th, c.sla_hours, d.name_th,
       (SELECT e.note FROM reports_reportevent e
         WHERE e.municipality_id = r.municipality_id AND e.report_id = r.id
           AND e.is_public AND e.note <> ''
         ORDER BY e.created_at DESC, e.id DESC LIMIT 1),
       (SELECT p.image FROM reports_reportphoto p
         WHERE p.municipality_id = r.municipality_id AND p.report_id = r.id AND NOT p.by_staff
         ORDER BY p.position, p.id LIMIT 1)
  FROM reports_report r
  JOIN reports_category c ON c.id = r.category_id
  LEFT JOIN municipalities_department d ON d.id = r.department_id
 WHERE r.municipality_id = %s AND r.status <> 'duplicate'
   AND r.submitted_at >= %s AND r.submitted_at <= %s
 ORDER BY r.submitted_at DESC, r.id DESC
 LIMIT 1000
"""


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.9 * len(ordered)) - 1)]


def main() -> None:
    args = parse_args()
    municipality = Municipality.objects.get(slug=args.municipality)
    if args.fill:
        fill(municipality, args.fill)
    client = Client(SERVER_NAME="localhost")
    jurisdiction = {"jurisdiction_id": municipality.slug}
    print(f"database: {_django.describe_database()}")
    print(f"load average at start: {os.getloadavg()[0]:.1f}")
    total = municipality.reports.count()

    def window():
        now = timezone.now()
        return now - params.DEFAULT_SPAN, now

    def via_sql():
        start, end = window()
        with connection.cursor() as cursor:
            cursor.execute(SQL, [municipality.pk, start, end])
            return cursor.fetchall()

    def via_selector():
        return selectors.requests_matching(
            municipality=municipality, query=params.request_query(jurisdiction)
        )

    def via_http(fmt: str):
        def run():
            response = client.get(f"/open311/v2/requests.{fmt}", jurisdiction)
            assert response.status_code == 200, response.content[:200]
            return response

        return run

    sql_codes = [row[0] for row in via_sql()]
    selector_codes = [report.tracking_code for report in via_selector()]
    agree = sql_codes == selector_codes
    json_bytes = len(via_http("json")().content)
    xml_bytes = len(via_http("xml")().content)

    rows = {
        "GET requests.json (whole request)": via_http("json"),
        "GET requests.xml (whole request)": via_http("xml"),
        "selector requests_matching (query)": via_selector,
        "hand-written SQL (baseline)": via_sql,
    }
    results: dict[str, list[float]] = {name: [] for name in rows}
    for round_ in range(args.repeat):
        order = list(rows.items())
        if round_ % 2:
            order.reverse()
        for name, function in order:
            results[name] += timed(function, 1)

    baseline = statistics.median(results["hand-written SQL (baseline)"])
    print(
        f"\n{total:,} reports in {municipality.slug}; the default window returns "
        f"{len(sql_codes):,} requests (JSON {json_bytes:,} bytes, XML {xml_bytes:,} bytes); "
        f"selector and SQL {'agree' if agree else 'DIFFER'}\n"
    )
    print(f"{'what':<40} {'median':>12} {'p90':>12} {'/ SQL':>8}")
    print("-" * 76)
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:<40} {median:>9.1f} ms {p90(values):>9.1f} ms {median / baseline:>7.2f}×")
    print(f"\nload average at end: {os.getloadavg()[0]:.1f}")
    if not agree:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
