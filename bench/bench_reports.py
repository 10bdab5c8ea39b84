"""How long the public map and the staff dashboard take, beside hand-written SQL.

    .venv/bin/python bench/bench_reports.py --municipality bench [--repeat 15]

For each query the ORM version (the selector the views call) and an equivalent hand-written SQL
version, vendor-specific for SQLite and PostgreSQL, run alternately in the same process; the
table gives the median and 90th-percentile wall time of each and the ratio ORM/SQL, and checks
that both return the same figures.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import _django

_django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from thesaban.municipalities.models import Municipality  # noqa: E402
from thesaban.reports import selectors  # noqa: E402
from thesaban.reports.models import Report  # noqa: E402
from thesaban.reports.workflow import OPEN_STATUSES, Status  # noqa: E402

REPORTS = Report._meta.db_table
OPEN = tuple(sorted(OPEN_STATUSES))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipality", required=True, help="slug of the municipality to measure")
    parser.add_argument(
        "--repeat", type=int, default=15, help="timed runs of each query (default 15)"
    )
    parser.add_argument(
        "--zoom", type=int, nargs="+", default=[13, 15], help="map zoom levels (default 13 15)"
    )
    parser.add_argument(
        "--queries",
        nargs="+",
        choices=["map", "dashboard"],
        default=["map", "dashboard"],
        help="which queries to time (default both)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="also print the database's plan of each SQL query"
    )
    return parser.parse_args()


# --------------------------------------------------------------------------- hand-written SQL


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _floor(expression: str) -> str:
    """floor() where the database has it; SQLite builds without math functions get an equivalent."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT sqlite_compileoption_used('ENABLE_MATH_FUNCTIONS')")
            if not cursor.fetchone()[0]:
                return f"(CAST({expression} AS INTEGER) - ({expression} < CAST({expression} AS INTEGER)))"
    return f"floor({expression})"


def map_sql() -> str:
    return f"""
        SELECT {_floor("lat / %s")} AS gx, {_floor("lng / %s")} AS gy,
               COUNT(*) AS n, AVG(lat), AVG(lng), MAX(tracking_code)
        FROM {REPORTS}
        WHERE municipality_id = %s AND lat IS NOT NULL AND status <> 'duplicate'
        GROUP BY gx, gy"""


def map_points_sql(municipality: Municipality, zoom: int, sql: str) -> dict:
    cell = selectors.cell_size_for_zoom(zoom)
    rows = _rows(sql, [cell, cell, municipality.id])
    return {
        "kind": "clusters",
        "clusters": [
            {"lat": lat, "lng": lng, "count": n, "code": code if n == 1 else None}
            for _gx, _gy, n, lat, lng, code in rows
        ],
    }


