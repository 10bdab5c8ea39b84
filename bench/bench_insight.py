"""How fast the report categoriser predicts on one core, and how long the default model takes
to train, beside the baseline (newmm words + scikit-learn TF-IDF + LogisticRegression).

    .venv/bin/python bench/bench_insight.py [--repeat 3] [--texts 2000] [--single 300] [--csv FILE]

Both models learn from the shipped seed corpus (`thesaban.insight.seed.seed_corpus()`); the
training time is the median of `--repeat` runs. Predictions are timed on `--texts` texts: the
seed corpus's own texts, or the `comment` column of `--csv` (e.g. the Traffy sample), which
are longer and closer to real reports. "batch" is one call for all texts; "one at a time" is
one call per text, as the triage page does; "with reasons" adds the explanation. BLAS and
OpenMP are held to one thread before NumPy loads, so every figure is for one core; on a
machine shared with other work, `--clock cpu` times with this process's CPU time instead of
the wall clock.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from collections.abc import Sequence  # noqa: E402

from thesaban.insight.classifier import Prediction, train  # noqa: E402
from thesaban.insight.data import Example  # noqa: E402
from thesaban.insight.seed import seed_corpus  # noqa: E402
from thesaban.insight.text import normalise, words  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="training runs (median)")
    parser.add_argument("--texts", type=int, default=2000, help="texts to predict in batch")
    parser.add_argument("--single", type=int, default=300, help="texts predicted one at a time")
    parser.add_argument("--csv", help="predict the `comment` texts of this CSV instead")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--clock",
        choices=["wall", "cpu"],
        default="wall",
        help="wall time, or this process's CPU time (steadier on a busy shared machine)",
    )
    return parser.parse_args()


class Baseline:
    """newmm words → scikit-learn TfidfVectorizer (sublinear TF) → LogisticRegression; a
    k-label row trains as k rows of weight 1/k, as the categoriser does."""

    def __init__(self, examples: list[Example]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectoriser = TfidfVectorizer(analyzer=self.tokens, sublinear_tf=True, min_df=2)
        matrix = self.vectoriser.fit_transform([e.text for e in examples])
        self.labels = sorted({label for e in examples for label in e.labels})
        index = {label: j for j, label in enumerate(self.labels)}
        rows, targets, weights = [], [], []
        for row, example in enumerate(examples):
            for label in example.labels:
                rows.append(row)
                targets.append(index[label])
                weights.append(1 / len(example.labels))
        self.model = LogisticRegression(C=10, max_iter=1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.fit(matrix[rows], targets, sample_weight=weights)

    @staticmethod
    def tokens(text: str) -> list[str]:
        return words(normalise(text), normalised=True)

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        """The categoriser's interface (best label, top 3; no reasons), so that the same
        `evaluate` measures both."""
        probabilities = self.model.predict_proba(self.vectoriser.transform(list(texts)))
        predictions = []
        for row in probabilities:
            order = row.argsort()[::-1][:3]
            top = [(self.labels[j], float(row[j])) for j in order]
            predictions.append(Prediction(top[0][0], top[0][1], top, []))
        return predictions


CLOCK = time.perf_counter


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = CLOCK()
    result = function(*args, **kwargs)
    return CLOCK() - start, result


def main() -> None:
    args = parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "cpu" else time.perf_counter
    print(f"Clock: {args.clock} time; BLAS/OpenMP threads: 1")
    corpus = seed_corpus()
    print(
        f"Seed corpus: {len(corpus)} examples, {len({x for e in corpus for x in e.labels})} labels"
    )

    ours_times, base_times = [], []
    model = baseline = None
    for run in range(args.repeat):
        seconds, model = timed(train, corpus)
        ours_times.append(seconds)
        seconds, baseline = timed(Baseline, corpus)
        base_times.append(seconds)
        print(
            f"  run {run + 1}: categoriser {ours_times[-1]:.1f} s, baseline {base_times[-1]:.1f} s"
        )
    assert model is not None and baseline is not None
    print(
        f"Model: {model.meta['algorithm']} v{model.meta['algorithm_version']}, "
        f"{model.meta['n_features']} features, {len(model.to_bytes()) / 1e6:.2f} MB stored"
    )

    if args.csv:
        with open(args.csv, encoding="utf-8-sig", newline="") as handle:
            texts = [row["comment"] for row in csv.DictReader(handle) if row.get("comment")]
        source = Path(args.csv).name
    else:
        texts = [e.text for e in corpus]
        source = "seed corpus"
    random.Random(args.seed).shuffle(texts)
    batch = texts[: args.texts]
    single = texts[: args.single]
    mean_chars = statistics.mean(len(t) for t in batch)
    print(f"Predicting {len(batch)} texts from {source} (mean {mean_chars:.0f} characters)\n")

    # Warm up both (newmm's dictionary trie, lazy imports).
    model.predict(batch[:20], explain=True)
    baseline.predict(batch[:20])

    rows = []
    seconds, _ = timed(baseline.predict, batch)
    base_batch = len(batch) / seconds
    seconds, _ = timed(model.predict, batch)
    rows.append(("batch", len(batch) / seconds, base_batch))

    seconds, _ = timed(lambda: [baseline.predict([t]) for t in single])
    base_single = len(single) / seconds
    seconds, _ = timed(lambda: [model.predict([t]) for t in single])
    rows.append(("one at a time", len(single) / seconds, base_single))
    seconds, _ = timed(lambda: [model.predict([t], explain=True) for t in single])
    rows.append(("one at a time, with reasons", len(single) / seconds, base_single))

    seconds, _ = timed(lambda: [words(normalise(t), normalised=True) for t in batch])
    tokenise = len(batch) / seconds

    print(
        f"{'predictions per second (1 core)':34s} {'categoriser':>12s} {'baseline':>10s} {'ratio':>7s}"
    )
    for name, ours, base in rows:
        print(f"{name:34s} {ours:12.0f} {base:10.0f} {ours / base:7.2f}")
    print(f"{'(newmm tokenising alone)':34s} {tokenise:12.0f}")
    print()
    print(f"{'training on the seed corpus':34s} {'categoriser':>12s} {'baseline':>10s}")
    print(
        f"{'median of ' + str(args.repeat) + ' runs (s)':34s} "
        f"{statistics.median(ours_times):12.1f} {statistics.median(base_times):10.1f}"
    )


if __name__ == "__main__":
    main()
