"""The transparency ledger's tables: one head per municipality, its entries and stored subtrees.

- `LedgerHead` is the municipality's log state and its lock: every append takes
  `SELECT … FOR UPDATE` on it, so indexes are unique and gap-free per municipality without a
  global lock. It holds the signed tree head and the compact range (the roots of the perfect
  subtrees of the current tree) from which the next append's new nodes are computed.
- `LedgerEntry` is one leaf: the canonical JSON text, its RFC 9162 leaf hash and which record
  it was derived from (so `thesaban ledger verify` can derive it again).
- `LedgerNode` stores the hash of every perfect subtree (level ≥ 1) once it is complete; any
  proof or older root is then O(log² n) stored hashes, never a scan of the leaves.

Rows are written only by `thesaban.ledger.services`; nothing updates or deletes an entry.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from thesaban.ledger import keys

MUNICIPALITY = "municipalities.Municipality"


class LedgerHead(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    tree_size = models.BigIntegerField(default=0)
    root_hash = models.BinaryField(max_length=32)
    compact_range = models.BinaryField(default=b"")
    timestamp = models.BigIntegerField(help_text="milliseconds since 1970-01-01 UTC, signed")
    signature = models.BinaryField(max_length=64)
    public_key = models.BinaryField(max_length=32)
    key_salt = models.BinaryField(max_length=16)
    key_nonce = models.BinaryField(max_length=12)
    private_key_encrypted = models.BinaryField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger heads")
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="ledgerhead_unique_municipality")
        ]

    def __str__(self) -> str:
        return f"ledger of {self.municipality_id}: {self.tree_size} entries"

    @property
    def sealed_key(self) -> keys.SealedKey:
        return keys.SealedKey(
            bytes(self.public_key),
            bytes(self.key_salt),
            bytes(self.key_nonce),
            bytes(self.private_key_encrypted),
        )


class LedgerEntry(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    index = models.BigIntegerField(_("index"))
    record_type = models.CharField(_("record type"), max_length=64)
    record_model = models.CharField(max_length=100)  # "app_label.modelname"
    record_id = models.CharField(max_length=64)
    leaf = models.TextField(_("leaf"))
    leaf_hash = models.BinaryField(max_length=32)
    created_at = models.DateTimeField(_("appended at"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["index"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "index"], name="ledgerentry_unique_index"
            )
        ]
        indexes = [
            models.Index(
                fields=["municipality", "record_model", "record_id", "index"],
                name="ledgerentry_record",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.record_type}"

    def get_absolute_url(self) -> str:
        """The public page of this entry (with its proof and how to check it)."""
        return reverse(
            "ledger:entry", kwargs={"municipality": self.municipality.slug, "index": self.index}
        )

    def get_json_url(self) -> str:
        return reverse(
            "ledger:entry_json",
            kwargs={"municipality": self.municipality.slug, "index": self.index},
        )

    @property
    def leaf_hash_hex(self) -> str:
        return bytes(self.leaf_hash).hex()


class LedgerNode(models.Model):
    """The hash of the perfect subtree of leaves [position·2^level, (position+1)·2^level)."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    position = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "level", "position"], name="ledgernode_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"node {self.level}/{self.position}"
