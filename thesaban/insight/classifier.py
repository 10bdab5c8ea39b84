"""The report categoriser's learning core: Thai text in, a category label with its probability,
the top 3 and the words behind it out (docs/insight-classifier.md).

Features are TF-IDF weights of newmm words and of character n-grams (within whitespace-
separated chunks, as scikit-learn's ``char_wb``), each block L2-normalised; the model is a
multinomial logistic regression. Training uses scikit-learn; prediction does not: a model is
its vocabularies, IDF weights, coefficients and intercepts, stored as a NumPy ``.npz`` with a
JSON header (never a pickle), and features are computed here at predict time.

Several labels on one example: a row with k labels trains as k copies of weight 1/k. In
evaluation a prediction is right when it is any of the row's labels (see `evaluate`).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy import sparse

from thesaban.insight.data import Example, data_fingerprint
from thesaban.insight.text import normalise, stopwords, words

ALGORITHM = "thai-tfidf-logreg"
ALGORITHM_VERSION = "1"
DEFAULT_SEED = 20240606
FORMAT = "thesaban.insight.classifier"
FORMAT_VERSION = 1

# Chosen by the experiments in docs/insight-classifier.md.
DEFAULT_PARAMS: dict[str, Any] = {
    "word_ngrams": [1, 2],  # newmm word n-grams: words and word pairs ([0, 0]: none)
    "char_ngrams": [0, 0],  # char_wb n-grams ([0, 0]: none; measured slower and no better)
    "min_df": 2,  # a feature must occur in this many examples (1 below 200 examples)
    "max_word_features": 30_000,
    "max_char_features": 60_000,
    "C": 30.0,  # inverse regularisation strength of the logistic regression
    "class_weight": "balanced",  # every label weighs the same in all ("none": as counted)
    "max_iter": 1000,
}
MIN_EXAMPLES = 4  # in all; and every label needs at least one
REASONS = 8  # at most this many words explain one prediction
_DATE = (1980, 1, 1, 0, 0, 0)  # the zip entries' timestamp: the same bytes on every run

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float
    top: list[tuple[str, float]]  # the best 3 labels with probabilities, best first
    reasons: list[tuple[str, float]]  # words that pushed towards `label`, strongest first


# --- Features ----------------------------------------------------------------------------


def _word_terms(tokens: list[str], low: int, high: int) -> list[str]:
    terms: list[str] = []
    for n in range(low, high + 1):
        if n == 1:
            terms.extend(tokens)
        else:
            terms.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return terms


def _char_spans(text: str, low: int, high: int) -> list[tuple[str, int, int]]:
    """Character n-grams of each whitespace-separated chunk padded with one space each side,
    exactly as scikit-learn's ``char_wb``, with their [start, end) in `text` (padding
    clipped)."""
    spans: list[tuple[str, int, int]] = []
    position = 0
    for chunk in text.split():
        start = text.index(chunk, position)
        position = start + len(chunk)
        padded = f" {chunk} "
        length = len(padded)
        for n in range(low, high + 1):
            offset = 0
            spans.append((padded[:n], start, start - 1 + n))
            while offset + n < length:
                offset += 1
                spans.append(
                    (padded[offset : offset + n], start - 1 + offset, start - 1 + offset + n)
                )
            if offset == 0:  # a chunk shorter than n counts once
                break
    return [(gram, max(s, 0), min(e, len(text))) for gram, s, e in spans]


def _char_terms(text: str, low: int, high: int) -> list[str]:
    terms: list[str] = []
    for chunk in text.split():
        padded = f" {chunk} "
        length = len(padded)
        for n in range(low, high + 1):
            offset = 0
            terms.append(padded[:n])
            while offset + n < length:
                offset += 1
                terms.append(padded[offset : offset + n])
            if offset == 0:
                break
    return terms


def _word_places(text: str, tokens: list[str]) -> tuple[list[tuple[str, int, int]], np.ndarray]:
    """Each word's [start, end) in `text`, and for each character the index of its word (-1
    for spaces)."""
    spans: list[tuple[str, int, int]] = []  # each word's place in the text
    position = 0
    for token in tokens:
        start = text.find(token, position)
        if start < 0:  # a word repeated by ๆ: it is the previous word again
            continue
        spans.append((token, start, start + len(token)))
        position = start + len(token)
    owner = np.full(len(text) + 1, -1, dtype=np.int64)
    for index, (_token, start, end) in enumerate(spans):
        owner[start:end] = index
    return spans, owner


@dataclass
class _Block:
    """One TF-IDF block: sublinear term frequency × smooth IDF, L2-normalised per text."""

    kind: str  # "word" or "char"
    low: int
    high: int
    vocabulary: dict[str, int] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def extract(self, text: str, tokens: list[str] | None) -> list[str]:
        if self.kind == "word":
            return _word_terms(tokens or [], self.low, self.high)
        return _char_terms(text, self.low, self.high)

    def fit(self, documents: list[list[str]], *, min_df: int, max_features: int) -> None:
        df: Counter[str] = Counter()
        for terms in documents:
            df.update(set(terms))
        # Terms are stored newline-separated; normalised text has no newlines, but be sure.
        kept = [(t, count) for t, count in df.items() if count >= min_df and "\n" not in t]
        # Most frequent first, ties by the term itself: the same data gives the same vocabulary.
        kept.sort(key=lambda item: (-item[1], item[0]))
        kept = sorted(kept[:max_features])
        self.terms = [term for term, _count in kept]
        self.vocabulary = {term: index for index, term in enumerate(self.terms)}
        n = len(documents)
        counts = np.array([count for _term, count in kept], dtype=np.float64)
        self.idf = (np.log((1 + n) / (1 + counts)) + 1).astype(np.float32)

    def transform(self, documents: list[list[str]]) -> sparse.csr_matrix:
        get = self.vocabulary.get
        indptr = [0]
        indices: list[int] = []
        for terms in documents:
            indices.extend(j for j in map(get, terms) if j is not None)
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (
                np.ones(len(indices), dtype=np.float32),
                np.array(indices, dtype=np.int32),
                np.array(indptr, dtype=np.int64),
            ),
            shape=(len(documents), len(self.terms)),
        )
        matrix.sum_duplicates()  # term counts, columns sorted
        matrix.data = (1.0 + np.log(matrix.data)) * self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
        return matrix


class _Features:
    def __init__(self, blocks: list[_Block]) -> None:
        self.blocks = blocks
        self.needs_words = any(block.kind == "word" for block in blocks)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> _Features:
        blocks = []
        if params["word_ngrams"][0] > 0:
            blocks.append(_Block("word", *params["word_ngrams"]))
        if params["char_ngrams"][0] > 0:
            blocks.append(_Block("char", *params["char_ngrams"]))
        return cls(blocks)

    @property
    def size(self) -> int:
        return sum(len(block.terms) for block in self.blocks)

    def prepare(self, texts: Sequence[str]) -> list[tuple[str, list[str] | None]]:
        prepared = []
        for text in texts:
            text = normalise(text)
            prepared.append((text, words(text, normalised=True) if self.needs_words else None))
        return prepared

    def fit(self, prepared: list[tuple[str, list[str] | None]], params: dict[str, Any]) -> None:
        for block in self.blocks:
            documents = [block.extract(text, tokens) for text, tokens in prepared]
            limit = params[f"max_{block.kind}_features"]
            block.fit(documents, min_df=params["min_df"], max_features=limit)

    def transform(self, prepared: list[tuple[str, list[str] | None]]) -> sparse.csr_matrix:
        parts = [
            block.transform([block.extract(text, tokens) for text, tokens in prepared])
            for block in self.blocks
        ]
        return sparse.hstack(parts, format="csr", dtype=np.float32)


# --- The classifier ----------------------------------------------------------------------


class Classifier:
    """A trained categoriser. Build it with `train` or `Classifier.from_bytes`."""

    def __init__(
        self,
        *,
        labels: list[str],
        meta: dict[str, Any],
        features: _Features,
        coef: np.ndarray,
        intercept: np.ndarray,
    ) -> None:
        self.labels = list(labels)
        self.meta = meta
        self._features = features
        self._coef = np.ascontiguousarray(coef, dtype=np.float32)  # labels × features
        self._coef_t = np.ascontiguousarray(self._coef.T)
        self._intercept = np.asarray(intercept, dtype=np.float32)

    def __repr__(self) -> str:
        return f"<Classifier {self.meta.get('algorithm')} labels={len(self.labels)} features={self._features.size}>"

    # -- prediction

    def _probabilities(self, matrix: sparse.csr_matrix) -> np.ndarray:
        scores = np.asarray(matrix @ self._coef_t, dtype=np.float64) + self._intercept
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, one row per text, columns in the order of `labels`."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        return self._probabilities(self._features.transform(self._features.prepare(texts)))

    def predict(self, texts: Sequence[str], *, explain: bool = False) -> list[Prediction]:
        texts = list(texts)
        if not texts:
            return []
        prepared = self._features.prepare(texts)
        matrix = self._features.transform(prepared)
        probabilities = self._probabilities(matrix)
        # Best first; ties by label order (a stable sort), the same answer on every machine.
        orders = np.argsort(-probabilities, axis=1, kind="stable")[:, :3].tolist()
        predictions = []
        for row, (scores, order) in enumerate(zip(probabilities.tolist(), orders, strict=True)):
            best = order[0]
            reasons = self._reasons(*prepared[row], matrix[row], best) if explain else []
            predictions.append(
                Prediction(
                    label=self.labels[best],
                    probability=float(scores[best]),
                    top=[(self.labels[j], float(scores[j])) for j in order],
                    reasons=reasons,
                )
            )
        return predictions

    def _reasons(
        self, text: str, tokens: list[str] | None, row: sparse.csr_matrix, label: int
    ) -> list[tuple[str, float]]:
        """The words of `text` that pushed the score of `label` up, strongest first. A feature's
        push is its value × (its weight for the label − its mean weight over all labels);
        a character n-gram's push is shared among the words it overlaps, by characters."""
        coef = self._coef
        pushes = {
            int(j): float(v) * float(coef[label, j] - coef[:, j].mean())
            for j, v in zip(row.indices, row.data, strict=True)
        }
        if tokens is None:  # a characters-only model: the words are for display
            tokens = words(text, normalised=True)
        totals: defaultdict[str, float] = defaultdict(float)
        offset = 0
        for block in self._features.blocks:
            size = len(block.terms)
            if block.kind == "word":
                for term in set(_word_terms(tokens, block.low, block.high)):
                    j = block.vocabulary.get(term)
                    if j is None or offset + j not in pushes:
                        continue
                    parts = term.split(" ")
                    for part in parts:
                        totals[part] += pushes[offset + j] / len(parts)
            else:
                spans, owner = _word_places(text, tokens)
                grams = _char_spans(text, block.low, block.high)
                occurrences = Counter(gram for gram, _s, _e in grams)
                for gram, start, end in grams:
                    j = block.vocabulary.get(gram)
                    if j is None or offset + j not in pushes:
                        continue
                    # The feature's push is for all its occurrences; share it out evenly.
                    share = pushes[offset + j] / occurrences[gram] / len(gram)
                    for position in range(start, end):
                        index = owner[position]
                        if index >= 0:
                            totals[spans[index][0]] += share
            offset += size
        # Stop words ("เป็น", "ที่") can carry weight, but they explain nothing to a reader.
        stop = stopwords()
        ranked = sorted(
            (
                (word, weight)
                for word, weight in totals.items()
                if weight > 0 and word not in stop and len(word) > 1
            ),
            key=lambda item: (-item[1], item[0]),
        )
        return [(word, round(weight, 4)) for word, weight in ranked[:REASONS]]

    # -- storage

    def to_bytes(self) -> bytes:
        """The model as a NumPy ``.npz`` (no pickles) with a JSON header. The same examples and
        seed give the same bytes: `meta["trained_at"]` is a fact about the run, not the model,
        and is left out (the caller stores when it trained)."""
        meta = {key: value for key, value in self.meta.items() if key != "trained_at"}
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "labels": self.labels,
            "meta": meta,
            "blocks": [
                {"kind": block.kind, "low": block.low, "high": block.high}
                for block in self._features.blocks
            ],
        }
        arrays: dict[str, np.ndarray] = {
            "header": np.frombuffer(
                json.dumps(header, ensure_ascii=False, sort_keys=True).encode(), dtype=np.uint8
            ),
            "coef": self._coef,
            "intercept": self._intercept,
        }
        for index, block in enumerate(self._features.blocks):
            arrays[f"terms{index}"] = np.frombuffer("\n".join(block.terms).encode(), dtype=np.uint8)
            arrays[f"idf{index}"] = block.idf
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                member = io.BytesIO()
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, member.getvalue())
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Classifier:
        """A classifier from `to_bytes` output; anything else raises ValueError."""
        try:
            with np.load(io.BytesIO(bytes(data)), allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            header = json.loads(arrays["header"].tobytes().decode())
            if header.get("format") != FORMAT:
                raise ValueError("not a Thesaban classifier")
            if header.get("format_version") != FORMAT_VERSION:
                raise ValueError(
                    f"classifier format {header.get('format_version')!r} is not supported"
                )
            labels = [str(label) for label in header["labels"]]
            blocks = []
            for index, spec in enumerate(header["blocks"]):
                block = _Block(str(spec["kind"]), int(spec["low"]), int(spec["high"]))
                raw = arrays[f"terms{index}"].tobytes().decode()
                block.terms = raw.split("\n") if raw else []
                block.vocabulary = {term: j for j, term in enumerate(block.terms)}
                block.idf = arrays[f"idf{index}"].astype(np.float32)
                if block.kind not in ("word", "char") or len(block.idf) != len(block.terms):
                    raise ValueError("inconsistent feature block")
                blocks.append(block)
            features = _Features(blocks)
            coef, intercept = arrays["coef"], arrays["intercept"]
            if coef.shape != (len(labels), features.size) or intercept.shape != (len(labels),):
                raise ValueError("coefficients do not match the labels and features")
            meta = dict(header["meta"])
        except ValueError as error:
            raise ValueError(f"Not a usable classifier model: {error}") from error
        except (
            KeyError,
            TypeError,
            OSError,
            zipfile.BadZipFile,
            EOFError,
            UnicodeDecodeError,
        ) as error:
            raise ValueError(f"Not a usable classifier model: {error!r}") from error
        meta.setdefault("trained_at", None)
        return cls(labels=labels, meta=meta, features=features, coef=coef, intercept=intercept)


# --- Training ----------------------------------------------------------------------------


def _expand(
    examples: Sequence[Example], labels: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, targets and weights: an example with k labels is k rows of weight 1/k."""
    index = {label: j for j, label in enumerate(labels)}
    rows, targets, weights = [], [], []
    for row, example in enumerate(examples):
        for label in example.labels:
            rows.append(row)
            targets.append(index[label])
            weights.append(1.0 / len(example.labels))
    return np.array(rows), np.array(targets), np.array(weights)


def train(
    examples: Sequence[Example],
    *,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    params: dict[str, Any] | None = None,
) -> Classifier:
    """Learn a classifier from labelled examples. Raises ValueError when there is too little
    to learn from. `params` overrides DEFAULT_PARAMS (for experiments)."""
    from sklearn.linear_model import LogisticRegression

    settings = {**DEFAULT_PARAMS, **(params or {})}
    unknown = set(settings) - set(DEFAULT_PARAMS)
    if unknown:
        raise ValueError(f"Unknown classifier parameters: {', '.join(sorted(unknown))}")
    examples = [e for e in examples if e.labels and (e.text or "").strip()]
    label_counts: Counter[str] = Counter(label for e in examples for label in e.labels)
    labels = sorted(label_counts)
    if len(labels) < 2:
        raise ValueError(
            "A classifier needs examples of at least 2 different labels; "
            f"these examples have {len(labels)}."
        )
    if len(examples) < MIN_EXAMPLES:
        raise ValueError(
            f"A classifier needs at least {MIN_EXAMPLES} labelled examples; "
            f"there are {len(examples)}."
        )

    def step(fraction: float, note: str) -> None:
        if progress is not None:
            progress(fraction, note)

    step(0.0, "reading texts")
    features = _Features.from_params(settings)
    prepared = []
    batch = max(1, len(examples) // 20)
    for start in range(0, len(examples), batch):
        prepared.extend(features.prepare([e.text for e in examples[start : start + batch]]))
        step(0.5 * len(prepared) / len(examples), "reading texts")
    # With few examples a feature seen once still counts.
    settings["min_df"] = settings["min_df"] if len(examples) >= 200 else 1
    features.fit(prepared, settings)
    step(0.55, "weighting features")
    matrix = features.transform(prepared)
    rows, targets, weights = _expand(examples, labels)
    if settings["class_weight"] == "balanced":
        # Each label's rows together weigh as much as any other label's (sklearn's "balanced",
        # counted with the 1/k weights of several-label rows).
        totals = np.bincount(targets, weights=weights, minlength=len(labels))
        weights = weights * (weights.sum() / (len(labels) * totals))[targets]
    step(0.6, "fitting the model")
    model = LogisticRegression(
        C=settings["C"], max_iter=settings["max_iter"], random_state=seed, tol=1e-4
    )
    # Fitted in float64: lbfgs converges more steadily than on the float32 features.
    model.fit(matrix[rows].astype(np.float64), targets, sample_weight=weights)
    coef, intercept = model.coef_, model.intercept_
    if len(labels) == 2:  # scikit-learn keeps one row for two classes; softmax wants two
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    step(1.0, "done")
    meta = {
        "algorithm": ALGORITHM,
        "algorithm_version": ALGORITHM_VERSION,
        "seed": seed,
        "data_fingerprint": data_fingerprint(examples),
        "n_examples": len(examples),
        "label_counts": {label: label_counts[label] for label in labels},
        "params": settings,
        "n_features": features.size,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return Classifier(labels=labels, meta=meta, features=features, coef=coef, intercept=intercept)


# --- Evaluation --------------------------------------------------------------------------


def evaluate(
    classifier: Classifier, examples: Sequence[Example], *, progress: Progress | None = None
) -> dict[str, Any]:
    """How well the classifier labels the examples.

    A prediction is right when it is any of the example's labels (top-3: when any of the 3 is).
    For per-label figures and macro-F1 the example's gold label is the predicted one when that
    is among its labels, otherwise its first label. Labels the model does not know still count:
    their examples are errors. Macro-F1 averages over every label that is gold or predicted at
    least once.
    """
    examples = [e for e in examples if e.labels]
    if not examples:
        raise ValueError("There are no labelled examples to evaluate on.")
    predicted: list[str] = []
    top3_hits = 0
    batch = 256
    for start in range(0, len(examples), batch):
        chunk = examples[start : start + batch]
        for example, prediction in zip(
            chunk, classifier.predict([e.text for e in chunk]), strict=True
        ):
            predicted.append(prediction.label)
            top3_hits += any(label in example.labels for label, _p in prediction.top)
        if progress is not None:
            progress(len(predicted) / len(examples), "evaluating")
    gold = [p if p in e.labels else e.labels[0] for p, e in zip(predicted, examples, strict=True)]
    n = len(examples)
    correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
    labels = sorted(set(gold) | set(predicted))
    per_label: dict[str, dict[str, float | int]] = {}
    f1_sum = 0.0
    for label in labels:
        tp = sum(p == label and g == label for p, g in zip(predicted, gold, strict=True))
        n_pred = predicted.count(label)
        support = gold.count(label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1_sum += f1
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
        }
    macro_f1 = f1_sum / len(per_label)
    return {
        "accuracy": round(correct / n, 4),
        "macro_f1": round(macro_f1, 4),
        "top3_accuracy": round(top3_hits / n, 4),
        "n": n,
        "multi_label_rows": sum(len(e.labels) > 1 for e in examples),
        "labels": labels,
        "per_label": per_label,
    }
