"""Writing to the transparency ledger. Nothing else writes its tables.

`ledger_append` is what apps call, inside the transaction of their own business write, so a
rolled-back write leaves no leaf. The municipality's `LedgerHead` row is locked with
`SELECT … FOR UPDATE` for the rest of that transaction: concurrent appends of one municipality
queue there and get consecutive indexes; other municipalities are not held up. Each append
computes the new perfect-subtree hashes from the head's compact range (O(log n), no read of
older leaves), stores them, and signs the new tree head.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from thesaban.core.audit import audit_record
from thesaban.ledger import keys, merkle
from thesaban.ledger.canonical import canonical_json
from thesaban.ledger.models import LedgerEntry, LedgerHead, LedgerNode
from thesaban.ledger.registry import RecordType, record_types
from thesaban.municipalities.models import Municipality


@dataclass(frozen=True)
class PreparedLeaf:
    """A leaf ready to append: its record type, record and canonical JSON text."""

    record_type: str
    record_model: str
    record_id: str
    leaf: str


def tree_head_message(*, slug: str, root_hash: bytes, timestamp: int, tree_size: int) -> bytes:
    """The bytes an Ed25519 tree-head signature covers (the canonical JSON of the four fields)."""
    return canonical_json(
        {
            "municipality": slug,
            "root_hash": bytes(root_hash).hex(),
            "timestamp": timestamp,
            "tree_size": tree_size,
        }
    ).encode("utf-8")


def _sign_head(head: LedgerHead, municipality: Municipality) -> None:
    head.timestamp = int(time.time() * 1000)
    head.signature = keys.sign(
        head.sealed_key,
        municipality.pk,
        tree_head_message(
            slug=municipality.slug,
            root_hash=bytes(head.root_hash),
            timestamp=head.timestamp,
            tree_size=head.tree_size,
        ),
    )


@transaction.atomic
def ledger_head_ensure(*, municipality: Municipality) -> LedgerHead:
    """The municipality's head, created with a new signing key (and an empty, signed tree) once."""
    head = LedgerHead.objects.filter(municipality=municipality).first()
    if head is not None:
        return head
    sealed = keys.key_generate(municipality.pk)
    head = LedgerHead(
        municipality=municipality,
        tree_size=0,
        root_hash=merkle.EMPTY_ROOT,
        compact_range=b"",
        public_key=sealed.public_key,
        key_salt=sealed.salt,
        key_nonce=sealed.nonce,
        private_key_encrypted=sealed.ciphertext,
    )
    _sign_head(head, municipality)
    try:
        with transaction.atomic():
            head.save()
    except IntegrityError:
        # Another transaction created it first (it waited on the unique index until then).
        return LedgerHead.objects.get(municipality=municipality)
    audit_record(
        action="ledger.key_create",
        municipality=municipality,
        target=head,
        data={"public_key": keys.b64(sealed.public_key)},
    )
    return head


def _locked_head(municipality: Municipality) -> LedgerHead:
    ledger_head_ensure(municipality=municipality)
    return LedgerHead.objects.select_for_update().get(municipality=municipality)


def _record_type_of(record_type: str, record: models.Model) -> RecordType:
    spec = record_types.get(record_type)
    if record._meta.label_lower != spec.model_label:
        raise ValueError(
            f"record type {record_type!r} is for {spec.model}, not {record._meta.label}"
        )
    if record.pk is None:
        raise ValueError("save the record before appending it to the ledger")
    return spec


def prepare_leaf(*, record_type: str, record: models.Model) -> PreparedLeaf:
    """Derive `record`'s leaf through the registry (the same call `verify` makes)."""
    spec = _record_type_of(record_type, record)
    return PreparedLeaf(
        record_type=record_type,
        record_model=spec.model_label,
        record_id=str(record.pk),
        leaf=canonical_json(spec.derive_leaf(record)),
    )


def _check_tenant(municipality: Municipality, record: models.Model) -> None:
    owner = getattr(record, "municipality_id", municipality.pk)
    if owner != municipality.pk:
        raise ValueError("the record belongs to another municipality")


ENTRY_FIELDS = (
    "municipality",
    "index",
    "record_type",
    "record_model",
    "record_id",
    "leaf",
    "leaf_hash",
    "created_at",
)
NODE_FIELDS = ("municipality", "level", "position", "hash")


