"""What the JSON API itself stores: the outcome of writes sent with an `Idempotency-Key`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """One write made with an `Idempotency-Key` header.

    A retry with the same key and the same request gets the stored answer instead of doing the
    write twice; the same key with a different request is refused. Keys are namespaced by who
    sent them (a person's token, an integrator's key, or nobody), so two clients choosing the
    same key never see each other's answers.
    """

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    # SHA-256 of the caller and the key, so the raw key is never stored.
    key_digest = models.CharField(max_length=64)
    # SHA-256 of the operation, the path and the validated body.
    request_digest = models.CharField(max_length=64)
    operation = models.CharField(max_length=100)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict, blank=True)
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key_digest"], name="channels_api_idempotency_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key_digest[:8]}"
