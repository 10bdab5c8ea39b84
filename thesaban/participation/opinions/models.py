"""Statements participants agree or disagree with, their votes, and the opinion map computed
from them (thesaban/insight/opinion_groups.py does the mathematics)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

MUNICIPALITY = "municipalities.Municipality"
# Pol.is keeps statements short so that one idea is voted on at a time.
STATEMENT_MAX_LENGTH = 140


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(
        "participation.Process",
        on_delete=models.CASCADE,
        related_name="statements",
        verbose_name=_("process"),
    )
    text = models.CharField(_("statement"), max_length=STATEMENT_MAX_LENGTH)
    # A participant's statement; empty when staff seeded it. Never shown in public.
    author = models.ForeignKey(
        "participation.Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    seeded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    moderated_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "process", "text"], name="opinions_statement_unique_text"
            )
        ]
        indexes = [models.Index(fields=["process", "status"], name="opinions_statement_status")]

    def __str__(self) -> str:
        return self.text


class StatementVote(models.Model):
    class Choice(models.IntegerChoices):
        AGREE = 1, _("Agree")
        DISAGREE = -1, _("Disagree")
        PASS = 0, _("Pass / unsure")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(
        "participation.Participant", on_delete=models.CASCADE, related_name="+"
    )
    choice = models.SmallIntegerField(choices=Choice.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "statement", "participant"],
                name="opinions_vote_one_per_participant",
            ),
            models.CheckConstraint(
                condition=models.Q(choice__in=[-1, 0, 1]), name="opinions_vote_choice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.choice:+d} {self.statement_id}"


class OpinionMap(models.Model):
    """The current map of a process (one row, replaced on each recomputation)."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(
        "participation.Process", on_delete=models.CASCADE, related_name="opinion_maps"
    )
    computed_at = models.DateTimeField(_("computed at"))
    # What the map was computed from: the number of votes and the latest vote's time. A task
    # compares them with the votes now to know whether there is anything to do.
    votes_seen = models.PositiveIntegerField(default=0)
    last_vote_at = models.DateTimeField(null=True, blank=True)
    n_participants = models.PositiveIntegerField(default=0)
    n_clustered = models.PositiveIntegerField(default=0)
    k = models.PositiveSmallIntegerField(default=0)
    silhouette = models.FloatField(null=True, blank=True)
    seed = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("opinion map")
        verbose_name_plural = _("opinion maps")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "process"], name="opinions_map_one_per_process"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_id} @ {self.computed_at:%Y-%m-%d %H:%M}"
