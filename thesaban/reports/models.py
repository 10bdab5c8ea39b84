"""Problem reports (Phanom Service+ / Traffy-style): what residents report and staff resolve."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from thesaban.reports.questions import validate_questions
from thesaban.reports.workflow import Status

MUNICIPALITY = "municipalities.Municipality"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Category(models.Model):
    municipality = models.ForeignKey(
        MUNICIPALITY, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.SlugField(_("code"), max_length=50)
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    icon = models.CharField(
        _("icon"), max_length=8, default="📍", help_text=_("An emoji shown beside the name.")
    )
    department = models.ForeignKey(
        "municipalities.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="categories",
        verbose_name=_("responsible department"),
    )
    sla_hours = models.PositiveIntegerField(
        _("SLA (hours)"), default=72, validators=[MinValueValidator(1)]
    )
    severity = models.PositiveSmallIntegerField(
        _("severity"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (minor) to 5 (danger to life); raises priority in triage."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Extra questions this category asks (Open311 service definition attributes); the format
    # and its validation are in reports/questions.py.
    questions = models.JSONField(
        _("extra questions"),
        default=list,
        blank=True,
        validators=[validate_questions],
        help_text=_(
            'A JSON list, e.g. [{"code": "colour", "datatype": "singlevaluelist", '
            '"required": true, "label_th": "…", "label_en": "…", "order": 1, "values": '
            '[{"key": "brown", "name_th": "…", "name_en": "…"}]}]. Types: string, number, '
            "datetime, text, singlevaluelist, multivaluelist."
        ),
    )
    notice_th = models.CharField(_("notice to reporters (Thai)"), max_length=300, blank=True)
    notice_en = models.CharField(_("notice to reporters (English)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "name_th"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="category_unique_code"),
            models.UniqueConstraint(fields=["municipality", "id"], name="category_unique_muni_id"),
        ]

    def __str__(self) -> str:
        return f"{self.icon} {self.name_th}"


class RoutingRule(models.Model):
    """Routes a category in one community to a department other than the category's default."""

    municipality = models.ForeignKey(
        MUNICIPALITY, on_delete=models.CASCADE, related_name="routing_rules"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    community = models.ForeignKey(
        "municipalities.Community", on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "municipalities.Department", on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "category", "community"], name="routingrule_unique_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category_id} @ {self.community_id} -> {self.department_id}"


class ReportSequence(models.Model):
    """The last tracking number used per municipality and Buddhist-era year."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    year_be = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "year_be"], name="reportsequence_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}/{self.year_be}: {self.last_number}"


class Report(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        LINE = "line", _("LINE")
        API = "api", _("API")
        OPEN311 = "open311", _("Open311")
        ASSISTED = "assisted", _("Assisted (digital centre)")
        PHONE = "phone", _("Telephone")
        WALK_IN = "walk_in", _("Walk-in")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="reports")
    tracking_code = models.CharField(_("tracking code"), max_length=32)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="reports", verbose_name=_("category")
    )
    department = models.ForeignKey(
        "municipalities.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("department"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
        verbose_name=_("officer"),
    )
    community = models.ForeignKey(
        "municipalities.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("community"),
    )
    description = models.TextField(_("description"), max_length=5000)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address or landmark"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB
    )

    # Personal data: never rendered on public pages, feeds or exports.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    reporter_name = models.CharField(_("name"), max_length=150, blank=True)
    reporter_email = models.EmailField(_("e-mail"), blank=True)
    reporter_phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_anonymous = models.BooleanField(
        _("stay anonymous to the public"),
        default=True,
        help_text=_("Staff still see your contact details so they can ask questions."),
    )
    follow_token = models.CharField(max_length=64, default=new_token, editable=False)
    # Set by the client (form token, API Idempotency-Key): a retried submission returns the
    # report the first attempt created instead of creating a second one.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # Answers to the category's extra questions, keyed by question code.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # A photo the reporter's app hosts elsewhere (Open311 `media_url`).
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    # Who brought the report in, when it was not the reporter on the web.
    api_key = models.ForeignKey(
        "channels.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("API key"),
    )
    assisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assisted_reports",
        verbose_name=_("assisted by"),
    )
    # Private identifiers an integrator sent (Open311 device_id, account_id): never shown.
    external_ref = models.JSONField(default=dict, blank=True, editable=False)

    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    comment_count = models.PositiveIntegerField(default=0)

    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    sla_due_at = models.DateTimeField(_("SLA due"))
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)

    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfaction_comment = models.TextField(_("comment on the result"), blank=True, max_length=2000)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "tracking_code"], name="report_unique_tracking"
            ),
            models.UniqueConstraint(fields=["municipality", "id"], name="report_unique_muni_id"),
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="report_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "status", "department"], name="report_queue"),
            models.Index(
                fields=["municipality", "category", "submitted_at"], name="report_cat_time"
            ),
            # Covering indexes: the public map and the dashboard read only these columns, so
            # they never touch the table (bench/bench_reports.py measures it on 1M reports).
            models.Index(
                fields=["municipality", "lat", "lng", "status", "tracking_code"], name="report_map"
            ),
            models.Index(
                fields=[
                    "municipality",
                    "submitted_at",
                    "status",
                    "resolved_at",
                    "sla_due_at",
                    "satisfaction",
                ],
                name="report_muni_time_stats",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        from thesaban.reports.workflow import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    @property
    def sla_breached(self) -> bool:
        from django.utils import timezone

        if self.resolved_at:
            return self.resolved_at > self.sla_due_at
        if self.is_open:
            return timezone.now() > self.sla_due_at
        return False


class ReportPhoto(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="reports/%Y/%m/")
    thumbnail = models.ImageField(upload_to="reports/%Y/%m/thumbs/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    # Photos of the work done, posted by staff when resolving.
    by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name


class ReportEvent(models.Model):
    """The report's timeline: status changes, notes, assignments, merges, ratings."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Report submitted")
        STATUS = "status", _("Status changed")
        NOTE = "note", _("Note")
        ASSIGNED = "assigned", _("Assigned")
        MERGED = "merged", _("Merged")
        RATED = "rated", _("Rated")
        REOPENED = "reopened", _("Reopened")
        CATEGORY = "category", _("Category changed")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(blank=True, max_length=5000)
    is_public = models.BooleanField(default=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["municipality", "report", "created_at"], name="reportevent_timeline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}->{self.to_status}"


class ReportSupport(models.Model):
    """ "Me too": one per resident per report; the count raises the report's priority."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "report", "user"], name="reportsupport_unique_user"
            )
        ]

    def __str__(self) -> str:
        return f"support {self.report_id} by {self.user_id}"


class ReportFollower(models.Model):
    """Someone told of changes by e-mail: a signed-in user or an address given without an account."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    unsubscribe_token = models.CharField(max_length=64, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "report", "user"],
                condition=models.Q(user__isnull=False),
                name="reportfollower_unique_user",
            ),
            models.UniqueConstraint(
                fields=["municipality", "report", "email"],
                condition=models.Q(user__isnull=True),
                name="reportfollower_unique_email",
            ),
        ]

    def __str__(self) -> str:
        return f"follower of {self.report_id}"


class ReportComment(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=2000)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:50]
