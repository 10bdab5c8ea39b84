from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MUNICIPALITY = "municipalities.Municipality"


class ApiKey(models.Model):
    """An integrator's key for one municipality (Open311 `api_key`, JSON API `X-Api-Key`)."""

    municipality = models.ForeignKey(
        MUNICIPALITY,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("integrator"), max_length=100)
    # The first characters of the key, shown in lists so people can tell keys apart.
    prefix = models.CharField(_("key starts with"), max_length=16, editable=False)
    key_digest = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key_digest"], name="channels_apikey_unique_digest"
            )
        ]
        indexes = [models.Index(fields=["key_digest"], name="channels_apikey_digest")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Token(models.Model):
    """The token an integrator chose for one Open311 POST (its `Idempotency-Key` header).

    Every service is `realtime`, so a POST answers with the service_request_id itself; the
    token lets a client whose connection dropped ask `tokens/<token>` which request its POST
    created, without sending it again. Retries with the same token return the same request.
    """

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="open311_tokens")
    token = models.CharField(max_length=64)
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "api_key", "token"], name="channels_open311token_unique"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "token"], name="channels_open311token_lookup")
        ]

    def __str__(self) -> str:
        return self.token
