"""The seed corpus: synthetic Thai example reports for the 25 default categories, written for
Thesaban, so that a new municipality's categoriser makes suggestions from day one.

The fragments live in JSON files beside this module and are composed by `generator.py`; see
docs/insight-corpus.md for how the corpus is built, measured and extended.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from thesaban.insight.data import Example
from thesaban.insight.seed.generator import compose, load
from thesaban.insight.text import normalise

# Bump whenever a fragment, a template or the generator changes: it seeds the random generator
# and is recorded with models trained on the corpus.
CORPUS_VERSION = "2025.1"
EXAMPLES_PER_CATEGORY = 360

DEFAULT_CATEGORIES: list[dict] = [
    {
        "code": c["code"],
        "name_th": c["name_th"],
        "name_en": c["name_en"],
        "aliases": list(c["aliases"]),
    }
    for c in load("categories")["categories"]
]
DEFAULT_CODES: tuple[str, ...] = tuple(c["code"] for c in DEFAULT_CATEGORIES)


def _key(raw: str) -> str:
    return normalise(raw or "").replace("_", "-")


@lru_cache(maxsize=1)
def _label_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for category in DEFAULT_CATEGORIES:
        code = category["code"]
        names = [code, code.replace("-", " "), category["name_th"], category["name_en"]]
        for name in [*names, *category["aliases"]]:
            index.setdefault(_key(name), code)
    return index


def default_label(raw: str) -> str | None:
    """The default category code for a code, Thai or English name or alias (any case, spacing
    or Thai digit form), or None when it is not one of the default categories."""
    return _label_index().get(_key(raw)) if raw else None


@lru_cache(maxsize=1)
def _corpus() -> tuple[Example, ...]:
    seen: set[str] = set()
    examples: list[Example] = []
    for code in DEFAULT_CODES:
        texts = compose(code, target=EXAMPLES_PER_CATEGORY, seed=CORPUS_VERSION, seen=seen)
        examples.extend(Example(text=text, labels=(code,)) for text in texts)
    return tuple(examples)


def seed_corpus() -> list[Example]:
    """The seed corpus, category by category in DEFAULT_CATEGORIES order; the same list on
    every call for a given CORPUS_VERSION."""
    return list(_corpus())


def write_csv(path: str | Path) -> int:
    """Write the seed corpus as a UTF-8 CSV with columns `text,label`; returns the row count."""
    examples = seed_corpus()
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for example in examples:
            writer.writerow([example.text, example.labels[0]])
    return len(examples)


__all__ = [
    "CORPUS_VERSION",
    "DEFAULT_CATEGORIES",
    "DEFAULT_CODES",
    "default_label",
    "seed_corpus",
    "write_csv",
]
