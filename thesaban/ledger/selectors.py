"""Reading the transparency ledger: tree heads, entries, proofs. Every read starts from the
municipality."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import models
from django.db.models import Q

from thesaban.ledger import keys, merkle
from thesaban.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from thesaban.municipalities.models import Municipality


@dataclass(frozen=True)
class TreeHead:
    municipality: str
    tree_size: int
    root_hash: bytes
    timestamp: int
    signature: bytes
    public_key: bytes

    @property
    def signed_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, tz=UTC)

    def as_json(self) -> dict:
        return {
            "municipality": self.municipality,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": self.timestamp,
            "signature": keys.b64(self.signature),
            "public_key": keys.b64(self.public_key),
        }


def ledger_tree_head(*, municipality: Municipality) -> TreeHead:
    """The latest signed tree head (the empty tree, signed, before the first entry)."""
    from thesaban.ledger.services import ledger_head_ensure

    head = LedgerHead.objects.filter(municipality=municipality).first()
    if head is None:
        head = ledger_head_ensure(municipality=municipality)
    return TreeHead(
        municipality=municipality.slug,
        tree_size=head.tree_size,
        root_hash=bytes(head.root_hash),
        timestamp=head.timestamp,
        signature=bytes(head.signature),
        public_key=bytes(head.public_key),
    )


def ledger_entry_for(*, record: models.Model) -> LedgerEntry | None:
    """The latest ledger entry of `record` (in its own municipality's log), or None."""
    return (
        LedgerEntry.objects.filter(
            municipality_id=getattr(record, "municipality_id", None),
            record_model=record._meta.label_lower,
            record_id=str(record.pk),
        )
        .select_related("municipality")
        .order_by("-index")
        .first()
    )


def ledger_entries_for(*, records: Iterable[models.Model]) -> dict[tuple[str, str], LedgerEntry]:
    """The latest entry of each record in one query, keyed by (model label, str(pk)).

    For pages that link many figures to their entries without one query per figure. All
    records must belong to one municipality.
    """
    records = list(records)
    if not records:
        return {}
    municipality_ids = {getattr(record, "municipality_id", None) for record in records}
    if len(municipality_ids) != 1:
        raise ValueError("records of one municipality at a time")
    wanted = Q()
    by_model: dict[str, list[str]] = {}
    for record in records:
        by_model.setdefault(record._meta.label_lower, []).append(str(record.pk))
    for label, ids in by_model.items():
        wanted |= Q(record_model=label, record_id__in=ids)
    found: dict[tuple[str, str], LedgerEntry] = {}
    rows = (
        LedgerEntry.objects.filter(municipality_id=municipality_ids.pop())
        .filter(wanted)
        .select_related("municipality")
        .order_by("index")
    )
    for entry in rows:
        found[(entry.record_model, entry.record_id)] = entry  # later indexes win
    return found


def ledger_recent_entries(*, municipality: Municipality, limit: int = 20) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(municipality=municipality)
        .select_related("municipality")
        .order_by("-index")[:limit]
    )


def ledger_entry(*, municipality: Municipality, index: int) -> LedgerEntry | None:
    return (
        LedgerEntry.objects.filter(municipality=municipality, index=index)
        .select_related("municipality")
        .first()
    )


class StoredHashes:
    """Perfect-subtree hashes of one municipality's tree from the database (for merkle.py)."""

    def __init__(self, municipality: Municipality | int) -> None:
        self.municipality_id = getattr(municipality, "pk", municipality)

    def __call__(self, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        found: dict[tuple[int, int], bytes] = {}
        leaves = sorted(position for level, position in wanted if level == 0)
        if leaves:
            for index, value in LedgerEntry.objects.filter(
                municipality_id=self.municipality_id, index__in=leaves
            ).values_list("index", "leaf_hash"):
                found[(0, index)] = bytes(value)
        by_level: dict[int, list[int]] = {}
        for level, position in wanted:
            if level:
                by_level.setdefault(level, []).append(position)
        if by_level:
            condition = Q()
            for level, positions in by_level.items():
                condition |= Q(level=level, position__in=positions)
            for level, position, value in (
                LedgerNode.objects.filter(municipality_id=self.municipality_id)
                .filter(condition)
                .values_list("level", "position", "hash")
            ):
                found[(level, position)] = bytes(value)
        return found


def ledger_inclusion_proof(
    *, municipality: Municipality, index: int, tree_size: int
) -> list[bytes]:
    """The audit path of entry `index` in the tree of the first `tree_size` entries.

    The caller checks 0 <= index < tree_size <= the current size.
    """
    return merkle.hashes_of_ranges(
        merkle.inclusion_ranges(index, tree_size), StoredHashes(municipality)
    )


def ledger_consistency_proof(*, municipality: Municipality, first: int, second: int) -> list[bytes]:
    """The consistency path between tree sizes `first` and `second` (0 < first <= second)."""
    return merkle.hashes_of_ranges(
        merkle.consistency_ranges(first, second), StoredHashes(municipality)
    )


def ledger_root_at(*, municipality: Municipality, tree_size: int) -> bytes:
    """The root hash the tree had when it held `tree_size` entries."""
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    return merkle.hashes_of_ranges([(0, tree_size)], StoredHashes(municipality))[0]
