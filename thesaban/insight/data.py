"""Labelled examples: what the categoriser learns from and is measured on, wherever they come
from (a municipality's confirmed reports, the shipped seed corpus, a CSV file)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from thesaban.insight.text import normalise


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]  # one or more; the first is the main one where a source says so
    when: datetime | None = None  # for time-ordered splits


class ExampleFileError(ValueError):
    """A CSV that cannot be read as examples, with a message fit for the person who gave it."""


_SET_SEPARATORS = re.compile(r"[,;|]")


def parse_labels(value: str) -> tuple[str, ...]:
    """The labels in one cell: `ถนน`, `{ถนน,ทางเท้า}` (Traffy's set syntax), `a;b`, `a|b` or a
    JSON list. Order is kept, repeats and blanks dropped."""
    value = (value or "").strip()
    if value.startswith("[") and value.endswith("]"):
        try:
            items = json.loads(value)
        except ValueError:
            items = _SET_SEPARATORS.split(value[1:-1])
    elif value.startswith("{") and value.endswith("}"):
        items = _SET_SEPARATORS.split(value[1:-1])
    else:
        items = _SET_SEPARATORS.split(value)
    labels: list[str] = []
    for item in items:
        label = str(item).strip().strip("\"'").strip()
        if label and label not in labels:
            labels.append(label)
    return tuple(labels)


def _parse_when(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    value = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d\d$", value):  # PostgreSQL's "+00" offset
        value += ":00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


TIME_COLUMNS = ("timestamp", "submitted_at", "created_at", "requested_datetime", "date")


def read_csv(
    path: str | Path, *, text_column: str, label_column: str, time_column: str | None = None
) -> tuple[list[Example], int]:
    """Examples from a UTF-8 CSV file, and how many rows were skipped (no text or no label).
    The time column, when there is one (given, or one of TIME_COLUMNS), orders time splits."""
    path = Path(path)
    if not path.is_file():
        raise ExampleFileError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            for wanted in (text_column, label_column):
                if wanted not in columns:
                    raise ExampleFileError(
                        f"{path}: there is no column {wanted!r}; the columns are "
                        + ", ".join(repr(c) for c in columns)
                    )
            if time_column is None:
                time_column = next((c for c in TIME_COLUMNS if c in columns), None)
            elif time_column not in columns:
                raise ExampleFileError(f"{path}: there is no column {time_column!r}")
            examples: list[Example] = []
            skipped = 0
            for row in reader:
                text = (row.get(text_column) or "").strip()
                labels = parse_labels(row.get(label_column) or "")
                if not text or not labels:
                    skipped += 1
                    continue
                when = _parse_when(row.get(time_column) or "") if time_column else None
                examples.append(Example(text=text, labels=labels, when=when))
    except UnicodeDecodeError as error:
        raise ExampleFileError(f"{path}: not UTF-8 text ({error.reason})") from error
    except csv.Error as error:
        raise ExampleFileError(f"{path}: not a readable CSV file ({error})") from error
    return examples, skipped


def data_fingerprint(examples: Iterable[Example]) -> str:
    """SHA-256 over the normalised texts and their labels, in order: the same data gives the
    same fingerprint, so a model records exactly what it learned from."""
    digest = hashlib.sha256()
    for example in examples:
        digest.update(normalise(example.text).encode())
        digest.update(b"\x1f")
        digest.update("\x1e".join(example.labels).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def time_split(
    examples: Sequence[Example], *, test_fraction: float = 0.2
) -> tuple[list[Example], list[Example]]:
    """The earlier examples to learn from and the later ones to test on. Examples without a
    time keep their order after the dated ones (stable sort), so a file in time order splits
    the same way with or without a time column."""
    ordered = sorted(
        examples, key=lambda e: (e.when is None, e.when or datetime.min.replace(tzinfo=UTC))
    )
    cut = len(ordered) - max(1, round(len(ordered) * test_fraction))
    return ordered[:cut], ordered[cut:]
