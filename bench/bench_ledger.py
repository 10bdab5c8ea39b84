"""Appending 1,000,000 leaves to the transparency ledger and proving inclusion, beside pymerkle.

    .venv/bin/python bench/bench_ledger.py [--municipality bench-ledger] [--count 1000000]

In one process, on the same leaves (canonical JSON shaped like `report.status` leaves):

1. **ours, bulk path**: `ledger.services.ledger_append_leaves` in batches of `--batch` leaves, one
   transaction each: the same code as a single append (lock the head row, hash the leaves,
   compute the completed subtrees from the compact range, insert entries and subtree rows, sign
   the new tree head), with many leaves per lock. The leaves are synthetic (no record behind
   them), so `thesaban ledger verify` would report every record as deleted in this municipality;
   the tree itself is checked against pymerkle below. (Their record type, `bench.synthetic`,
   is registered by no app.)
2. **pymerkle**: `InmemoryTree(algorithm="sha256")` (RFC 9162 prefixes), `append_entry` per leaf.
3. **ours, one append per transaction** at the full size: `--single` appends through the same
   locked path with one leaf each (what `ledger_append` does per business write, less the
   registry's derivation and one indexed look-up).
4. **inclusion proofs**: `--proofs` random (index, tree_size = n) pairs: our
   `selectors.ledger_inclusion_proof` (2 indexed queries on the stored subtrees), our JSON
   endpoint through Django's test client, and pymerkle's `prove_inclusion`; medians and p90.
   Every one of our proofs is checked against pymerkle's path and verified against the signed
   root. Consistency proofs the same way, with `--proofs` random first sizes.
5. with `--verify`: `ledger_verify` over the whole log (its tree pass: every leaf hash, every
   stored subtree and the root recomputed and compared).

The municipality's ledger is emptied first, so each run measures a fresh 1,000,000-leaf append.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import time
from datetime import UTC, datetime, timedelta

import _django

_django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from pymerkle import InmemoryTree  # noqa: E402
from tqdm import tqdm  # noqa: E402

from thesaban.ledger import merkle, selectors, services  # noqa: E402
from thesaban.ledger.canonical import canonical_json  # noqa: E402
from thesaban.ledger.models import LedgerEntry, LedgerHead, LedgerNode  # noqa: E402
from thesaban.ledger.services import PreparedLeaf  # noqa: E402
from thesaban.ledger.verification import ledger_verify  # noqa: E402
from thesaban.municipalities.models import Municipality  # noqa: E402

STATUSES = ["submitted", "accepted", "in_progress", "resolved", "closed", "rejected"]
CATEGORIES = ["road", "streetlight", "garbage", "flood", "drain", "tree", "noise", "pm25"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipality", default="bench-ledger")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--single", type=int, default=1000, help="single-leaf appends to time")
    parser.add_argument("--proofs", type=int, default=1000, help="proofs of each kind to time")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--verify", action="store_true", help="also time `ledger verify`'s pass over the tree"
    )
    return parser.parse_args()


def leaves(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    start = datetime(2024, 10, 1, tzinfo=UTC)
    result = []
    for i in range(count):
        source = rng.randrange(len(STATUSES) - 1)
        result.append(
            canonical_json(
                {
                    "record_type": "report.status",
                    "event_id": i + 1,
                    "tracking_code": f"BENCH-{2567 + i * 2 // count}-{i:06d}",
                    "category": rng.choice(CATEGORIES),
                    "from_status": STATUSES[source] if i % 3 else "",
                    "to_status": STATUSES[source + 1],
                    "at": start + timedelta(seconds=i * 60 + rng.randrange(60)),
                }
            )
        )
    return result


def ensure_municipality(slug: str) -> Municipality:
    municipality, _ = Municipality.objects.get_or_create(
        slug=slug,
        defaults={
            "name_th": "เทศบาลทดสอบสมุดบัญชี",
            "name_en": "Ledger bench town",
            "province_th": "ฉะเชิงเทรา",
            "center_lat": 13.69,
            "center_lng": 101.07,
            "tracking_prefix": "BENCH",
        },
    )
    for model in (LedgerEntry, LedgerNode, LedgerHead):
        model.objects.filter(municipality=municipality).delete()
    return municipality


def ms(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p90 = ordered[max(0, int(round(0.9 * len(ordered))) - 1)]
    return statistics.median(ordered) * 1000, p90 * 1000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    args = parse_args()
    print(f"database: {_django.describe_database()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    call_command("migrate", verbosity=0)
    municipality = ensure_municipality(args.municipality)
    texts = leaves(args.count, args.seed)
    print(
        f"{args.count:,} leaves, mean {sum(map(len, texts)) / len(texts):.0f} bytes; e.g. {texts[0]}"
    )

    # 1. ours, bulk path
    started = time.perf_counter()
    with tqdm(total=args.count, unit="leaf", desc="ours (bulk)") as bar:
        for start in range(0, args.count, args.batch):
            chunk = texts[start : start + args.batch]
            services.ledger_append_leaves(
                municipality=municipality,
                leaves=[
                    PreparedLeaf("bench.synthetic", "bench.synthetic", str(start + i), leaf)
                    for i, leaf in enumerate(chunk)
                ],
            )
            bar.update(len(chunk))
    ours_seconds = time.perf_counter() - started
    head = selectors.ledger_tree_head(municipality=municipality)

    # 2. pymerkle
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    theirs = InmemoryTree(algorithm="sha256")
    for text in tqdm(texts, unit="leaf", desc="pymerkle"):
        theirs.append_entry(text.encode("utf-8"))
    theirs_seconds = time.perf_counter() - started
    rss_after = peak_rss_mb()
    n = args.count
    assert head.tree_size == n and theirs.get_size() == n
    roots_agree = head.root_hash == theirs.get_root()

    # 3. single appends (after the million, then compared only among themselves)
    single = []
    for i in range(args.single):
        text = canonical_json(
            {"record_type": "report.status", "event_id": n + i + 1, "to_status": "closed"}
        )
        began = time.perf_counter()
        with transaction.atomic():
            services.ledger_append_leaves(
                municipality=municipality,
                leaves=[PreparedLeaf("bench.synthetic", "bench.synthetic", f"s{i}", text)],
            )
        single.append(time.perf_counter() - began)
        theirs.append_entry(text.encode("utf-8"))
    size = n + args.single
    head = selectors.ledger_tree_head(municipality=municipality)
    roots_agree = roots_agree and head.root_hash == theirs.get_root()

    # 4. proofs
    rng = random.Random(args.seed)
    indexes = [rng.randrange(size) for _ in range(args.proofs)]
    client = Client()
    endpoint = reverse("ledger:inclusion", kwargs={"municipality": municipality.slug})
    ours_t, http_t, theirs_t, agree = [], [], [], 0
    for index in indexes:
        began = time.perf_counter()
        path = selectors.ledger_inclusion_proof(
            municipality=municipality, index=index, tree_size=size
        )
        ours_t.append(time.perf_counter() - began)
        began = time.perf_counter()
        response = client.get(endpoint, {"index": index, "tree_size": size}, HTTP_HOST="localhost")
        http_t.append(time.perf_counter() - began)
        began = time.perf_counter()
        proof = theirs.prove_inclusion(index + 1, size)
        theirs_t.append(time.perf_counter() - began)
        leaf = proof.path[0]
        agree += (
            path == proof.path[1:]
            and response.json()["audit_path"] == [h.hex() for h in path]
            and merkle.verify_inclusion(index, size, leaf, path, head.root_hash)
        )
    firsts = [rng.randrange(1, size) for _ in range(args.proofs)]
    cons_ours, cons_theirs, cons_agree = [], [], 0
    for first in firsts:
        began = time.perf_counter()
        path = selectors.ledger_consistency_proof(
            municipality=municipality, first=first, second=size
        )
        cons_ours.append(time.perf_counter() - began)
        began = time.perf_counter()
        theirs.prove_consistency(first, size)
        cons_theirs.append(time.perf_counter() - began)
        cons_agree += merkle.verify_consistency(
            first, size, theirs.get_root(first), head.root_hash, path
        )

    nodes = LedgerNode.objects.filter(municipality=municipality).count()
    print()
    print(f"{'append ' + format(n, ',') + ' leaves':<44}{'seconds':>10}{'leaves/s':>12}")
    print("-" * 66)
    print(
        f"{'ours: ledger_append_leaves, ' + format(args.batch, ',') + ' per txn':<44}{ours_seconds:>10.1f}{n / ours_seconds:>12,.0f}"
    )
    print(
        f"{'pymerkle InmemoryTree.append_entry':<44}{theirs_seconds:>10.1f}{n / theirs_seconds:>12,.0f}"
    )
    print(
        f"  stored: {n:,} entries + {nodes:,} subtree rows; pymerkle peak RSS +{rss_after - rss_before:,.0f} MB (in memory only)"
    )
    print(f"  roots agree with pymerkle: {'yes' if roots_agree else 'NO'} ({head.root_hash.hex()})")
    single_median, single_p90 = ms(single)
    print(
        f"ours: one leaf per transaction at {n:,}: median {single_median:.2f} ms, p90 {single_p90:.2f} ms ({1000 / single_median:,.0f}/s)"
    )
    print()
    print(f"{'proofs at tree_size ' + format(size, ','):<44}{'median':>10}{'p90':>10}")
    print("-" * 64)
    for label, values in (
        ("ours: inclusion (selector, 2 queries)", ours_t),
        ("ours: inclusion.json (HTTP, test client)", http_t),
        ("pymerkle: prove_inclusion", theirs_t),
        ("ours: consistency (selector)", cons_ours),
        ("pymerkle: prove_consistency", cons_theirs),
    ):
        median, p90 = ms(values)
        print(f"{label:<44}{median:>8.3f}ms{p90:>8.3f}ms")
    print(f"inclusion proofs identical to pymerkle's and verified: {agree}/{len(indexes)}")
    print(f"consistency proofs verified against pymerkle's roots: {cons_agree}/{len(firsts)}")
    if args.verify:
        began = time.perf_counter()
        result = ledger_verify(municipality=municipality, max_problems=1)
        took = time.perf_counter() - began
        tree_ok = result.root_hash == head.root_hash and result.checked == size
        print(
            f"ledger verify over {size:,} entries: {took:.1f} s ({size / took:,.0f} entries/s); "
            f"tree and root {'recomputed and equal' if tree_ok else 'DIFFER'} "
            "(the synthetic leaves have no records, so every entry is reported as of an unknown type)"
        )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not roots_agree or agree != len(indexes) or cons_agree != len(firsts):
        raise SystemExit("DIFFER: our tree and pymerkle's disagree")


if __name__ == "__main__":
    main()
