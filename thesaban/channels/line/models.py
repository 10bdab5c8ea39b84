"""A municipality's LINE Official Account, the events its webhook has processed, and the
conversations residents are having with it.

The LINE user id is personal data (PDPA): it is kept only on `LineConversation` (to continue a
conversation) and on the notification subscription the reporter agreed to; it is never shown
on a public page, export or API.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MUNICIPALITY = "municipalities.Municipality"


class LineChannel(models.Model):
    """The Messaging API channel of one municipality. Entered by its administrators on a
    staff page; the secret and the token are never shown again after saving."""

    municipality = models.ForeignKey(
        MUNICIPALITY, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    # Verifies X-Line-Signature (HMAC-SHA256 of the raw body).
    channel_secret = models.CharField(_("channel secret"), max_length=100, editable=False)
    # Long-lived channel access token used for reply, push and content.
    access_token = models.CharField(_("channel access token"), max_length=500, editable=False)
    # The last four characters, so administrators can tell which secret is in use.
    secret_hint = models.CharField(max_length=4, blank=True, editable=False)
    token_hint = models.CharField(max_length=4, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("LINE channel")
        verbose_name_plural = _("LINE channels")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"], name="line_channel_one_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"LINE channel of {self.municipality_id}"

    @property
    def is_configured(self) -> bool:
        return bool(self.channel_secret and self.access_token)


class LineWebhookEvent(models.Model):
    """One processed webhook event. The unique `webhook_event_id` makes a redelivered event a
    no-op. Holds no personal data (no user id, no message text)."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    webhook_event_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=40)
    is_redelivery = models.BooleanField(default=False)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("LINE webhook event")
        verbose_name_plural = _("LINE webhook events")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "webhook_event_id"], name="line_event_unique_id"
            )
        ]
        indexes = [models.Index(fields=["municipality", "received_at"], name="line_event_time")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_event_id}"


class LineConversation(models.Model):
    """Where one LINE user is in reporting a problem, and the draft so far.

    One row per user and municipality; the row (and so the user's language) survives a
    finished or cancelled report, only the draft is cleared. A draft untouched for
    `LINE_CONVERSATION_TIMEOUT_MINUTES` is discarded at the user's next message.
    """

    class Step(models.TextChoices):
        IDLE = "idle", _("Not reporting")
        CATEGORY = "category", _("Choosing a category")
        DESCRIPTION = "description", _("Describing the problem")
        LOCATION = "location", _("Sharing the location")
        PHOTO = "photo", _("Sending photos")
        CONSENT = "consent", _("Asked for consent")
        CONFIRM = "confirm", _("Confirming")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    line_user_id = models.CharField(max_length=64)  # personal data
    language = models.CharField(max_length=5, default="th")
    step = models.CharField(max_length=20, choices=Step.choices, default=Step.IDLE)
    category = models.ForeignKey(
        "reports.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category_page = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(blank=True, max_length=2000)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    contact_consent = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("LINE conversation")
        verbose_name_plural = _("LINE conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "line_user_id"], name="line_conversation_unique_user"
            )
        ]
        indexes = [models.Index(fields=["municipality", "updated_at"], name="line_conv_updated")]

    def __str__(self) -> str:
        return f"conversation {self.pk} ({self.step})"


class LineDraftPhoto(models.Model):
    """A photo sent during a conversation, already checked and re-encoded (reports/photos.py),
    waiting for the report to be confirmed."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        LineConversation, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"draft photo {self.pk}"
