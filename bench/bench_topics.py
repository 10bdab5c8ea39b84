"""Time to find the themes in 1,000 / 5,000 / 10,000 Thai comments, beside a baseline.

    .venv/bin/python bench/bench_topics.py [--sizes 1000 5000 10000]
        [--source auto|traffy|synthetic] [--csv ../shared/data/traffy_sample.csv] [--threads 1]

For each size it runs the app's clustering (`thesaban.insight.topics.clustering`: newmm words,
TF-IDF, SVD, k-means with k chosen by silhouette, c-TF-IDF keywords) and prints the total, each
stage and the share spent tokenising. The baseline in the same run is the same pipeline with k
fixed at the chosen value (no silhouette search), so the ratio is the price of choosing k.

Texts: the Traffy Fondue sample's `comment` column, read at run time from the path given (never
copied into the repository), or, without it, synthetic Thai comments generated here from nine
themes' vocabularies and shared filler. No database is needed.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# A Traffy Fondue export beside the checkout, as the team keeps it; never part of the project.
DEFAULT_CSV = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "traffy_sample.csv"
)

THEMES = {
    "flood": ["น้ำท่วม", "น้ำท่วมขัง", "ท่อระบายน้ำ", "ขุดลอก", "คลอง", "ฝนตกหนัก", "สูบน้ำ"],
    "road": ["ถนน", "หลุม", "ทางเท้า", "ชำรุด", "ซ่อมถนน", "ยุบ", "ลาดยาง"],
    "light": ["ไฟส่องสว่าง", "ไฟดับ", "มืด", "กลางคืน", "เปลี่ยว", "หลอดไฟ", "เสาไฟ"],
    "waste": ["ขยะ", "ถังขยะ", "กลิ่นเหม็น", "คัดแยก", "เก็บขยะ", "รีไซเคิล", "เผาขยะ"],
    "elderly": ["ผู้สูงอายุ", "เบี้ยยังชีพ", "ตรวจสุขภาพ", "โรงพยาบาล", "ผู้พิการ", "เยี่ยมบ้าน"],
    "children": ["เด็กเล็ก", "โรงเรียน", "นักเรียน", "สนามเด็กเล่น", "ทุนการศึกษา", "อาหารกลางวัน"],
    "digital": ["ออนไลน์", "อินเทอร์เน็ต", "ไวไฟ", "แอป", "ศูนย์ดิจิทัล", "ชำระภาษี"],
    "noise": ["เสียงดัง", "ร้านคาราโอเกะ", "กลางดึก", "รบกวน", "นอนไม่หลับ", "ลำโพง"],
    "traffic": ["รถติด", "จอดรถ", "ทางม้าลาย", "สัญญาณไฟจราจร", "ความเร็ว", "อุบัติเหตุ"],
}
FILLER = [
    "อยากให้", "เทศบาล", "ชุมชน", "หมู่บ้าน", "ช่วย", "ดูแล", "ปรับปรุง", "โครงการ", "ทุกวัน",
    "บ้าน", "ประชาชน", "เร่งด่วน", "แก้ไข", "ปัญหา", "มานาน", "หน้าตลาด", "ในซอย", "ค่ะ", "ครับ",
]  # fmt: skip


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--source", choices=["auto", "traffy", "synthetic"], default="auto")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--column", default="comment")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP threads of the numeric steps (the app uses 1; 0: library default)",
    )
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def synthetic(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    names = list(THEMES)
    texts = []
    for _ in range(n):
        theme = THEMES[rng.choice(names)]
        words = rng.sample(theme, rng.randint(2, 4)) + rng.sample(FILLER, rng.randint(2, 6))
        if rng.random() < 0.15:  # some comments touch a second theme
            words += rng.sample(THEMES[rng.choice(names)], 1)
        rng.shuffle(words)
        texts.append("".join(word + (" " if rng.random() < 0.3 else "") for word in words))
    return texts


def traffy(path: Path, column: str, n: int) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        texts = [row[column] for row in csv.DictReader(handle) if (row.get(column) or "").strip()]
    if len(texts) < n:
        raise SystemExit(f"{path} has only {len(texts)} non-empty {column!r} rows, not {n}")
    return texts[:n]


def main() -> None:
    args = parse_args()
    threads = args.threads or None
    sys.path.insert(0, str(REPO))
    from thesaban.insight.topics.clustering import Parameters, cluster_comments, tokens

    use_traffy = args.source == "traffy" or (args.source == "auto" and args.csv.exists())
    source = f"Traffy sample ({args.csv})" if use_traffy else "synthetic Thai comments"
    print(f"Texts: {source}; threads: {args.threads or 'default'}; cores: {os.cpu_count()}")

    # Warm up: PyThaiNLP's dictionary, scikit-learn's imports and thread pools load once per
    # process (a worker pays it once, not per analysis).
    started = time.perf_counter()
    warm = synthetic(200, 0)
    [tokens(text) for text in warm]
    cluster_comments(list(enumerate(warm)), threads=threads)
    print(f"Warm-up (imports, dictionary): {time.perf_counter() - started:.2f} s\n")

    header = (
        f"{'comments':>9} {'total s':>8} {'words s':>8} {'share':>6} {'vector s':>9} "
        f"{'k-means s':>10} {'keywords s':>11} {'k':>3} {'fixed-k s':>10} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        texts = traffy(args.csv, args.column, n) if use_traffy else synthetic(n, args.seed)
        comments = list(enumerate(texts, start=1))
        started = time.perf_counter()
        result = cluster_comments(comments, threads=threads)
        total = time.perf_counter() - started
        timings = result.timings
        started = time.perf_counter()
        cluster_comments(comments, parameters=Parameters(k=result.k or 2), threads=threads)
        fixed = time.perf_counter() - started
        share = timings.get("tokenise_s", 0) / total if total else 0
        print(
            f"{n:>9,} {total:>8.2f} {timings.get('tokenise_s', 0):>8.2f} {share:>6.0%} "
            f"{timings.get('vectorise_s', 0):>9.2f} {timings.get('cluster_s', 0):>10.2f} "
            f"{timings.get('keywords_s', 0):>11.2f} {result.k:>3} {fixed:>10.2f} "
            f"{total / fixed if fixed else 0:>5.2f}x"
        )
        for theme in result.themes[:3]:
            print(f"{'':>9} theme of {theme.size:,}: {', '.join(theme.keywords[:5])}")
    print(
        "\nratio = k chosen by silhouette (2..8, on a sample of "
        f"{Parameters().silhouette_sample:,}) / the same pipeline with that k fixed."
    )


if __name__ == "__main__":
    main()
