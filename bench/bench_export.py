"""CSV export of every report of a municipality: the open-data stream beside the database's own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/thesaban_bench \\
        .venv/bin/python bench/bench_export.py --municipality bench

Two sides, each in a fresh child process so that its peak memory is its own:

- **stream**: `GET /<slug>/opendata/datasets/reports/<resource>/download` for the CSV resource,
  through Django's test client (URL routing, middleware, the view, `StreamingHttpResponse`),
  reading `streaming_content` chunk by chunk as a WSGI server would; rows come from
  `QuerySet.iterator(chunk_size=2000)` (a server-side cursor on PostgreSQL).
- **COPY** (PostgreSQL): `COPY (SELECT <the same columns, same joins, same order>) TO STDOUT
  WITH (FORMAT csv, HEADER)` read through psycopg's copy protocol. On SQLite, which has no COPY,
  the baseline is the same SELECT through the raw sqlite3 cursor written with the csv module.

For each side: rows, bytes, seconds, rows per second, and memory: the resident set size before
the export and its peak (`ru_maxrss`), plus the RSS sampled every 100,000 rows — flat when the
memory is constant. Rows of the two sides are counted and must agree.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import _django

COLUMNS_SQL = """
    r.tracking_code, c.code, c.name_th, c.name_en, r.status, r.channel,
    cm.code, cm.name_th, d.code, d.name_th,
    r.submitted_at, r.first_response_at, r.resolved_at, r.closed_at, r.sla_due_at,
    r.support_count, {lat}, {lng}
"""
FROM_SQL = """
    FROM reports_report r
    JOIN reports_category c ON c.id = r.category_id
    LEFT JOIN municipalities_community cm ON cm.id = r.community_id
    LEFT JOIN municipalities_department d ON d.id = r.department_id
    WHERE r.municipality_id = %s
    ORDER BY r.id
"""


def rss_kib() -> int:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_stream(slug: str) -> dict:
    from django.test import Client

    from thesaban.municipalities.models import Municipality
    from thesaban.opendata import services
    from thesaban.opendata.models import Resource

    municipality = Municipality.objects.get(slug=slug)
    services.datasets_publish_standard(municipality=municipality)
    item = Resource.objects.get(municipality=municipality, dataset__slug="reports", format="CSV")
    url = f"/{slug}/opendata/datasets/reports/{item.pk}/download"
    client = Client()
    before = rss_kib()
    started = time.perf_counter()
    response = client.get(url, HTTP_HOST="localhost")  # a host ALLOWED_HOSTS accepts by default
    assert response.status_code == 200 and response.streaming, response.status_code
    size = rows = chunks = 0
    samples = []
    next_sample = 100_000
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
        chunks += 1
        if rows >= next_sample:
            samples.append((rows, rss_kib()))
            next_sample += 100_000
    seconds = time.perf_counter() - started
    return {
        "rows": rows - 1,  # the header
        "bytes": size,
        "seconds": seconds,
        "chunks": chunks,
        "rss_before_kib": before,
        "peak_kib": peak_kib(),
        "samples": samples,
    }


def child_copy(slug: str) -> dict:
    from django.db import connection

    from thesaban.municipalities.models import Municipality

    municipality = Municipality.objects.get(slug=slug)
    connection.ensure_connection()
    before = rss_kib()
    started = time.perf_counter()
    size = rows = 0
    samples = []
    next_sample = 100_000
    if connection.vendor == "postgresql":
        columns = COLUMNS_SQL.format(lat="round(r.lat::numeric, 4)", lng="round(r.lng::numeric, 4)")
        query = f"COPY (SELECT {columns} {FROM_SQL.replace('%s', str(int(municipality.pk)))}) TO STDOUT WITH (FORMAT csv, HEADER)"
        with connection.cursor() as cursor, cursor.cursor.copy(query) as copy:
            for block in copy:
                size += len(block)
                rows += bytes(block).count(b"\n")
                if rows >= next_sample:
                    samples.append((rows, rss_kib()))
                    next_sample += 100_000
    else:
        import csv
        import io

        columns = COLUMNS_SQL.format(lat="round(r.lat, 4)", lng="round(r.lng, 4)")
        raw = connection.connection.cursor()
        raw.execute(f"SELECT {columns} {FROM_SQL.replace('%s', '?')}", [municipality.pk])
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([d[0] for d in raw.description])
        while batch := raw.fetchmany(2000):
            writer.writerows(batch)
            data = buffer.getvalue().encode()
            size += len(data)
            rows += len(batch)
            buffer.seek(0)
            buffer.truncate()
            if rows >= next_sample:
                samples.append((rows, rss_kib()))
                next_sample += 100_000
        rows += 1
    seconds = time.perf_counter() - started
    return {
        "rows": rows - 1,
        "bytes": size,
        "seconds": seconds,
        "rss_before_kib": before,
        "peak_kib": peak_kib(),
        "samples": samples,
    }


def run_child(side: str, slug: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--municipality", slug, "--child", side],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"the {side} run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def mib(kib: int) -> str:
    return f"{kib / 1024:,.1f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipality", required=True)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side (alternating)")
    parser.add_argument("--child", choices=["stream", "copy"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    _django.setup()
    if args.child:
        result = (child_stream if args.child == "stream" else child_copy)(args.municipality)
        print(json.dumps(result))
        return 0

    from django.db import connection

    print(f"Database: {_django.describe_database()}")
    print(f"Load average at start: {os.getloadavg()[0]:.2f}")
    baseline = (
        "PostgreSQL COPY … TO STDOUT (csv)"
        if connection.vendor == "postgresql"
        else "sqlite3 cursor + csv module"
    )
    results: dict[str, list[dict]] = {"stream": [], "copy": []}
    for run in range(args.repeat):
        order = ["stream", "copy"] if run % 2 == 0 else ["copy", "stream"]
        for side in order:
            results[side].append(run_child(side, args.municipality))
    print()
    print(
        f"{'side':<42}{'rows':>12}{'size':>12}{'seconds':>10}{'rows/s':>12}{'RSS before':>13}{'peak RSS':>12}"
    )
    print("-" * 113)
    for side, label in (
        ("stream", "open-data CSV stream (Django, view, iterator)"),
        ("copy", baseline),
    ):
        best = min(results[side], key=lambda r: r["seconds"])
        print(
            f"{label[:41]:<42}{best['rows']:>12,}{best['bytes'] / 1e6:>10,.1f}MB{best['seconds']:>10.1f}"
            f"{best['rows'] / best['seconds']:>12,.0f}{mib(best['rss_before_kib']):>13}{mib(best['peak_kib']):>12}"
        )
    stream = min(results["stream"], key=lambda r: r["seconds"])
    copy = min(results["copy"], key=lambda r: r["seconds"])
    print()
    print(
        f"stream/COPY time: {stream['seconds'] / copy['seconds']:.2f}×; chunks streamed: {stream['chunks']:,}"
    )
    print(
        "RSS while streaming (rows: MiB): "
        + ", ".join(f"{r // 1000}k: {k / 1024:.1f}" for r, k in stream["samples"])
    )
    print(f"Load average at end: {os.getloadavg()[0]:.2f}")
    agree = stream["rows"] == copy["rows"]
    print(f"rows agree: {'yes' if agree else 'DIFFER'} ({stream['rows']:,} vs {copy['rows']:,})")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
