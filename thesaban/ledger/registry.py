"""Which kinds of public record go into the ledger, and how each one becomes a leaf.

Apps register their record types from `AppConfig.ready()`:

    from thesaban.ledger.registry import record_types
    record_types.register(
        "budget.transfer", model="opendata.BudgetTransfer", derive_leaf=transfer_leaf
    )

`derive_leaf(instance)` returns the dict whose canonical JSON (thesaban/ledger/canonical.py)
is the leaf. It is called when the record is appended *and* again by `thesaban ledger
verify`, so it must depend only on the record's stored, never-changing fields (and rows those
point to that never change either), and must hold no personal data.

Optional: `select_related` (fields to join when many records are derived at once: verify,
backfill) and `backfill(municipality) -> QuerySet` (the records that should be in the log,
in the order to append them; used by `thesaban ledger backfill`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class RecordType:
    name: str
    model: str  # "app_label.ModelName" as registered
    derive_leaf: Callable[[Any], dict]
    select_related: tuple[str, ...] = ()
    backfill: Callable[[Any], models.QuerySet] | None = None

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def model_label(self) -> str:
        """The lower-case label stored on entries, e.g. "reports.reportevent"."""
        return self.model_class._meta.label_lower


@dataclass
class RecordTypeRegistry:
    _types: dict[str, RecordType] = field(default_factory=dict)

    def register(
        self,
        record_type: str,
        *,
        model: str,
        derive_leaf: Callable[[Any], dict],
        select_related: Sequence[str] = (),
        backfill: Callable[[Any], models.QuerySet] | None = None,
    ) -> RecordType:
        if not record_type or len(record_type) > 64:
            raise ValueError("a record type is a name of 1 to 64 characters")
        if "." not in model:
            raise ValueError('model is "app_label.ModelName"')
        existing = self._types.get(record_type)
        entry = RecordType(record_type, model, derive_leaf, tuple(select_related), backfill)
        if existing is not None and (existing.model, existing.derive_leaf) != (
            entry.model,
            entry.derive_leaf,
        ):
            raise ValueError(f"record type {record_type!r} is already registered differently")
        self._types[record_type] = entry
        return entry

    def get(self, record_type: str) -> RecordType:
        try:
            return self._types[record_type]
        except KeyError:
            raise LookupError(f"unknown ledger record type {record_type!r}") from None

    def __contains__(self, record_type: str) -> bool:
        return record_type in self._types

    def all(self) -> list[RecordType]:
        return list(self._types.values())


record_types = RecordTypeRegistry()
