"""How long the duplicate detector takes to answer the report form and the staff page.

    .venv/bin/python bench/bench_duplicates.py --municipality bench [--queries 50]

Picks `--queries` reports of the last 60 days at random (seeded) and asks the detector for
their duplicates as the form would: at the report's place, with its description, excluding the
report itself. Each query runs twice: cold (the per-process word cache emptied, so every nearby
description is segmented again) and warm (as when residents nearby ask again). Prints the
median and 90th percentile of each, and how many candidates the database returned.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import timedelta

import _django

_django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from thesaban.insight import duplicates  # noqa: E402
from thesaban.municipalities.models import Municipality  # noqa: E402
from thesaban.reports.models import Report  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipality", required=True)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    municipality = Municipality.objects.get(slug=args.municipality)
    total = Report.objects.filter(municipality=municipality).count()
    recent = list(
        Report.objects.filter(
            municipality=municipality,
            lat__isnull=False,
            submitted_at__gte=timezone.now() - timedelta(days=60),
        )
        .select_related("category")
        .order_by("id")
    )
    queries = random.Random(args.seed).sample(recent, min(args.queries, len(recent)))
    cold, warm, found, window = [], [], [], []

    # Load PyThaiNLP's dictionary once (a process does it at its first query), untimed.
    duplicates.text_similarities("ถนนเป็นหลุม", ["ไฟฟ้าดับ"])
    for report in queries:
        for timings in (cold, warm):
            if timings is cold:
                duplicates._terms.cache_clear()
            started = time.perf_counter()
            result = duplicates.find_duplicates(
                municipality=municipality,
                category=report.category,
                lat=report.lat,
                lng=report.lng,
                text=report.description,
                exclude_id=report.pk,
            )
            timings.append((time.perf_counter() - started) * 1000)
        found.append(len(result))
        # Every report in the search window (radius, time, statuses), whatever its score.
        everything = duplicates.find_duplicates(
            municipality=municipality,
            category=report.category,
            lat=report.lat,
            lng=report.lng,
            text=report.description,
            exclude_id=report.pk,
            threshold=0.0,
            limit=100_000,
        )
        window.append(len(everything))
    print(f"{connection.vendor}: {total} reports in {municipality.slug}, {len(queries)} queries")
    print(
        f"cold (segmenting every candidate): median {statistics.median(cold):.1f} ms, "
        f"p90 {percentile(cold, 0.9):.1f} ms, max {max(cold):.1f} ms"
    )
    print(
        f"warm (words cached):               median {statistics.median(warm):.1f} ms, "
        f"p90 {percentile(warm, 0.9):.1f} ms, max {max(warm):.1f} ms"
    )
    print(
        f"reports in the search window: median {statistics.median(window)}, max {max(window)}; "
        f"offered (score >= {duplicates.THRESHOLD}): median {statistics.median(found)}, "
        f"max {max(found)}"
    )


if __name__ == "__main__":
    main()
