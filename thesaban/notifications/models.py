"""Subscriptions, announcements, webhook endpoints and the durable outbox.

The outbox is two tables written in the same transaction as the business change they are
about: a `Notification` (one event: a report changed, an announcement was published) and its
`Delivery` rows (one per channel and recipient). Workers claim deliveries with a lease, send
them, and record the outcome; see `outbox.py` and docs/notifications.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MUNICIPALITY = "municipalities.Municipality"

EVENT_TYPES = {
    "report.created": _("A new report"),
    "report.status_changed": _("A report's status changed"),
    "report.note_added": _("A public reply on a report"),
    "announcement.published": _("An announcement was published"),
}


class Subscription(models.Model):
    """Someone who wants to hear about an area, a category, one report or the whole town.

    The scope is at most one of `report`, `community`, `category`; none means the whole
    municipality (its announcements). The recipient is a signed-in `user` (e-mail goes to the
    account's address) or an `address` on the channel (an e-mail address, a LINE user id).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Active")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=20)
    address = models.CharField(_("address"), max_length=254, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_subscriptions",
    )
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(
        "municipalities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    category = models.ForeignKey(
        "reports.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    # "report:<id>", "community:<id>", "category:<id>" or "municipality": one column the
    # unique constraint and the fan-out queries can use on every database (NULLs are distinct).
    scope_key = models.CharField(max_length=40, editable=False)
    # "user:<id>" or "address:<address>": the same person subscribes once per scope and channel.
    recipient_key = models.CharField(max_length=270, editable=False)
    language = models.CharField(_("language"), max_length=5, default="th")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "channel", "recipient_key", "scope_key"],
                name="subscription_unique_scope",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "scope_key", "status"], name="subscription_fanout")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.scope_key}"

    @property
    def scope_kind(self) -> str:
        return self.scope_key.split(":", 1)[0]


class Announcement(models.Model):
    """A notice from the municipality (a water cut, a road closure) to an area's subscribers."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    title_th = models.CharField(_("title (Thai)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_th = models.TextField(_("message (Thai)"), max_length=4000)
    body_en = models.TextField(_("message (English)"), max_length=4000, blank=True)
    whole_municipality = models.BooleanField(_("the whole municipality"), default=False)
    communities = models.ManyToManyField(
        "municipalities.Community", blank=True, related_name="+", verbose_name=_("communities")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title_th

    def title(self, language: str) -> str:
        return (self.title_en if language == "en" else "") or self.title_th

    def body(self, language: str) -> str:
        return (self.body_en if language == "en" else "") or self.body_th


class WebhookEndpoint(models.Model):
    """An integrator's URL that receives signed JSON for the event types it chose."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Kept to sign each request (HMAC needs the key itself); shown to the administrator once.
    secret = models.CharField(max_length=64, editable=False)
    event_types = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Notification(models.Model):
    """One event that people are told about; written with the change it is about."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=50)
    # What the event is ("report-event:<id>", "announcement:<id>"): recording it twice is a no-op.
    event_key = models.CharField(max_length=100)
    report = models.ForeignKey(
        "reports.Report", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    announcement = models.ForeignKey(
        Announcement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The machine-readable event, public data only (what a webhook receives as "data").
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "event_key"], name="notification_unique_event"
            )
        ]

    def __str__(self) -> str:
        return self.event_key


class Delivery(models.Model):
    """One message to one recipient on one channel: the unit workers claim, send and retry."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Failed")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=20)
    address = models.CharField(max_length=254)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A UUID derived from (event, channel, address): the same on every attempt and on a fan-out
    # run twice, sent to the receiver (Message-ID, X-Thesaban-Delivery, X-Line-Retry-Key).
    idempotency_key = models.CharField(max_length=36)
    language = models.CharField(max_length=5, default="th")
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=False
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "notification", "channel", "address"],
                name="delivery_unique_recipient",
            ),
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"], name="delivery_unique_key"
            ),
        ]
        indexes = [
            # The claim query: due pending rows, and rows whose lease ran out.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["status", "lease_until"], name="delivery_lease"),
            models.Index(fields=["municipality", "status", "created_at"], name="delivery_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.idempotency_key} {self.status}"