def _insert(model: type[models.Model], rows: list, fields: tuple[str, ...]) -> None:
    """Insert new rows: `COPY … FROM STDIN` on PostgreSQL for many rows (several times faster
    than a multi-row INSERT through the ORM at 10,000 rows), `bulk_create` otherwise."""
    if not rows:
        return
    if connection.vendor != "postgresql" or len(rows) < 50:
        model.objects.bulk_create(rows, batch_size=1000)
        return
    from psycopg import sql

    columns = [model._meta.get_field(name).column for name in fields]
    attributes = [model._meta.get_field(name).attname for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([getattr(row, name) for name in attributes])


def _append(
    head: LedgerHead, municipality: Municipality, leaves: Sequence[PreparedLeaf]
) -> list[LedgerEntry]:
    """Append `leaves` to the locked `head`: entries, new subtree nodes, signed head."""
    tree = merkle.CompactRange.from_bytes(head.tree_size, bytes(head.compact_range))
    now = timezone.now()
    entries, nodes = [], []
    for item in leaves:
        hashed = merkle.leaf_hash(item.leaf.encode("utf-8"))
        entries.append(
            LedgerEntry(
                municipality_id=municipality.pk,
                index=tree.size,
                record_type=item.record_type,
                record_model=item.record_model,
                record_id=item.record_id,
                leaf=item.leaf,
                leaf_hash=hashed,
                created_at=now,
            )
        )
        nodes.extend(
            LedgerNode(municipality_id=municipality.pk, level=level, position=position, hash=value)
            for level, position, value in tree.append(hashed)
        )
    _insert(LedgerEntry, entries, ENTRY_FIELDS)
    _insert(LedgerNode, nodes, NODE_FIELDS)
    head.tree_size = tree.size
    head.compact_range = tree.to_bytes()
    head.root_hash = tree.root()
    _sign_head(head, municipality)
    head.save(update_fields=["tree_size", "compact_range", "root_hash", "timestamp", "signature"])
    return entries


@transaction.atomic
def ledger_append(
    *, municipality: Municipality, record_type: str, record: models.Model
) -> LedgerEntry:
    """Append `record`'s leaf to `municipality`'s log, inside the caller's transaction.

    Idempotent: if the latest entry of this record already holds the same leaf, that entry is
    returned and nothing is appended (a retried call does not duplicate the leaf).
    """
    _check_tenant(municipality, record)
    prepared = prepare_leaf(record_type=record_type, record=record)
    head = _locked_head(municipality)
    latest = (
        LedgerEntry.objects.filter(
            municipality=municipality,
            record_model=prepared.record_model,
            record_id=prepared.record_id,
        )
        .order_by("-index")
        .first()
    )
    if latest is not None and latest.leaf == prepared.leaf and latest.record_type == record_type:
        return latest
    (entry,) = _append(head, municipality, [prepared])
    entry.municipality = municipality
    return entry


@transaction.atomic
def ledger_append_leaves(
    *, municipality: Municipality, leaves: Sequence[PreparedLeaf]
) -> list[LedgerEntry]:
    """The bulk path: append already prepared leaves in one locked step (same hashes as one by one).

    For loaders and `backfill`. Leaves must come from `prepare_leaf` for `verify` to accept
    them; the benchmark feeds synthetic ones (and says so).
    """
    if not leaves:
        return []
    head = _locked_head(municipality)
    return _append(head, municipality, leaves)


def ledger_backfill(*, municipality: Municipality, batch_size: int = 2000, progress=None) -> int:
    """Append every registered record of `municipality` that is not in its log yet.

    Record types are taken in registration order, each in its `backfill` queryset's order.
    Each batch is its own transaction, so an interrupted backfill resumes where it stopped.
    Returns the number of entries appended.
    """
    appended = 0
    for spec in record_types.all():
        if spec.backfill is None:
            continue
        done = set(
            LedgerEntry.objects.filter(
                municipality=municipality, record_model=spec.model_label
            ).values_list("record_id", flat=True)
        )
        queryset = spec.backfill(municipality)
        if spec.select_related:
            queryset = queryset.select_related(*spec.select_related)
        pending = (record for record in queryset.iterator(chunk_size=batch_size))
        for batch in _batches((r for r in pending if str(r.pk) not in done), batch_size):
            leaves = [prepare_leaf(record_type=spec.name, record=record) for record in batch]
            ledger_append_leaves(municipality=municipality, leaves=leaves)
            appended += len(leaves)
            if progress is not None:
                progress.update(len(leaves))
    if appended:
        audit_record(
            action="ledger.backfill", municipality=municipality, data={"appended": appended}
        )
    return appended


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- pausing automatic appends ----------------------------------------------------------------

_paused: contextvars.ContextVar[bool] = contextvars.ContextVar("ledger_paused", default=False)


@contextlib.contextmanager
def ledger_automatic_appends_paused() -> Iterator[None]:
    """Receivers (report status changes...) append nothing inside this block.

    For loaders that rewrite history afterwards, such as the demo builder, which back-dates the
    events it created: pause, build, back-date, then `ledger_backfill` so the leaves hold the
    final times.
    """
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def automatic_appends_paused() -> bool:
    return _paused.get()