def _db_time(value: datetime) -> Any:
    """A datetime as the backend stores it (naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def _from_db(value: Any) -> datetime | None:
    """SQLite hands back the stored text; make it the aware datetime the ORM returns."""
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


def dashboard_parts() -> dict[str, str]:
    """The dashboard's six queries, written by hand for this backend."""
    not_duplicate = f"municipality_id = %s AND status <> '{Status.DUPLICATE}'"
    open_list = ", ".join(f"'{s}'" for s in OPEN)
    if connection.vendor == "postgresql":
        within = "COUNT(*) FILTER (WHERE resolved_at <= sla_due_at)"
        breached = "COUNT(*) FILTER (WHERE sla_due_at < %s)"
        resolved = "COUNT(*) FILTER (WHERE resolved_at IS NOT NULL)"
        hours = "date_part('epoch', resolved_at - submitted_at) / 3600.0"
        month = "date_trunc('month', submitted_at AT TIME ZONE %s)"
    else:
        within = "COALESCE(SUM(resolved_at <= sla_due_at), 0)"
        breached = "COALESCE(SUM(sla_due_at < %s), 0)"
        resolved = "COALESCE(SUM(resolved_at IS NOT NULL), 0)"
        hours = "(julianday(resolved_at) - julianday(submitted_at)) * 24.0"
        # SQLite knows no time zones: the local month from a fixed offset (Thailand has no DST).
        month = "strftime('%%Y-%%m', submitted_at, %s)"
    return {
        "open by department and status": f"""
            SELECT d.name_th, d.name_en, r.status, COUNT(*)
            FROM {REPORTS} r LEFT JOIN municipalities_department d ON d.id = r.department_id
            WHERE r.municipality_id = %s AND r.status IN ({open_list})
            GROUP BY d.name_th, d.name_en, r.status ORDER BY d.name_th, r.status""",
        "resolved, within SLA, satisfaction": f"""
            SELECT COUNT(*), {within}, AVG(satisfaction), COUNT(satisfaction)
            FROM {REPORTS} WHERE {not_duplicate} AND resolved_at IS NOT NULL""",
        "open and past SLA": f"""
            SELECT COUNT(*), {breached} FROM {REPORTS}
            WHERE municipality_id = %s AND status IN ({open_list})""",
        "median hours to resolution": f"""
            SELECT {hours} AS hours FROM {REPORTS}
            WHERE {not_duplicate} AND resolved_at IS NOT NULL
            ORDER BY hours LIMIT %s OFFSET %s""",
        "monthly trend": f"""
            SELECT {month} AS month, COUNT(*), {resolved}, {within}
            FROM {REPORTS} WHERE {not_duplicate} GROUP BY month ORDER BY month""",
        "first and last report": f"""
            SELECT MIN(submitted_at), MAX(submitted_at) FROM {REPORTS} WHERE {not_duplicate}""",
    }


