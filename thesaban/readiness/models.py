"""Digital readiness: indicator sets, assessments with their evidence, the resident survey on
public value, networks of municipalities and each municipality's choice to publish results.

Two models are platform-wide by design, like Municipality itself: an `IndicatorSet` (the
instrument is shared so that a network compares like with like) and a `Network` (a province
or group of municipalities). Everything else carries its municipality.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MUNICIPALITY = "municipalities.Municipality"


class IndicatorSet(models.Model):
    """One version of the instrument. Never changed once saved: an edit is a new version."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    label_th = models.CharField(_("name (Thai)"), max_length=200)
    label_en = models.CharField(_("name (English)"), max_length=200)
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(max_length=64, editable=False)
    source = models.CharField(
        _("source"), max_length=100, help_text=_("The project file it was loaded from, or “admin”.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} {self.label_th}"


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COMPLETED = "completed", _("Completed")

    municipality = models.ForeignKey(
        MUNICIPALITY, on_delete=models.CASCADE, related_name="readiness_assessments"
    )
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, related_name="assessments"
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Frozen when the assessment is completed: live values and scores never change afterwards.
    scores = models.JSONField(default=dict, blank=True)
    dmi_score = models.FloatField(_("DMI score"), null=True, blank=True)
    maturity = models.CharField(_("maturity level"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "id"], name="assessment_unique_muni_id")
        ]
        indexes = [
            models.Index(
                fields=["municipality", "status", "period_end"], name="assessment_by_status"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class Answer(models.Model):
    """One indicator of one assessment: the chosen level and evidence, or a live measurement."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator_code = models.CharField(max_length=64)
    level = models.PositiveSmallIntegerField(
        _("level"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(4)]
    )
    evidence_text = models.TextField(_("evidence"), blank=True, max_length=5000)
    evidence_link = models.URLField(_("evidence link"), blank=True, max_length=500)
    # Live indicators: {"value", "numerator", "denominator", "note", "period_start", ...}.
    measurement = models.JSONField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "assessment", "indicator_code"],
                name="answer_unique_indicator",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_code}: {self.level}"


class EvidenceFile(models.Model):
    """A document attached as evidence. Kept in the database, not the public media folder:
    evidence is internal to the municipality's staff, and every app server sees it."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "id"], name="evidencefile_unique_muni_id"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Network(models.Model):
    """A province or a group (e.g. smart-city pilots) whose members compare their readiness."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        GROUP = "group", _("Group")

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.GROUP)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name_th"]

    def __str__(self) -> str:
        return self.name_th


class NetworkMembership(models.Model):
    municipality = models.ForeignKey(
        MUNICIPALITY, on_delete=models.CASCADE, related_name="network_memberships"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "network"], name="networkmembership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} in {self.network_id}"


class Publication(models.Model):
    """Whether the municipality's readiness results are public (network pages, its own page)."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    results_public = models.BooleanField(_("publish our readiness results"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="publication_one_per_muni")
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}: {'public' if self.results_public else 'private'}"


class SurveyRound(models.Model):
    """A round of the resident survey on trust and satisfaction (public value)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The questions as they were when the round started (a later indicator set may change them).
    items = models.JSONField(default=list)
    scale = models.JSONField(default=dict)
    sample_size = models.PositiveIntegerField(_("sample size"))
    frame_size = models.PositiveIntegerField(default=0)
    # The random seed of the draw, kept so anyone can repeat it (docs/readiness.md).
    seed = models.BigIntegerField(default=0)
    strata = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "id"], name="surveyround_unique_muni_id"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SurveyInvitation(models.Model):
    """A resident drawn into a round's sample."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        "municipalities.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "round", "user"], name="surveyinvitation_unique_user"
            )
        ]

    def __str__(self) -> str:
        return f"invitation {self.round_id}/{self.user_id}"


class SurveyResponse(models.Model):
    """One resident's answers in one round: the database refuses a second one."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    community = models.ForeignKey(
        "municipalities.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answers = models.JSONField(default=dict)  # item code -> 1..5
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "round", "respondent"],
                name="surveyresponse_one_per_resident",
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "submitted_at"], name="surveyresponse_by_time")
        ]

    def __str__(self) -> str:
        return f"response {self.round_id}/{self.respondent_id}"
