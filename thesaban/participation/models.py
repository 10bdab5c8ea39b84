"""Participatory processes and their phases: the frame every other participation feature
(proposals, debates, consultations, polls, budgets, accountability) hangs on."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MUNICIPALITY = "municipalities.Municipality"


class Process(models.Model):
    """A participatory process: the annual local development plan consultation, the annual
    participatory budget, a one-off question."""

    class Kind(models.TextChoices):
        DEVELOPMENT_PLAN = "development_plan", _("Local development plan (แผนพัฒนาท้องถิ่น)")
        PARTICIPATORY_BUDGET = "participatory_budget", _("Participatory budget")
        QUESTION = "question", _("Question to residents")
        OTHER = "other", _("Other")

    municipality = models.ForeignKey(
        MUNICIPALITY,
        on_delete=models.CASCADE,
        related_name="processes",
        verbose_name=_("municipality"),
    )
    slug = models.SlugField(_("short name"), max_length=80)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    title_th = models.CharField(_("title (Thai)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_th = models.TextField(_("summary (Thai)"), max_length=1000, blank=True)
    summary_en = models.TextField(_("summary (English)"), max_length=1000, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    # Seed 003's "safe space": participants may take part without a public name, while the
    # platform still counts one voice per account.
    allows_anonymous = models.BooleanField(_("anonymous participation allowed"), default=False)
    # Supports a proposal needs before the municipality must answer it (0: no threshold).
    support_threshold = models.PositiveIntegerField(_("supports that require an answer"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("participatory process")
        verbose_name_plural = _("participatory processes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "slug"], name="participation_process_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.title_th

    def current_phase(self, now=None) -> "Phase | None":
        now = now or timezone.now()
        return self.phases.filter(starts_at__lte=now, ends_at__gt=now).order_by("order").first()


class Phase(models.Model):
    """One step of a process with its dates and the actions it opens."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information")
        PROPOSALS = "proposals", _("Proposals")
        DELIBERATION = "deliberation", _("Deliberation")
        VOTING = "voting", _("Voting")
        IMPLEMENTATION = "implementation", _("Implementation")

    class Action(models.TextChoices):
        PROPOSE = "propose", _("Make proposals")
        SUPPORT = "support", _("Support proposals")
        COMMENT = "comment", _("Comment")
        DEBATE = "debate", _("Start debates")
        CONSULT = "consult", _("Comment on documents")
        VOTE = "vote", _("Vote in polls")
        BUDGET_VOTE = "budget_vote", _("Vote in the participatory budget")
        OPINION = "opinion", _("Vote on statements")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="phases", verbose_name=_("process")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_th = models.CharField(_("title (Thai)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # The Action values this phase opens, e.g. ["propose", "support", "comment"].
    actions = models.JSONField(_("actions open"), default=list, blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["process", "order", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="participation_phase_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title_th

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at

    def allows(self, action: str, now=None) -> bool:
        return self.is_open(now) and action in (self.actions or [])


class Participant(models.Model):
    """A person's participation profile in one municipality: the pseudonym others see (never
    their account name, e-mail or phone) and the community they live in, for eligibility."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="participant_profiles"
    )
    pseudonym = models.CharField(
        _("public name"),
        max_length=50,
        blank=True,
        help_text=_("The name shown with your proposals and comments; not your real name."),
    )
    community = models.ForeignKey(
        "municipalities.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community where I live"),
    )
    # Set by staff who checked the address (e.g. house registration at a digital centre).
    community_verified = models.BooleanField(_("community checked by staff"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "user"], name="participation_participant_unique_user"
            ),
            models.UniqueConstraint(
                fields=["municipality", "pseudonym"],
                condition=~models.Q(pseudonym=""),
                name="participation_participant_unique_pseudonym",
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym or str(_("Participant"))


class Topic(models.TextChoices):
    """What a proposal is about (a small fixed list every municipality shares)."""

    INFRASTRUCTURE = "infrastructure", _("Roads, water and infrastructure")
    ENVIRONMENT = "environment", _("Environment and green space")
    EDUCATION = "education", _("Education and children")
    HEALTH = "health", _("Health and elderly care")
    SAFETY = "safety", _("Safety")
    ECONOMY = "economy", _("Local economy and jobs")
    CULTURE = "culture", _("Culture, religion and sport")
    SOCIAL = "social", _("Social welfare")
    DIGITAL = "digital", _("Digital services")
    OTHER = "other", _("Other")


class Proposal(models.Model):
    class Answer(models.TextChoices):
        # A context apart from a report's "Accepted": Thai says these differently.
        NONE = "", _("Not answered yet")
        EVALUATING = "evaluating", pgettext_lazy("proposal answer", "Being evaluated")
        ACCEPTED = "accepted", pgettext_lazy("proposal answer", "Accepted")
        REJECTED = "rejected", pgettext_lazy("proposal answer", "Rejected")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(
        Process, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("process")
    )
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(
        Participant, on_delete=models.RESTRICT, related_name="proposals", verbose_name=_("author")
    )
    is_anonymous = models.BooleanField(_("without my public name"), default=False)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("proposal"), max_length=5000)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("place"), max_length=300, blank=True)
    image = models.ImageField(_("image"), upload_to="proposals/%Y/%m/", blank=True)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    comment_count = models.PositiveIntegerField(default=0)
    answer = models.CharField(
        _("answer"), max_length=20, choices=Answer.choices, blank=True, default=""
    )
    answer_reason = models.TextField(_("reason"), max_length=5000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "process", "number"],
                name="participation_proposal_unique_number",
            ),
            models.UniqueConstraint(
                fields=["municipality", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="participation_proposal_unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["process", "-support_count"], name="participation_proposal_support"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "participation:proposal",
            kwargs={
                "municipality": self.process.municipality.slug,
                "process": self.process.slug,
                "number": self.number,
            },
        )


class ProposalSupport(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "proposal", "user"],
                name="participation_support_one_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.proposal_id}"


class Debate(models.Model):
    """A standalone discussion thread in a process."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="debates")
    number = models.PositiveIntegerField(_("number"))
    author = models.ForeignKey(Participant, on_delete=models.RESTRICT, related_name="debates")
    is_anonymous = models.BooleanField(_("without my public name"), default=False)
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("opening statement"), max_length=5000)
    comment_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("debate")
        verbose_name_plural = _("debates")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "process", "number"],
                name="participation_debate_unique_number",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ConsultationDocument(models.Model):
    """A document staff put to residents section by section (e.g. the draft local plan)."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="documents")
    slug = models.SlugField(_("short name"), max_length=80)
    title_th = models.CharField(_("title (Thai)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    introduction_th = models.TextField(_("introduction (Thai)"), blank=True)
    introduction_en = models.TextField(_("introduction (English)"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consultation document")
        verbose_name_plural = _("consultation documents")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "process", "slug"],
                name="participation_document_unique_slug",
            )
        ]

    def __str__(self) -> str:
        return self.title_th


class DocumentSection(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(
        ConsultationDocument, on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading_th = models.CharField(_("heading (Thai)"), max_length=200)
    heading_en = models.CharField(_("heading (English)"), max_length=200, blank=True)
    body_th = models.TextField(_("text (Thai)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    agree_count = models.PositiveIntegerField(default=0)
    disagree_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document section")
        verbose_name_plural = _("document sections")
        ordering = ["document", "order"]

    def __str__(self) -> str:
        return self.heading_th


class SectionPosition(models.Model):
    """A resident agrees or disagrees with one section (one position each, changeable)."""

    class Stance(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(DocumentSection, on_delete=models.CASCADE, related_name="positions")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "section", "user"],
                name="participation_position_one_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stance} {self.section_id}"


class Comment(models.Model):
    """A comment on a proposal, a debate or a document section; replies nest 3 levels deep."""

    class Alignment(models.TextChoices):
        FOR = "for", _("In favour")
        NEUTRAL = "neutral", _("Neutral")
        AGAINST = "against", _("Against")

    MAX_DEPTH = 3

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="comments")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    debate = models.ForeignKey(
        Debate, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    section = models.ForeignKey(
        DocumentSection, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    depth = models.PositiveSmallIntegerField(default=1)
    author = models.ForeignKey(Participant, on_delete=models.RESTRICT, related_name="comments")
    is_anonymous = models.BooleanField(_("without my public name"), default=False)
    alignment = models.CharField(
        _("my position"), max_length=10, choices=Alignment.choices, default=Alignment.NEUTRAL
    )
    body = models.TextField(_("comment"), max_length=3000)
    upvote_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(proposal__isnull=False, debate__isnull=True, section__isnull=True)
                    | models.Q(proposal__isnull=True, debate__isnull=False, section__isnull=True)
                    | models.Q(proposal__isnull=True, debate__isnull=True, section__isnull=False)
                ),
                name="participation_comment_one_target",
            ),
            models.CheckConstraint(
                condition=models.Q(depth__gte=1, depth__lte=3),
                name="participation_comment_depth",
            ),
            models.UniqueConstraint(
                fields=["municipality", "author", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="participation_comment_unique_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]


class CommentUpvote(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="upvotes")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "comment", "user"],
                name="participation_upvote_one_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"+1 {self.comment_id}"


class Flag(models.Model):
    """Someone asks moderators to look at a proposal, debate or comment."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFFENSIVE = "offensive", _("Offensive, hateful or threatening")
        PERSONAL_DATA = "personal_data", _("Reveals someone's personal data")
        OFF_TOPIC = "off_topic", _("Off topic")
        OTHER = "other", _("Other")

    class Decision(models.TextChoices):
        PENDING = "", _("Waiting for a moderator")
        HIDDEN = "hidden", _("Hidden")
        KEPT = "kept", _("Kept")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    debate = models.ForeignKey(
        Debate, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    reporter = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    details = models.CharField(_("details"), max_length=500, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True, default="")
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(proposal__isnull=False, debate__isnull=True, comment__isnull=True)
                    | models.Q(proposal__isnull=True, debate__isnull=False, comment__isnull=True)
                    | models.Q(proposal__isnull=True, debate__isnull=True, comment__isnull=False)
                ),
                name="participation_flag_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.decision or 'pending'})"

    @property
    def target(self):
        return self.proposal or self.debate or self.comment


class Result(models.Model):
    """Accountability: what the municipality does with what residents said."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="results")
    number = models.PositiveIntegerField(_("number"))
    title_th = models.CharField(_("title (Thai)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    budget = models.DecimalField(
        _("budget (baht)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    spent = models.DecimalField(_("spent (baht)"), max_digits=14, decimal_places=2, default=0)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["process", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "process", "number"],
                name="participation_result_unique_number",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="participation_result_progress"
            ),
        ]

    def __str__(self) -> str:
        return self.title_th

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "participation:result",
            kwargs={
                "municipality": self.process.municipality.slug,
                "process": self.process.slug,
                "number": self.number,
            },
        )


class ResultUpdate(models.Model):
    """One entry of a result's public timeline: what happened, progress and money spent."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=Result.Status.choices)
    progress = models.PositiveSmallIntegerField(default=0)
    spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    note_th = models.TextField(_("what happened (Thai)"), max_length=3000)
    note_en = models.TextField(_("what happened (English)"), max_length=3000, blank=True)
    author = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.result_id} {self.progress}%"


class ResultSource(models.Model):
    """A piece of citizen input a result came from: a proposal, a comment, a poll option, a
    budget project, a problem report..."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="sources")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.CharField(max_length=40)
    source = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "result", "content_type", "object_id"],
                name="participation_result_source_unique",
            )
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="participation_source_object")
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} → {self.result_id}"