def _month_parameter() -> str:
    if connection.vendor == "postgresql":
        return settings.TIME_ZONE
    offset = timezone.localtime(timezone.now()).utcoffset()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def dashboard_sql(
    municipality: Municipality, parts: dict[str, str], timings: dict[str, list[float]] | None = None
) -> dict:
    """The same figures as selectors.dashboard_stats, each part timed when `timings` is given."""
    m = municipality.id
    sqls = list(parts.values())
    names = list(parts)
    results: list[list[tuple]] = []

    def run(index: int, params: list) -> list[tuple]:
        started = time.perf_counter()
        rows = _rows(sqls[index], params)
        if timings is not None:
            timings.setdefault(names[index], []).append(time.perf_counter() - started)
        results.append(rows)
        return rows

    by_department = run(0, [m])
    resolved, within, satisfaction, rated = run(1, [m])[0]
    now = timezone.now()
    open_count, breached = run(2, [_db_time(now), m])[0]
    median = None
    if resolved:
        middle = run(3, [m, 1 if resolved % 2 else 2, (resolved - 1) // 2])
        median = sum(float(h) for (h,) in middle) / len(middle)
    monthly = run(4, [_month_parameter(), m])
    first, last = (_from_db(value) for value in run(5, [m])[0])
    return {
        "by_department_status": [
            {"department__name_th": th, "department__name_en": en, "status": status, "n": n}
            for th, en, status, n in by_department
        ],
        "open": open_count,
        "open_breached": breached,
        "resolved": resolved,
        "sla_compliance": (within / resolved) if resolved else None,
        "median_hours_to_resolution": median,
        "satisfaction": float(satisfaction) if satisfaction is not None else None,
        "rated": rated,
        "monthly": [
            {"month": month, "submitted": n, "resolved": r, "within_sla": w}
            for month, n, r, w in monthly
        ],
        "span": {"first": first, "last": last},
        "now": now,
    }


# --------------------------------------------------------------------------- agreement


def _close(a: float | None, b: float | None, tolerance: float = 1e-6) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) <= tolerance * max(1.0, abs(float(a)))


def map_agreement(orm: dict, sql: dict) -> tuple[bool, str]:
    a, b = orm["clusters"], sql["clusters"]
    counts_a, counts_b = sorted(c["count"] for c in a), sorted(c["count"] for c in b)
    centres_a = sorted((round(c["lat"], 9), round(c["lng"], 9), c["count"]) for c in a)
    centres_b = sorted((round(c["lat"], 9), round(c["lng"], 9), c["count"]) for c in b)
    same = counts_a == counts_b and centres_a == centres_b
    return (
        same,
        f"{len(a):,} vs {len(b):,} clusters, {sum(counts_a):,} vs {sum(counts_b):,} reports",
    )


def dashboard_agreement(orm: dict, sql: dict, crossed: int) -> tuple[bool, str]:
    """`crossed`: open reports whose SLA ran out between the ORM's and the SQL's "now"."""
    checks = {
        "open": orm["open"] == sql["open"],
        "past SLA": 0 <= sql["open_breached"] - orm["open_breached"] <= crossed,
        "resolved": orm["resolved"] == sql["resolved"],
        "SLA share": _close(orm["sla_compliance"], sql["sla_compliance"]),
        "median": _close(orm["median_hours_to_resolution"], sql["median_hours_to_resolution"]),
        "satisfaction": _close(orm["satisfaction"], sql["satisfaction"]),
        "rated": orm["rated"] == sql["rated"],
        "months": [(m["submitted"], m["resolved"], m["within_sla"]) for m in orm["monthly"]]
        == [(m["submitted"], m["resolved"], m["within_sla"]) for m in sql["monthly"]],
        "departments": sorted(r["n"] for r in orm["by_department_status"])
        == sorted(r["n"] for r in sql["by_department_status"]),
        "span": orm["span"] == sql["span"],
    }
    wrong = [name for name, ok in checks.items() if not ok]
    summary = (
        f"{orm['resolved']:,} vs {sql['resolved']:,} resolved, {orm['open']:,} vs {sql['open']:,} open, "
        f"median {orm['median_hours_to_resolution'] or 0:.2f} h vs {sql['median_hours_to_resolution'] or 0:.2f} h, "
        f"{len(orm['monthly'])} vs {len(sql['monthly'])} months"
    )
    return not wrong, summary + (f"; differ: {', '.join(wrong)}" if wrong else "")


# --------------------------------------------------------------------------- timing


def p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


class QueryTimer:
    """Times each SQL statement the ORM sends (connection.execute_wrapper)."""

    def __init__(self):
        self.durations: list[float] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.durations.append(time.perf_counter() - started)


def measure(
    repeat: int, orm: Callable[[], Any], sql: Callable[[], Any]
) -> tuple[list[float], list[float], Any, Any]:
    """Warm both up once, then alternate which goes first so that neither always finds a warmer cache."""
    orm_result, sql_result = orm(), sql()
    orm_times, sql_times = [], []
    for run in range(repeat):
        pair = [(orm, orm_times), (sql, sql_times)]
        for fn, samples in pair if run % 2 == 0 else reversed(pair):
            elapsed, _result = timed(fn)
            samples.append(elapsed)
    return orm_times, sql_times, orm_result, sql_result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def explain(sql: str, params: list) -> None:
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    for row in _rows(prefix + sql, params):
        print("    " + " | ".join(str(column) for column in row))


Row = tuple[str, list[float], list[float], bool, str]


def bench_map(args: argparse.Namespace, municipality: Municipality) -> list[Row]:
    rows = []
    sql_text = map_sql()
    for zoom in args.zoom:
        orm_times, sql_times, orm_result, sql_result = measure(
            args.repeat,
            lambda zoom=zoom: selectors.report_map_points(municipality=municipality, zoom=zoom),
            lambda zoom=zoom: map_points_sql(municipality, zoom, sql_text),
        )
        same, summary = map_agreement(orm_result, sql_result)
        rows.append((f"map clusters, zoom {zoom}", orm_times, sql_times, same, summary))
    return rows


def bench_dashboard(args: argparse.Namespace, municipality: Municipality) -> tuple[Row, list[str]]:
    """The dashboard as a whole, and query by query: the ORM's statements (timed as
    dashboard_stats sends them, warm-up excluded) beside the hand-written parts."""
    parts = dashboard_parts()
    part_sql: dict[str, list[float]] = {}
    timer = QueryTimer()

    def orm_dashboard():
        with connection.execute_wrapper(timer):
            return selectors.dashboard_stats(municipality=municipality)

    # The agreement check first (it warms the caches too). Each side takes "now" itself: the
    # reports whose SLA runs out in between may count as past SLA on the SQL side only.
    orm_started = timezone.now()
    orm_result = selectors.dashboard_stats(municipality=municipality)
    sql_result = dashboard_sql(municipality, parts)
    crossed = Report.objects.filter(
        municipality=municipality,
        status__in=OPEN_STATUSES,
        sla_due_at__gte=orm_started,
        sla_due_at__lt=sql_result["now"],
    ).count()
    same, summary = dashboard_agreement(orm_result, sql_result, crossed)
    orm_times, sql_times, _orm_result, _sql_result = measure(
        args.repeat, orm_dashboard, lambda: dashboard_sql(municipality, parts, part_sql)
    )
    lines = []
    per_run = len(timer.durations) // (args.repeat + 1)
    if per_run == len(parts):
        lines.append(
            f"{'  dashboard, query by query':<38}{'ORM median':>13}{'':>13}{'SQL median':>13}{'':>13}"
            f"{'ORM/SQL':>9}"
        )
        orm_parts = timer.durations[per_run:]
        for index, name in enumerate(parts):
            orm_part = statistics.median(orm_parts[index::per_run])
            sql_part = statistics.median(part_sql[name][1:])
            lines.append(
                f"  {name:<36}{ms(orm_part):>13}{'':>13}{ms(sql_part):>13}{'':>13}"
                f"{orm_part / sql_part:>8.2f}×"
            )
    return ("staff dashboard (6 queries)", orm_times, sql_times, same, summary), lines


def print_plans(args: argparse.Namespace, municipality: Municipality) -> None:
    m = municipality.id
    if "map" in args.queries:
        for zoom in args.zoom:
            cell = selectors.cell_size_for_zoom(zoom)
            print(f"Plan of the map SQL at zoom {zoom}:")
            explain(map_sql(), [cell, cell, m])
    if "dashboard" in args.queries:
        now = _db_time(timezone.now())
        params = [[m], [m], [now, m], [m, 1, 0], [_month_parameter(), m], [m]]
        for (name, sql), values in zip(dashboard_parts().items(), params, strict=True):
            print(f"Plan of '{name}':")
            explain(sql, values)


def main() -> None:
    args = parse_args()
    municipality = Municipality.objects.filter(slug=args.municipality).first()
    if municipality is None:
        raise SystemExit(
            f"No municipality {args.municipality}; create it with bench/generate_reports.py."
        )
    total = Report.objects.filter(municipality=municipality).count()
    load = os.getloadavg()
    print(f"Database:     {_django.describe_database()}")
    print(f"Municipality: {municipality.slug}, {total:,} reports; {args.repeat} timed runs of each")
    print(
        f"Machine:      {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} at start"
    )
    print()

    rows: list[Row] = []
    details: list[str] = []
    if "map" in args.queries:
        rows += bench_map(args, municipality)
    if "dashboard" in args.queries:
        row, details = bench_dashboard(args, municipality)
        rows.append(row)

    header = (
        f"{'query':<38}{'ORM median':>13}{'ORM p90':>13}{'SQL median':>13}{'SQL p90':>13}"
        f"{'ORM/SQL':>9}  results"
    )
    print(header)
    print("-" * len(header))
    for name, orm_samples, sql_samples, same, summary in rows:
        ratio = statistics.median(orm_samples) / statistics.median(sql_samples)
        print(
            f"{name:<38}{ms(statistics.median(orm_samples)):>13}{ms(p90(orm_samples)):>13}"
            f"{ms(statistics.median(sql_samples)):>13}{ms(p90(sql_samples)):>13}{ratio:>8.2f}×  "
            f"{'agree' if same else 'DIFFER'}: {summary}"
        )
    if details:
        print()
        print("\n".join(details))
    load = os.getloadavg()
    print()
    print(f"Load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.explain:
        print()
        print_plans(args, municipality)
    if not all(row[3] for row in rows):
        raise SystemExit("The ORM and the hand-written SQL disagree (see DIFFER above).")


if __name__ == "__main__":
    main()
