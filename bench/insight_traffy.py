"""The categoriser on real reports: a time-ordered split of a Traffy Fondue export, the
baseline, the real `thesaban insight train/evaluate` commands, and the shipped default model.

    .venv/bin/python bench/insight_traffy.py --csv ../shared/data/traffy_sample.csv [--test-fraction 0.2]
    .venv/bin/python bench/insight_traffy.py --csv ... --select   # the feature experiments

The file is split by its `timestamp` column (earlier rows to learn from, the latest
`--test-fraction` to test on) and the two parts are written to a temporary directory, never
into the repository. Then, in the same run:

1. the baseline — newmm words + scikit-learn TF-IDF + LogisticRegression (bench_insight.py) —
   trains on the earlier part and is measured on the later part with the categoriser's own
   `evaluate`;
2. `thesaban migrate`, `thesaban insight train --csv train.csv …` and `thesaban insight
   evaluate --csv test.csv …` run as subprocesses against a throwaway SQLite database
   (DATABASE_URL and THESABAN_DATA_DIR in the temporary directory); the figures are the JSON
   object on evaluate's last line;
3. `thesaban insight build-default` and `thesaban insight evaluate … --model shipped` measure
   the shipped default model (trained on the seed corpus only) on the same later part, the
   file's labels mapped to default category codes.

`--select` instead runs the model-selection experiments of docs/insight-classifier.md: only
the earlier part is used, split again by time (its latest 20 % for validation), and each
feature/regularisation variant of the categoriser is trained and measured (training wall and
CPU seconds; predictions per CPU second, tokenising included; the stored model's size).
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench_insight import Baseline  # noqa: E402

from thesaban.insight.classifier import evaluate, train  # noqa: E402
from thesaban.insight.data import Example, read_csv, time_split  # noqa: E402

THESABAN = REPO / ".venv" / "bin" / "thesaban"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--csv", required=True, help="a Traffy Fondue CSV (comment, type, timestamp)"
    )
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--text-column", default="comment")
    parser.add_argument("--label-column", default="type")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--select", action="store_true", help="run the model-selection experiments instead"
    )
    return parser.parse_args()


def write_part(path: Path, examples: list[Example], args: argparse.Namespace) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([args.text_column, args.label_column, "timestamp"])
        for example in examples:
            labels = "{" + ",".join(example.labels) + "}"
            writer.writerow(
                [example.text, labels, example.when.isoformat() if example.when else ""]
            )


def run_cli(arguments: list[str], env: dict[str, str]) -> tuple[float, dict | None, str]:
    """Run `thesaban …`; its wall time, the JSON object on its last output line, and its output."""
    start = time.perf_counter()
    completed = subprocess.run(
        [str(THESABAN), *arguments], env=env, cwd=REPO, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    output = completed.stdout + completed.stderr
    if completed.returncode != 0:
        print(f"  `thesaban {' '.join(arguments)}` failed ({completed.returncode}):")
        print("  " + "\n  ".join(output.strip().splitlines()[-15:]))
        return seconds, None, output
    lines = [line for line in completed.stdout.strip().splitlines() if line.strip()]
    try:
        result = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        result = None
    return seconds, result, output


def row(name: str, metrics: dict | None, seconds: float | None) -> str:
    if not metrics:
        return f"{name:44s} {'(failed)':>8s}"
    top3 = metrics.get("top3_accuracy")
    return (
        f"{name:44s} {metrics['accuracy']:8.3f} {metrics['macro_f1']:8.3f} "
        f"{top3 if top3 is None else f'{top3:.3f}':>6} {metrics['n']:6d} "
        + (f"{seconds:9.1f}" if seconds is not None else f"{'—':>9s}")
    )


def select(learn: list[Example]) -> None:
    fit, validation = time_split(learn, test_fraction=0.2)
    print(f"Model selection: {len(fit)} to fit, {len(validation)} to validate (later by time)\n")
    variants = [
        ("words 1", {"word_ngrams": [1, 1], "C": 10.0, "class_weight": "none"}),
        ("words 1-2", {"word_ngrams": [1, 2], "C": 30.0, "class_weight": "none"}),
        ("words 1-2, balanced", {"word_ngrams": [1, 2], "C": 10.0}),
        ("words 1-2, balanced", {"word_ngrams": [1, 2], "C": 30.0}),
        ("words 1-2, balanced", {"word_ngrams": [1, 2], "C": 100.0}),
        ("words 1, balanced", {"word_ngrams": [1, 1], "C": 30.0}),
        ("chars 1-3, balanced", {"word_ngrams": [0, 0], "char_ngrams": [1, 3], "C": 30.0}),
        ("words 1-2 + chars 1-3, bal.", {"char_ngrams": [1, 3], "C": 30.0}),
    ]
    header = f"{'features':28s} {'C':>5s} {'acc':>6s} {'mF1':>6s} {'top3':>6s} {'train s':>8s} {'CPU s':>6s} {'pred/s':>7s} {'MB':>5s}"
    print(header)
    texts = [e.text for e in validation]
    for name, params in variants:
        start, cpu = time.perf_counter(), time.process_time()
        model = train(fit, params=params)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        start = time.process_time()
        metrics = evaluate(model, validation)
        rate = len(texts) / (time.process_time() - start)
        size = len(model.to_bytes()) / 1e6
        print(
            f"{name:28s} {params['C']:5.0f} {metrics['accuracy']:6.3f} {metrics['macro_f1']:6.3f} "
            f"{metrics['top3_accuracy']:6.3f} {seconds:8.1f} {cpu:6.1f} {rate:7.0f} {size:5.1f}",
            flush=True,
        )


def main() -> None:
    args = parse_args()
    examples, skipped = read_csv(
        args.csv, text_column=args.text_column, label_column=args.label_column
    )
    learn, test = time_split(examples, test_fraction=args.test_fraction)
    print(
        f"{Path(args.csv).name}: {len(examples)} labelled rows ({skipped} skipped); "
        f"train {len(learn)} up to {learn[-1].when}, test {len(test)} from {test[0].when}"
    )
    if args.select:
        select(learn)
        return

    results: list[tuple[str, dict | None, float | None]] = []
    start = time.perf_counter()
    baseline = Baseline(learn)
    seconds = time.perf_counter() - start
    results.append(("baseline: newmm + TF-IDF + LogReg", evaluate(baseline, test), seconds))

    directory = Path(tempfile.mkdtemp(prefix="thesaban-traffy-"))
    try:
        train_csv, test_csv = directory / "train.csv", directory / "test.csv"
        write_part(train_csv, learn, args)
        write_part(test_csv, test, args)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{directory / 'thesaban.sqlite3'}",
            "THESABAN_DATA_DIR": str(directory),
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        }
        data = ["--text-column", args.text_column, "--label-column", args.label_column]
        print(f"Temporary database and parts in {directory}")
        _seconds, _result, _output = run_cli(["migrate", "--no-input", "-v", "0"], env)
        seconds, _result, output = run_cli(
            ["insight", "train", "--csv", str(train_csv), *data, "--no-progress"], env
        )
        _s, metrics, output = run_cli(
            ["insight", "evaluate", "--csv", str(test_csv), *data, "--no-progress"], env
        )
        results.append(("thesaban insight train / evaluate", metrics, seconds))
        seconds, _result, _output = run_cli(["insight", "build-default", "--no-progress"], env)
        _s, metrics, output = run_cli(
            [
                "insight",
                "evaluate",
                "--csv",
                str(test_csv),
                *data,
                "--model",
                "shipped",
                "--no-progress",
            ],
            env,
        )
        results.append(("shipped default (seed corpus), labels mapped", metrics, seconds))
    finally:
        if args.keep:
            print(f"Kept {directory}")
        else:
            for path in sorted(directory.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            directory.rmdir()

    print()
    print(
        f"{'model':44s} {'accuracy':>8s} {'macro-F1':>8s} {'top-3':>6s} {'n':>6s} {'train (s)':>9s}"
    )
    for name, metrics, seconds in results:
        print(row(name, metrics, seconds))
    print(
        "\ntrain (s): the baseline's fit in this process; the CLI's wall time including Django "
        "start-up and the holdout model it trains first; build-default's wall time."
    )


if __name__ == "__main__":
    main()
