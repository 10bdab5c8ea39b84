"""The Open Data Local Portal: budgets (versioned), spending, procurement, projects, datasets.

A budget is never overwritten. Each `Budget` (one municipality, one fiscal year in the Buddhist
era) has `BudgetVersion`s numbered 1, 2, 3…: the imported original, then one version per
transfer or amendment (โอนงบ / งบเพิ่มเติม) or re-import. A version holds the full set of
`BudgetLine` amounts, each pointing at a stable `BudgetItem` (plan / work / budget group /
expense category / item), so any past version can be shown exactly as it was and
disbursements keep pointing at the same item across versions.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MUNICIPALITY = "municipalities.Municipality"
AMOUNT = {"max_digits": 16, "decimal_places": 2}


class BudgetGroup(models.TextChoices):
    """The six budget groups (งบ) of Thai local expenditure budgets, in their usual order."""

    CENTRAL = "central", _("Central fund (งบกลาง)")
    PERSONNEL = "personnel", _("Personnel (งบบุคลากร)")
    OPERATING = "operating", _("Operating (งบดำเนินงาน)")
    INVESTMENT = "investment", _("Investment (งบลงทุน)")
    SUBSIDY = "subsidy", _("Subsidies (งบเงินอุดหนุน)")
    OTHER = "other", _("Other expenditure (งบรายจ่ายอื่น)")


class Budget(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveIntegerField(_("fiscal year (B.E.)"))
    population = models.PositiveIntegerField(
        _("population"),
        default=0,
        help_text=_("Registered residents used for the per-resident figures of this year."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year"], name="budget_unique_year"
            )
        ]

    def __str__(self) -> str:
        return str(self.fiscal_year)


class BudgetVersion(models.Model):
    class Kind(models.TextChoices):
        IMPORT = "import", _("Imported budget")
        TRANSFER = "transfer", _("Transfer (โอนงบประมาณ)")
        AMENDMENT = "amendment", _("Amendment (งบประมาณเพิ่มเติม/แก้ไข)")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    total = models.DecimalField(_("total"), **AMOUNT)
    line_count = models.PositiveIntegerField(default=0)
    # SHA-256 of the canonical text of every line (see budget.lines_digest): anyone can
    # recompute it from the published dataset and compare it with the ledger entry.
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("budget version")
        verbose_name_plural = _("budget versions")
        ordering = ["budget", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "budget", "number"], name="budgetversion_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.budget.fiscal_year} v{self.number}"


class BudgetItem(models.Model):
    """One line's identity: the same item across every version of the year's budget."""

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="items")
    plan = models.CharField(_("plan"), max_length=200)
    work = models.CharField(_("work"), max_length=200)
    budget_group = models.CharField(_("budget group"), max_length=20, choices=BudgetGroup.choices)
    expense_category = models.CharField(_("expense category"), max_length=200)
    item = models.CharField(_("item"), max_length=500)
    # SHA-256 of the five names (budget.item_key_hash): unique per budget, and short enough to
    # index whatever the length of the Thai names.
    key_hash = models.CharField(max_length=64, editable=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("budget item")
        verbose_name_plural = _("budget items")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "budget", "key_hash"], name="budgetitem_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} / {self.work} / {self.item}"

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.plan, self.work, self.budget_group, self.expense_category, self.item)


class BudgetLine(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(BudgetItem, on_delete=models.CASCADE, related_name="lines")
    amount = models.DecimalField(_("amount"), **AMOUNT)

    class Meta:
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "version", "item"], name="budgetline_unique_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.amount}"


class BudgetChange(models.Model):
    """A transfer between two items, or an amendment that adds to or takes from one item.

    It produces `version` (the new version); the version before it is left as it was.
    """

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="changes")
    version = models.ForeignKey(BudgetVersion, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=20, choices=BudgetVersion.Kind.choices)
    from_item = models.ForeignKey(
        BudgetItem,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from item"),
    )
    to_item = models.ForeignKey(
        BudgetItem,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to item"),
    )
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reason = models.CharField(_("reason"), max_length=500)
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("e.g. the council resolution")
    )
    approved_on = models.DateField(_("approved on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("budget transfer or amendment")
        verbose_name_plural = _("budget transfers and amendments")
        ordering = ["-approved_on", "-id"]
        constraints = [
            # one change makes one version
            models.UniqueConstraint(
                fields=["municipality", "version"], name="budgetchange_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PROCUREMENT = "procurement", _("In procurement")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("project code"), max_length=50)
    name_th = models.CharField(_("name (Thai)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    budget_item = models.ForeignKey(
        BudgetItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("budget item"),
    )
    planned_amount = models.DecimalField(_("planned amount"), **AMOUNT, default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    community = models.ForeignKey(
        "municipalities.Community",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="project_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_th}"


class Disbursement(models.Model):
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="disbursements")
    item = models.ForeignKey(
        BudgetItem, on_delete=models.RESTRICT, related_name="disbursements", verbose_name=_("item")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="disbursements",
        verbose_name=_("project"),
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reference = models.CharField(_("voucher number"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-paid_on", "-id"]
        constraints = [
            # A voucher is entered once: a retried import or form finds it and stops.
            models.UniqueConstraint(
                fields=["municipality", "budget", "reference"], name="disbursement_unique_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"


class ProcurementAward(models.Model):
    class Method(models.TextChoices):
        E_BIDDING = "e_bidding", _("e-bidding (ประกวดราคาอิเล็กทรอนิกส์)")
        E_MARKET = "e_market", _("e-market (ตลาดอิเล็กทรอนิกส์)")
        SELECTION = "selection", _("Selection (คัดเลือก)")
        SPECIFIC = "specific", _("Specific method (เฉพาะเจาะจง)")

    class WinnerKind(models.TextChoices):
        JURISTIC = "juristic", _("Juristic person (company, partnership)")
        NATURAL = "natural", _("Natural person")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="awards")
    reference = models.CharField(_("e-GP project number"), max_length=100)
    title = models.CharField(_("title"), max_length=500)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    # A company's name is public information (e-GP publishes it); a natural person's is not
    # published by this portal (PDPA): see docs/opendata.md.
    winner_name = models.CharField(_("winner"), max_length=300)
    winner_kind = models.CharField(
        _("winner type"), max_length=20, choices=WinnerKind.choices, default=WinnerKind.JURISTIC
    )
    amount = models.DecimalField(_("contract amount"), **AMOUNT)
    awarded_on = models.DateField(_("awarded on"))
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("project"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("procurement award")
        verbose_name_plural = _("procurement awards")
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "reference"], name="procurementaward_unique_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def public_winner(self) -> str:
        if self.winner_kind == self.WinnerKind.JURISTIC:
            return self.winner_name
        return str(_("A natural person (name withheld under the PDPA)"))


class Dataset(models.Model):
    """A catalogue entry (a CKAN package, a dcat:Dataset)."""

    class Frequency(models.TextChoices):
        CONTINUOUS = "continuous", _("Continuously updated")
        DAILY = "daily", _("Daily")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        ANNUAL = "annual", _("Annually")
        IRREGULAR = "irregular", _("Irregularly")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(
        MUNICIPALITY, on_delete=models.CASCADE, related_name="opendata_datasets"
    )
    slug = models.SlugField(_("short name"), max_length=80)
    title_th = models.CharField(_("title (Thai)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    description_th = models.TextField(_("description (Thai)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Separated by commas.")
    )
    license_id = models.CharField(_("licence"), max_length=50, default="CC-BY-4.0")
    frequency = models.CharField(
        _("update frequency"), max_length=20, choices=Frequency.choices, default=Frequency.ANNUAL
    )
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    # Which live source feeds it (see opendata/sources.py); empty for uploaded files only.
    source = models.CharField(_("live source"), max_length=50, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="dataset_unique_slug")
        ]

    def __str__(self) -> str:
        return self.title_th

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class Resource(models.Model):
    """A distribution of a dataset: a live export in one format, or an uploaded file."""

    class Format(models.TextChoices):
        CSV = "CSV", "CSV"
        JSON = "JSON", "JSON"
        GEOJSON = "GeoJSON", "GeoJSON"
        XLSX = "XLSX", "XLSX"
        PDF = "PDF", "PDF"
        OTHER = "OTHER", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    name_th = models.CharField(_("name (Thai)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    is_live = models.BooleanField(default=False)
    file = models.FileField(_("file"), upload_to="opendata/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return f"{self.name_th} ({self.format})"


class ImportJob(models.Model):
    """One uploaded file being validated and imported, with its progress and every error."""

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        DISBURSEMENTS = "disbursements", _("Disbursements")
        PROCUREMENT = "procurement", _("Procurement awards")
        PROJECTS = "projects", _("Projects")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        VALIDATING = "validating", _("Checking")
        WRITING = "writing", _("Saving")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    municipality = models.ForeignKey(MUNICIPALITY, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to="opendata/imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    note = models.CharField(_("note"), max_length=500, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # [{"row": 3, "column": "amount", "code": "...", "th": "...", "en": "..."}, ...]
    errors = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def is_running(self) -> bool:
        return self.state in {self.State.PENDING, self.State.VALIDATING, self.State.WRITING}
