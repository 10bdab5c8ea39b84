"""Polls (e-Polling) and participatory budgets, with secret ballots.

Secret ballot design (docs/voting.md has the threat model):

- *Who voted* is a participation row (`PollParticipation`, `BudgetParticipation`): poll or
  budget, user, time. It exists so that one person casts one ballot, and so that a count of
  participants can be shown. No page lists these rows.
- *What was voted* is a ballot row (`PollBallot` + `PollBallotChoice`, `BudgetBallot` +
  `BudgetBallotLine`) with **no user column and no timestamp**, and a random UUID key (not a
  sequence) so neither ids nor times line ballots up with participation rows. The ballot is
  found again (to change a poll vote, or to fill a budget basket) by `voter_key`, an HMAC of
  (kind, poll or budget id, user id) under a server secret (`thesaban.participation.voting.
  secrecy`): the database alone cannot join the two tables.
- One ballot per person is enforced twice by the database: unique (poll, user) on the
  participation row and unique (poll, voter_key) on the ballot row, both written in the same
  transaction.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MUNICIPALITY = "municipalities.Municipality"


class Eligibility(models.TextChoices):
    ANY_ACCOUNT = "any", _("Anyone with an account")
    VERIFIED = "verified", _("Residents with a verified national ID")
    COMMUNITY = "community", _("Residents of one community")


class CommunityCheck(models.TextChoices):
    DECLARED = "declared", _("The community the person declared")
    VERIFIED = "verified", _("Only a community checked by staff")


class ResultsVisibility(models.TextChoices):
    LIVE = "live", _("While voting is open")
    AFTER_CLOSE = "after_close", _("Only after voting closes")


class VotingWindow(models.Model):
    """What polls and budgets share: the process they belong to, their dates, who may vote,
    when results show, and the tally published at the end."""

    municipality = models.ForeignKey(
        MUNICIPALITY, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    process = models.ForeignKey(
        "participation.Process",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("process"),
    )
    title_th = models.CharField(_("title (Thai)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    opens_at = models.DateTimeField(_("voting opens"))
    closes_at = models.DateTimeField(_("voting closes"))
    is_published = models.BooleanField(_("shown to the public"), default=False)
    eligibility = models.CharField(
        _("who may vote"), max_length=12, choices=Eligibility.choices, default=Eligibility.VERIFIED
    )
    community = models.ForeignKey(
        "municipalities.Community",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
        help_text=_("Only for “residents of one community”."),
    )
    community_check = models.CharField(
        _("community membership"),
        max_length=10,
        choices=CommunityCheck.choices,
        default=CommunityCheck.VERIFIED,
    )
    results_visibility = models.CharField(
        _("results shown"),
        max_length=12,
        choices=ResultsVisibility.choices,
        default=ResultsVisibility.AFTER_CLOSE,
    )
    # The tally as published by staff after closing; `selectors.*_recount` recomputes it from
    # the stored ballots and compares.
    published_tally = models.JSONField(_("published tally"), null=True, blank=True, editable=False)
    results_published_at = models.DateTimeField(
        _("results published"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title_th

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at

    def has_closed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def results_visible(self, now=None) -> bool:
        if self.results_published_at is not None:
            return True
        if self.results_visibility == ResultsVisibility.LIVE:
            return (now or timezone.now()) >= self.opens_at
        return self.has_closed(now)


class Poll(VotingWindow):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        RANKED = "ranked", _("Ranked choice (instant runoff)")

    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    max_choices = models.PositiveSmallIntegerField(
        _("most options a voter may choose or rank"),
        default=0,
        help_text=_("Multiple choice: the maximum (at least 2). Ranked: 0 ranks every option."),
    )
    allows_change = models.BooleanField(
        _("voters may change their ballot until closing"), default=True
    )

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="voting_poll_closes_after_opening",
                violation_error_message=_("Voting must close after it opens."),
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse(
            "voting:poll", kwargs={"municipality": self.municipality.slug, "poll_id": self.pk}
        )


class PollOption(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("poll")
    )
    title_th = models.CharField(_("option (Thai)"), max_length=200)
    title_en = models.CharField(_("option (English)"), max_length=200, blank=True)
    description_th = models.TextField(_("explanation (Thai)"), blank=True)
    description_en = models.TextField(_("explanation (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order on the ballot"), default=0)

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ["poll", "order", "id"]

    def __str__(self) -> str:
        return self.title_th

    def get_absolute_url(self) -> str:
        return f"{self.poll.get_absolute_url()}#option-{self.pk}"


class PollParticipation(models.Model):
    """Who voted (never what): one row per person and poll."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    voted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "poll", "user"], name="voting_poll_one_participation"
            )
        ]

    def __str__(self) -> str:
        return f"participation in poll {self.poll_id}"  # never the person


