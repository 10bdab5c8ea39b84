"""Tally of 1,000,000 poll ballots and 1,000,000 budget ballots, beside plain SQL.

    .venv/bin/python bench/bench_tally.py [--ballots 1000000] [--repeat 5] [--kinds single ranked budget]

Creates (once) a municipality `bench-vote` with a process, a single-choice poll (6 options), a
ranked-choice poll (6 options, 1–4 preferences per ballot) and a participatory budget (20
projects, 1–6 projects per ballot within the budget), and fills each with `--ballots` ballots
written straight into the ballot tables (`COPY` on PostgreSQL, `executemany` on SQLite). Then
it times, alternately and `--repeat` times, the tally through the app's code (the selectors
the publish action calls) and a hand-written SQL aggregation, prints the median and the
ratio, and checks that both give the same counts.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

import _django

_django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from thesaban.municipalities.models import Municipality  # noqa: E402
from thesaban.participation.models import Phase, Process  # noqa: E402
from thesaban.participation.voting import selectors  # noqa: E402
from thesaban.participation.voting.models import (  # noqa: E402
    Budget,
    BudgetBallot,
    BudgetBallotLine,
    BudgetProject,
    Poll,
    PollBallot,
    PollBallotChoice,
    PollOption,
)

SLUG = "bench-vote"
BATCH = 50_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=1_000_000, help="ballots per poll/budget")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each side")
    parser.add_argument(
        "--kinds",
        nargs="+",
        choices=["single", "ranked", "budget"],
        default=["single", "ranked", "budget"],
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


# --------------------------------------------------------------------------- set-up


def setup_objects() -> tuple[Poll, Poll, Budget]:
    municipality = Municipality.objects.filter(slug=SLUG).first()
    if municipality is None:
        municipality = Municipality.objects.create(
            slug=SLUG,
            name_th="เทศบาลทดสอบการลงคะแนน",
            name_en="Voting bench town",
            province_th="ฉะเชิงเทรา",
            province_en="Chachoengsao",
            center_lat=13.7,
            center_lng=101.0,
            tracking_prefix="BV",
        )
    now = timezone.now()
    process, _created = Process.objects.get_or_create(
        municipality=municipality,
        slug="budget-bench",
        defaults={"title_th": "งบประมาณแบบมีส่วนร่วม", "is_published": True},
    )
    if not process.phases.exists():
        Phase.objects.create(
            municipality=municipality,
            process=process,
            kind=Phase.Kind.VOTING,
            title_th="ลงคะแนน",
            starts_at=now - timedelta(days=30),
            ends_at=now - timedelta(days=1),
            actions=["vote", "budget_vote"],
        )
    window = {"opens_at": now - timedelta(days=29), "closes_at": now - timedelta(days=2)}

    def poll(kind: str) -> Poll:
        found = Poll.objects.filter(municipality=municipality, kind=kind).first()
        if found:
            return found
        created = Poll.objects.create(
            municipality=municipality,
            process=process,
            title_th=f"โพลทดสอบ {kind}",
            kind=kind,
            max_choices=1 if kind == Poll.Kind.SINGLE else 0,
            is_published=True,
            **window,
        )
        for order in range(1, 7):
            PollOption.objects.create(
                municipality=municipality, poll=created, title_th=f"ตัวเลือก {order}", order=order
            )
        return created

    budget = Budget.objects.filter(municipality=municipality).first()
    if budget is None:
        budget = Budget.objects.create(
            municipality=municipality,
            process=process,
            title_th="งบชุมชนทดสอบ",
            total=Decimal("10000000"),
            is_published=True,
            **window,
        )
        rng = random.Random(7)
        for number in range(1, 21):
            BudgetProject.objects.create(
                municipality=municipality,
                budget=budget,
                title_th=f"โครงการ {number}",
                cost=Decimal(rng.randrange(200_000, 3_000_000, 50_000)),
            )
    return poll(Poll.Kind.SINGLE), poll(Poll.Kind.RANKED), budget


# --------------------------------------------------------------------------- generation


def _uuid(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _write(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(str(value) for value in row))
                buffer.write("\n")
            buffer.seek(0)
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                copy.write(buffer.read())
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def fill_poll(poll: Poll, count: int, rng: random.Random) -> None:
    options = list(selectors.poll_options(poll=poll).values_list("id", flat=True))
    weights = [30, 22, 17, 13, 10, 8]
    missing = count - selectors.poll_ballot_count(poll=poll)
    if missing <= 0:
        return
    ballots_table, choices_table = PollBallot._meta.db_table, PollBallotChoice._meta.db_table
    progress = tqdm(total=missing, desc=f"{poll.kind} poll ballots", unit="ballot")
    mid = poll.municipality_id
    while missing > 0:
        size = min(BATCH, missing)
        ballots, choices = [], []
        for _ in range(size):
            ballot = _uuid(rng)
            ballots.append((ballot, mid, poll.pk, f"{rng.getrandbits(256):064x}"))
            if poll.kind == Poll.Kind.RANKED:
                depth = rng.choice((1, 2, 2, 3, 3, 4))
                ranking = []
                pool, pool_weights = list(options), list(weights)
                for _rank in range(depth):
                    pick = rng.choices(range(len(pool)), weights=pool_weights)[0]
                    ranking.append(pool.pop(pick))
                    pool_weights.pop(pick)
            else:
                ranking = rng.choices(options, weights=weights)
            for rank, option in enumerate(ranking, start=1):
                choices.append((_uuid(rng), mid, ballot, poll.pk, option, rank))
        with transaction.atomic():
            _write(ballots_table, ["id", "municipality_id", "poll_id", "voter_key"], ballots)
            _write(
                choices_table,
                ["id", "municipality_id", "ballot_id", "poll_id", "option_id", "rank"],
                choices,
            )
        missing -= size
        progress.update(size)
    progress.close()


def fill_budget(budget: Budget, count: int, rng: random.Random) -> None:
    projects = list(selectors.budget_projects(budget=budget).values_list("id", "cost"))
    popularity = [rng.random() ** 2 + 0.05 for _ in projects]
    missing = count - selectors.budget_ballot_count(budget=budget, checked_out=None)
    if missing <= 0:
        return
    true = "t" if connection.vendor == "postgresql" else 1
    progress = tqdm(total=missing, desc="budget ballots", unit="ballot")
    mid = budget.municipality_id
    while missing > 0:
        size = min(BATCH, missing)
        ballots, lines = [], []
        for _ in range(size):
            ballot = _uuid(rng)
            ballots.append((ballot, mid, budget.pk, f"{rng.getrandbits(256):064x}", true))
            wanted = rng.randint(1, 6)
            chosen, spent = set(), Decimal(0)
            for _try in range(12):
                index = rng.choices(range(len(projects)), weights=popularity)[0]
                project, cost = projects[index]
                if project not in chosen and spent + cost <= budget.total:
                    chosen.add(project)
                    spent += cost
                if len(chosen) == wanted:
                    break
            for project in chosen:
                lines.append((_uuid(rng), mid, ballot, project))
        with transaction.atomic():
            _write(
                BudgetBallot._meta.db_table,
                ["id", "municipality_id", "budget_id", "voter_key", "checked_out"],
                ballots,
            )
            _write(
                BudgetBallotLine._meta.db_table,
                ["id", "municipality_id", "ballot_id", "project_id"],
                lines,
            )
        missing -= size
        progress.update(size)
    progress.close()


# --------------------------------------------------------------------------- the two sides


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def sql_poll_counts(poll: Poll, first_only: bool = False) -> dict[int, int]:
    rank = " AND rank = 1" if first_only else ""
    rows = _rows(
        f"SELECT option_id, COUNT(*) FROM {PollBallotChoice._meta.db_table} "
        f"WHERE poll_id = %s{rank} GROUP BY option_id",
        [poll.pk],
    )
    _rows(f"SELECT COUNT(*) FROM {PollBallot._meta.db_table} WHERE poll_id = %s", [poll.pk])
    return dict(rows)


def sql_budget_votes(budget: Budget) -> dict[int, int]:
    true = "true" if connection.vendor == "postgresql" else "1"
    rows = _rows(
        f"SELECT l.project_id, COUNT(*) FROM {BudgetBallotLine._meta.db_table} l "
        f"JOIN {BudgetBallot._meta.db_table} b ON b.id = l.ballot_id "
        f"WHERE b.budget_id = %s AND b.checked_out = {true} GROUP BY l.project_id",
        [budget.pk],
    )
    _rows(
        f"SELECT COUNT(*) FROM {BudgetBallot._meta.db_table} WHERE budget_id = %s AND checked_out = {true}",
        [budget.pk],
    )
    return dict(rows)


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def measure(name: str, code, sql, agree, repeat: int) -> tuple[str, bool]:
    code_value, sql_value = code(), sql()  # untimed: warms caches, checks agreement
    same, detail = agree(code_value, sql_value)
    code_times, sql_times = [], []
    for run in range(repeat):
        pair = [(code_times, code), (sql_times, sql)]
        if run % 2:
            pair.reverse()
        for bucket, fn in pair:
            bucket.append(timed(fn)[0])
    code_median, sql_median = statistics.median(code_times), statistics.median(sql_times)
    line = (
        f"{name:<34} {code_median * 1000:>11,.1f} ms {sql_median * 1000:>11,.1f} ms "
        f"{code_median / sql_median:>7.2f}×  {'agree' if same else 'DIFFER'}: {detail}"
    )
    return line, same


def main() -> int:
    args = parse_args()
    print(f"database: {_django.describe_database()}; load average {os.getloadavg()}")
    call_command("migrate", verbosity=0)
    single, ranked, budget = setup_objects()
    rng = random.Random(args.seed)
    start = time.perf_counter()
    if "single" in args.kinds:
        fill_poll(single, args.ballots, rng)
    if "ranked" in args.kinds:
        fill_poll(ranked, args.ballots, rng)
    if "budget" in args.kinds:
        fill_budget(budget, args.ballots, rng)
    print(f"generation (if any) took {time.perf_counter() - start:,.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (PollBallot, PollBallotChoice, BudgetBallot, BudgetBallotLine):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    print(
        f"\n{'tally':<34} {'code median':>14} {'SQL median':>14} {'code/SQL':>8}  results"
        f"   (--repeat {args.repeat})"
    )
    print("-" * 110)
    ok = True
    if "single" in args.kinds:

        def agree_single(result, counts):
            same = all(result.counts[o] == counts.get(o, 0) for o in result.counts)
            return same, f"{result.ballots:,} ballots, winner option {result.winners}"

        line, same = measure(
            f"single-choice poll ({selectors.poll_ballot_count(poll=single):,})",
            lambda: selectors.poll_tally(poll=single),
            lambda: sql_poll_counts(single),
            agree_single,
            args.repeat,
        )
        print(line)
        ok &= same
    if "ranked" in args.kinds:

        def agree_ranked(result, counts):
            first = result.rounds[0].counts
            same = all(first[o] == counts.get(o, 0) for o in first)
            return same, (
                f"first preferences; {len(result.rounds)} rounds, winner option {result.winner}"
            )

        line, same = measure(
            f"ranked poll, IRV ({selectors.poll_ballot_count(poll=ranked):,})",
            lambda: selectors.poll_tally(poll=ranked),
            lambda: sql_poll_counts(ranked, first_only=True),
            agree_ranked,
            args.repeat,
        )
        print(line)
        ok &= same
    if "budget" in args.kinds:

        def agree_budget(result, votes):
            mine = {p.project_id: p.votes for p in result.projects if p.votes}
            return mine == votes, (
                f"{result.ballots:,} ballots, {len(result.winners)} projects selected, "
                f"{result.allocated:,.0f} of {result.total:,.0f} baht"
            )

        line, same = measure(
            f"budget ({selectors.budget_ballot_count(budget=budget):,})",
            lambda: selectors.budget_tally(budget=budget),
            lambda: sql_budget_votes(budget),
            agree_budget,
            args.repeat,
        )
        print(line)
        ok &= same
    print(f"\nload average at the end {os.getloadavg()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
