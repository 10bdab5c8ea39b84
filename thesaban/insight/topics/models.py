"""One computation of the themes in a process's comments (or in one document section's)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TopicAnalysis(models.Model):
    """Every request makes a new row, so what was shown (and published) stays reproducible:
    the seed, the parameters and a fingerprint of the comments it read are kept with it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Computing")
        READY = "ready", _("Computed")
        FAILED = "failed", _("Could not be computed")

    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    process = models.ForeignKey(
        "participation.Process", on_delete=models.CASCADE, related_name="topic_analyses"
    )
    # Empty: every comment of the process; else the comments on this one section.
    section = models.ForeignKey(
        "participation.DocumentSection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="topic_analyses",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=20, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    seed = models.PositiveIntegerField()
    input_fingerprint = models.CharField(max_length=64, blank=True)
    n_comments = models.PositiveIntegerField(default=0)
    # clustering.Analysis.as_dict(): status ("ready" / "too_few"), k, silhouette, themes...
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    is_public = models.BooleanField(_("shown on the public page"), default=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("theme analysis")
        verbose_name_plural = _("theme analyses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["municipality", "process", "section", "-created_at"],
                name="topics_analysis_scope",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="topics_analysis_progress"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_id}/{self.section_id or '*'} {self.status}"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def themes(self) -> list[dict]:
        return list((self.result or {}).get("themes") or [])

    @property
    def has_themes(self) -> bool:
        return self.status == self.Status.READY and bool(self.themes)

    @property
    def too_few(self) -> bool:
        return self.status == self.Status.READY and (self.result or {}).get("status") == "too_few"