class PollBallot(models.Model):
    """What was voted (never who): no user, no time, a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(max_length=64, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "poll", "voter_key"], name="voting_poll_one_ballot"
            )
        ]

    def __str__(self) -> str:
        return f"ballot of poll {self.poll_id}"  # never the key


class PollBallotChoice(models.Model):
    """One chosen option of a ballot. `rank` is the preference (1 = first) for ranked choice;
    for single and multiple choice it only numbers the choices 1, 2, … in ballot order."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    ballot = models.ForeignKey(PollBallot, on_delete=models.CASCADE, related_name="choices")
    # Denormalised from the ballot so the tally is one grouped scan of this table.
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "ballot", "option"], name="voting_choice_option_once"
            ),
            models.UniqueConstraint(
                fields=["municipality", "ballot", "rank"], name="voting_choice_rank_once"
            ),
        ]
        indexes = [models.Index(fields=["poll", "option"], name="voting_choice_poll_option")]

    def __str__(self) -> str:
        return f"choice {self.rank} of a ballot of poll {self.poll_id}"


class Budget(VotingWindow):
    """A participatory budget: an amount, projects with costs, and Decidim's voting rules."""

    total = models.DecimalField(_("budget (baht)"), max_digits=14, decimal_places=2)
    min_spend_percent = models.PositiveSmallIntegerField(
        _("minimum share of the budget a ballot must spend (%)"),
        default=0,
        help_text=_("0: no minimum."),
    )
    min_projects = models.PositiveSmallIntegerField(_("minimum number of projects"), default=1)
    max_projects = models.PositiveSmallIntegerField(
        _("maximum number of projects"), default=0, help_text=_("0: no maximum.")
    )

    class Meta:
        verbose_name = _("participatory budget")
        verbose_name_plural = _("participatory budgets")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="voting_budget_closes_after_opening",
                violation_error_message=_("Voting must close after it opens."),
            ),
            models.CheckConstraint(
                condition=models.Q(min_spend_percent__lte=100),
                name="voting_budget_percent_at_most_100",
                violation_error_message=_("A share of the budget is at most 100 %."),
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse(
            "voting:budget", kwargs={"municipality": self.municipality.slug, "budget_id": self.pk}
        )

    @property
    def min_spend(self):
        from decimal import Decimal

        return (self.total * Decimal(self.min_spend_percent) / Decimal(100)).quantize(
            Decimal("0.01")
        )


class BudgetProject(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="projects", verbose_name=_("budget")
    )
    title_th = models.CharField(_("title (Thai)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    cost = models.DecimalField(_("cost (baht)"), max_digits=14, decimal_places=2)
    category_th = models.CharField(_("category (Thai)"), max_length=100, blank=True)
    category_en = models.CharField(_("category (English)"), max_length=100, blank=True)
    address = models.CharField(_("place"), max_length=255, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    # Numbers of the proposals of the same process that led to the project (a number, not a
    # foreign key, so this app's migrations do not depend on the proposals' ones).
    proposal_numbers = models.JSONField(_("proposals it comes from"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("budget project")
        verbose_name_plural = _("budget projects")
        ordering = ["budget", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost__gt=0),
                name="voting_project_cost_positive",
                violation_error_message=_("The cost must be more than 0 baht."),
            )
        ]

    def __str__(self) -> str:
        return self.title_th

    def get_absolute_url(self) -> str:
        return reverse(
            "voting:project",
            kwargs={
                "municipality": self.municipality.slug,
                "budget_id": self.budget_id,
                "project_id": self.pk,
            },
        )


class BudgetParticipation(models.Model):
    """Who checked out a budget ballot (never what): created at checkout."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    checked_out_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "budget", "user"], name="voting_budget_one_participation"
            )
        ]

    def __str__(self) -> str:
        return f"participation in budget {self.budget_id}"  # never the person


class BudgetBallot(models.Model):
    """A basket, then (checked out) a ballot. One per person and budget, keyed by
    `voter_key`; no user, no time, a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(max_length=64, editable=False)
    checked_out = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "budget", "voter_key"], name="voting_budget_one_ballot"
            )
        ]

    def __str__(self) -> str:
        return f"ballot of budget {self.budget_id}"  # never the key


class BudgetBallotLine(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    ballot = models.ForeignKey(BudgetBallot, on_delete=models.CASCADE, related_name="lines")
    project = models.ForeignKey(BudgetProject, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "ballot", "project"], name="voting_line_project_once"
            )
        ]

    def __str__(self) -> str:
        return f"project {self.project_id} on a budget ballot"
