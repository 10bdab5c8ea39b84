"""The category suggester as stored data: trained models with their versions, metrics and
artefacts; the mapping of a model's labels to a municipality's categories; and the suggestion
shown on each report with what staff decided about it (docs/insight-categoriser.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MUNICIPALITY = "municipalities.Municipality"


class CategoriserModel(models.Model):
    """One trained version of the categoriser. `municipality` is null for a site-wide model
    (the shipped default built from the seed corpus, or one trained from a public export with
    the CLI); a municipality's own models are trained from its confirmed reports."""

    class Source(models.TextChoices):
        SHIPPED = "shipped", _("Shipped default (seed corpus)")
        CONFIRMED_REPORTS = "confirmed_reports", _("Confirmed reports")
        CSV = "csv", _("CSV file")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        TRAINING = "training", _("Training")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # Null: site-wide (see NOT_TENANT_OWNED in tests/test_architecture.py). Tenant rows are
    # only ever fetched through insight/access.py, scoped to the request's municipality.
    municipality = models.ForeignKey(
        MUNICIPALITY, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"))
    source = models.CharField(_("trained from"), max_length=20, choices=Source.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=False)

    algorithm = models.CharField(max_length=100, blank=True)
    algorithm_version = models.CharField(max_length=50, blank=True)
    seed = models.IntegerField(default=0)
    data_fingerprint = models.CharField(max_length=64, blank=True)
    n_examples = models.PositiveIntegerField(default=0)
    labels = models.JSONField(default=list, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # {"holdout": {...evaluate() of this model...}, "baseline": {...of the model active when
    # this one was trained, on the same holdout...} | None, "baseline_model": {id, version}}
    metrics = models.JSONField(default=dict, blank=True)
    artifact = models.BinaryField(null=True, blank=True, editable=False)
    error = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("category model")
        verbose_name_plural = _("category models")
        ordering = ["-version"]
        constraints = [
            # NULLs are distinct, so these bind municipalities' models only; for site-wide
            # rows the services number versions and keep one active under a row lock.
            models.UniqueConstraint(
                fields=["municipality", "version"], name="categorisermodel_unique_version"
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(is_active=True),
                name="categorisermodel_one_active",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "is_active"], name="categorisermodel_active")
        ]

    def __str__(self) -> str:
        scope = self.municipality_id or "site"
        return f"categoriser {scope} v{self.version}"

    @property
    def is_site_wide(self) -> bool:
        return self.municipality_id is None

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.TRAINING}

    @property
    def holdout(self) -> dict:
        return (self.metrics or {}).get("holdout") or {}

    @property
    def baseline(self) -> dict:
        return (self.metrics or {}).get("baseline") or {}


class CategoryLabel(models.Model):
    """A municipality's override: this model label means this category here."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("model label"), max_length=100)
    category = models.ForeignKey(
        "reports.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )

    class Meta:
        verbose_name = _("category label mapping")
        verbose_name_plural = _("category label mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "label"], name="categorylabel_unique_label"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} -> {self.category_id}"


class CategorySuggestion(models.Model):
    """The current suggestion for one report, and what a person decided about it. It never
    changes the report: staff confirm or correct the category themselves."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not yet decided")
        CONFIRMED = "confirmed", _("Confirmed")
        CORRECTED = "corrected", _("Corrected")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    report = models.ForeignKey(
        "reports.Report", on_delete=models.CASCADE, related_name="category_suggestions"
    )
    model = models.ForeignKey(
        CategoriserModel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=100)
    category = models.ForeignKey(
        "reports.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "municipalities.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    probability = models.FloatField(default=0.0)
    # [{"label", "probability", "category_id", "code", "name_th", "name_en"}] best first
    top = models.JSONField(default=list, blank=True)
    # [[word, weight], ...] the words that pushed towards the suggested label
    reasons = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    final_category = models.ForeignKey(
        "reports.Category", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("category suggestion")
        verbose_name_plural = _("category suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "report"], name="categorysuggestion_unique_report"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "decision"], name="categorysuggestion_decision")
        ]

    def __str__(self) -> str:
        return f"suggestion {self.report_id}: {self.label} ({self.probability:.2f})"

    @property
    def is_pending(self) -> bool:
        return self.decision == self.Decision.PENDING
