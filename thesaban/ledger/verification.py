"""`thesaban ledger verify`: derive every leaf again from its record and rebuild the tree.

Checks, for one municipality, in index order and in batches (constant memory):
1. indexes run 0, 1, 2… without a gap, and the count equals the head's tree size;
2. each stored leaf hash is SHA-256(0x00 || leaf) — else the leaf text was changed;
3. each leaf equals the canonical JSON its record gives today — else the record was changed
   (or deleted);
4. every stored subtree hash equals the one recomputed from the leaves, and the root of the
   whole tree equals the head's root;
5. the head's Ed25519 signature is valid for its public key.
Each problem names the entry's index, record type, record model and id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q

from thesaban.ledger import keys, merkle
from thesaban.ledger.canonical import LeafError, canonical_json
from thesaban.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from thesaban.ledger.registry import record_types
from thesaban.ledger.services import tree_head_message
from thesaban.municipalities.models import Municipality


@dataclass
class Problem:
    index: int | None
    message: str
    record_type: str = ""
    record: str = ""  # "reports.reportevent #42"

    def __str__(self) -> str:
        where = f"entry {self.index}" if self.index is not None else "tree"
        what = f" ({self.record_type}, {self.record})" if self.record_type else ""
        return f"{where}{what}: {self.message}"


@dataclass
class VerifyResult:
    tree_size: int = 0
    checked: int = 0
    root_hash: bytes = b""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _derive_batch(entries: list[LedgerEntry]) -> dict[tuple[str, str], str | Exception]:
    """The leaf each entry's record gives today, fetched per record type in one query."""
    derived: dict[tuple[str, str], str | Exception] = {}
    by_type: dict[str, list[str]] = {}
    for entry in entries:
        by_type.setdefault(entry.record_type, []).append(entry.record_id)
    for name, ids in by_type.items():
        if name not in record_types:
            continue
        spec = record_types.get(name)
        queryset = spec.model_class._default_manager.all()
        if spec.select_related:
            queryset = queryset.select_related(*spec.select_related)
        for pk, record in queryset.in_bulk(ids).items():
            try:
                derived[(name, str(pk))] = canonical_json(spec.derive_leaf(record))
            except (LeafError, AttributeError, TypeError, ValueError) as error:
                derived[(name, str(pk))] = error
    return derived


def _stored_nodes(municipality_id: int, expected: dict[tuple[int, int], bytes]) -> dict:
    if not expected:
        return {}
    condition = Q()
    by_level: dict[int, list[int]] = {}
    for level, position in expected:
        by_level.setdefault(level, []).append(position)
    for level, positions in by_level.items():
        condition |= Q(level=level, position__gte=min(positions), position__lte=max(positions))
    return {
        (level, position): bytes(value)
        for level, position, value in LedgerNode.objects.filter(municipality_id=municipality_id)
        .filter(condition)
        .values_list("level", "position", "hash")
    }


def ledger_verify(
    *,
    municipality: Municipality,
    batch_size: int = 5000,
    progress: Callable[[int], object] | None = None,
    max_problems: int = 1000,
) -> VerifyResult:
    result = VerifyResult()
    head = LedgerHead.objects.filter(municipality=municipality).first()
    if head is None:
        return result
    result.tree_size = head.tree_size
    tree = merkle.CompactRange()
    expected_index = 0

    def problem(*args, **kwargs) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(Problem(*args, **kwargs))

    while True:
        entries = list(
            LedgerEntry.objects.filter(municipality=municipality, index__gte=expected_index)
            .order_by("index")
            .defer("created_at")[:batch_size]
        )
        if not entries:
            break
        derived = _derive_batch(entries)
        recomputed: dict[tuple[int, int], bytes] = {}
        for entry in entries:
            names = {
                "record_type": entry.record_type,
                "record": f"{entry.record_model} #{entry.record_id}",
            }
            if entry.index != expected_index:
                problem(
                    expected_index,
                    f"entries {expected_index}–{entry.index - 1} are missing",
                )
                # Keep hashing what is there; the root check below fails anyway.
                expected_index = entry.index
            stored_hash = bytes(entry.leaf_hash)
            actual_hash = merkle.leaf_hash(entry.leaf.encode("utf-8"))
            if actual_hash != stored_hash:
                problem(
                    entry.index,
                    "the stored leaf was changed: its text no longer gives its leaf hash",
                    **names,
                )
            if entry.record_type not in record_types:
                problem(entry.index, "unknown record type (no app registers it)", **names)
            else:
                again = derived.get((entry.record_type, entry.record_id))
                if again is None:
                    problem(entry.index, "the record was deleted", **names)
                elif isinstance(again, Exception):
                    problem(entry.index, f"the record no longer gives a leaf: {again}", **names)
                elif again != entry.leaf:
                    problem(
                        entry.index,
                        "the record was changed: it now gives a different leaf "
                        f"(stored {entry.leaf}, now {again})",
                        **names,
                    )
            for level, position, value in tree.append(stored_hash):
                recomputed[(level, position)] = value
            expected_index += 1
            result.checked += 1
        stored = _stored_nodes(municipality.pk, recomputed)
        for key, value in sorted(recomputed.items()):
            if stored.get(key) != value:
                level, position = key
                first, last = position << level, ((position + 1) << level) - 1
                problem(
                    None,
                    f"the stored hash of the subtree of entries {first}–{last} "
                    f"(level {level}) {'is missing' if key not in stored else 'was changed'}",
                )
        if progress is not None:
            progress(len(entries))
    result.root_hash = tree.root()
    if result.checked != head.tree_size:
        problem(None, f"the head says {head.tree_size} entries, the log holds {result.checked}")
    if result.root_hash != bytes(head.root_hash):
        problem(
            None,
            f"the root recomputed from the leaves ({result.root_hash.hex()}) is not the head's "
            f"root ({bytes(head.root_hash).hex()})",
        )
    message = tree_head_message(
        slug=municipality.slug,
        root_hash=bytes(head.root_hash),
        timestamp=head.timestamp,
        tree_size=head.tree_size,
    )
    if not keys.signature_valid(bytes(head.public_key), bytes(head.signature), message):
        problem(None, "the tree head's signature is not valid for the published public key")
    return result
