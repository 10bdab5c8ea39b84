"""Reads of the open-data portal; every one starts from the municipality."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from thesaban.opendata.budget import GROUP_ORDER
from thesaban.opendata.models import (
    Budget,
    BudgetChange,
    BudgetGroup,
    BudgetLine,
    BudgetVersion,
    Dataset,
    Disbursement,
    ImportJob,
    ProcurementAward,
    Project,
    Resource,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=16, decimal_places=2)


def budget_list(*, municipality) -> list[dict[str, Any]]:
    """Every year with a budget, newest first, with the current version's total."""
    budgets = list(Budget.objects.filter(municipality=municipality).order_by("-fiscal_year"))
    versions = {
        v.budget_id: v
        for v in BudgetVersion.objects.filter(municipality=municipality).order_by(
            "budget", "number"
        )
    }
    return [
        {"budget": b, "version": versions[b.pk], "total": versions[b.pk].total}
        for b in budgets
        if b.pk in versions
    ]


def budget_of_year(*, municipality, fiscal_year: int) -> Budget | None:
    return Budget.objects.filter(municipality=municipality, fiscal_year=fiscal_year).first()


def budget_version_current(*, budget: Budget) -> BudgetVersion | None:
    return budget.versions.order_by("-number").first()


def budget_versions(*, budget: Budget) -> QuerySet[BudgetVersion]:
    return budget.versions.order_by("-number")


def budget_changes(*, budget: Budget) -> QuerySet[BudgetChange]:
    return budget.changes.select_related("version", "from_item", "to_item")


@dataclass
class Row:
    """One row of an explorer table: planned (current version) against disbursed."""

    key: str
    label: str
    planned: Decimal = ZERO
    disbursed: Decimal = ZERO
    children: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def share_disbursed(self) -> int:
        if not self.planned:
            return 0
        return int((100 * self.disbursed / self.planned).quantize(Decimal("1"), ROUND_HALF_UP))


@dataclass
class BudgetView:
    budget: Budget
    version: BudgetVersion
    total: Decimal
    disbursed: Decimal
    per_resident: Decimal | None
    by_group: list[Row]
    rows: list[Row]  # the level asked for: plans, works of a plan, or items of a work
    level: str  # "plan", "work" or "item"
    plan: str | None
    work: str | None
    previous: dict[str, Any] | None
    level_total: Decimal


def _group_label(code: str) -> str:
    return str(BudgetGroup(code).label) if code in BudgetGroup.values else code


def budget_explore(
    *, municipality, fiscal_year: int, plan: str | None = None, work: str | None = None
) -> BudgetView | None:
    """Totals of the current version by budget group and by plan, or (drill-down) by work of a
    plan and by item of a work, each with what has been disbursed against it."""
    budget = budget_of_year(municipality=municipality, fiscal_year=fiscal_year)
    if budget is None:
        return None
    version = budget_version_current(budget=budget)
    if version is None:
        return None
    lines = BudgetLine.objects.filter(municipality=municipality, version=version)
    paid = Disbursement.objects.filter(municipality=municipality, budget=budget)
    group_planned = dict(
        lines.values_list("item__budget_group").annotate(s=Sum("amount")).order_by()
    )
    group_paid = dict(paid.values_list("item__budget_group").annotate(s=Sum("amount")).order_by())
    by_group = [
        Row(code, _group_label(code), group_planned.get(code, ZERO), group_paid.get(code, ZERO))
        for code in GROUP_ORDER
        if code in group_planned
    ]
    if plan is None:
        level, key, scope_lines, scope_paid = "plan", "item__plan", lines, paid
    elif work is None:
        level, key = "work", "item__work"
        scope_lines, scope_paid = lines.filter(item__plan=plan), paid.filter(item__plan=plan)
    else:
        level, key = "item", "item_id"
        scope_lines = lines.filter(item__plan=plan, item__work=work)
        scope_paid = paid.filter(item__plan=plan, item__work=work)
    rows: list[Row] = []
    if level == "item":
        paid_by_item = dict(scope_paid.values_list("item_id").annotate(s=Sum("amount")).order_by())
        for line in scope_lines.select_related("item").order_by("item__position", "item_id"):
            item = line.item
            rows.append(
                Row(
                    str(item.pk),
                    item.item,
                    line.amount,
                    paid_by_item.get(item.pk, ZERO),
                    extra={
                        "group": _group_label(item.budget_group),
                        "category": item.expense_category,
                        "item": item,
                    },
                )
            )
    else:
        planned = (
            scope_lines.values_list(key)
            .annotate(s=Sum("amount"), n=Count("id"), first=Min("item__position"))
            .order_by("first")
        )
        paid_map = dict(scope_paid.values_list(key).annotate(s=Sum("amount")).order_by())
        rows = [
            Row(name, name, amount, paid_map.get(name, ZERO), n)
            for name, amount, n, _first in planned
        ]
    total = version.total
    disbursed = paid.aggregate(s=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY))["s"]
    population = budget.population or municipality.population
    previous = None
    before = (
        Budget.objects.filter(municipality=municipality, fiscal_year__lt=fiscal_year)
        .order_by("-fiscal_year")
        .first()
    )
    if before is not None:
        before_version = budget_version_current(budget=before)
        if before_version is not None:
            change = None
            if before_version.total:
                change = ((total - before_version.total) * 100 / before_version.total).quantize(
                    Decimal("0.1"), ROUND_HALF_UP
                )
            previous = {
                "fiscal_year": before.fiscal_year,
                "total": before_version.total,
                "change": change,
            }
    return BudgetView(
        budget=budget,
        version=version,
        total=total,
        disbursed=disbursed,
        per_resident=(total / population).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if population
        else None,
        by_group=by_group,
        rows=rows,
        level=level,
        plan=plan,
        work=work,
        previous=previous,
        level_total=sum((r.planned for r in rows), ZERO),
    )


def budget_years_series(*, municipality) -> list[dict[str, Any]]:
    """Year on year: each year's current total and disbursed amount, oldest first."""
    rows = []
    for entry in reversed(budget_list(municipality=municipality)):
        budget = entry["budget"]
        disbursed = Disbursement.objects.filter(municipality=municipality, budget=budget).aggregate(
            s=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY)
        )["s"]
        population = budget.population or municipality.population
        rows.append(
            {
                "fiscal_year": budget.fiscal_year,
                "total": entry["total"],
                "disbursed": disbursed,
                "per_resident": (entry["total"] / population).quantize(Decimal("0.01"))
                if population
                else None,
                "version": entry["version"],
            }
        )
    return rows


def budget_items(*, budget: Budget) -> QuerySet:
    return budget.items.order_by("position", "id")


def budget_items_for_projects(*, municipality, project: Project | None = None) -> QuerySet:
    """Items a project may be linked to: the last two fiscal years' and the project's own."""
    from thesaban.opendata.models import BudgetItem

    years = list(
        Budget.objects.filter(municipality=municipality)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)[:2]
    )
    condition = Q(budget__fiscal_year__in=years)
    if project is not None and project.budget_item_id:
        condition |= Q(pk=project.budget_item_id)
    return (
        BudgetItem.objects.filter(municipality=municipality)
        .filter(condition)
        .select_related("budget")
        .order_by("-budget__fiscal_year", "position", "id")
    )


def budget_lines_current(*, budget: Budget) -> dict[int, Decimal]:
    version = budget_version_current(budget=budget)
    if version is None:
        return {}
    return dict(version.lines.values_list("item_id", "amount"))


# -- projects and procurement ------------------------------------------------------------------


def _spent() -> Subquery:
    return Subquery(
        Disbursement.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=MONEY,
    )


def project_list(*, municipality, fiscal_year: int | None = None) -> QuerySet[Project]:
    projects = Project.objects.filter(municipality=municipality).select_related(
        "community", "budget_item", "budget_item__budget"
    )
    if fiscal_year is not None:
        projects = projects.filter(budget_item__budget__fiscal_year=fiscal_year)
    return projects.annotate(spent=Coalesce(_spent(), Value(ZERO), output_field=MONEY)).order_by(
        "code"
    )


def project_awards(*, project: Project) -> QuerySet[ProcurementAward]:
    return project.awards.order_by("-awarded_on")


def project_disbursements(*, project: Project) -> QuerySet[Disbursement]:
    return project.disbursements.select_related("item").order_by("-paid_on", "-id")


def award_list(*, municipality, fiscal_year: int | None = None) -> QuerySet[ProcurementAward]:
    awards = ProcurementAward.objects.filter(municipality=municipality).select_related(
        "budget", "project"
    )
    if fiscal_year is not None:
        awards = awards.filter(budget__fiscal_year=fiscal_year)
    return awards.order_by("-awarded_on", "-id")


def disbursement_list(*, municipality, fiscal_year: int | None = None) -> QuerySet[Disbursement]:
    rows = Disbursement.objects.filter(municipality=municipality).select_related(
        "budget", "item", "project"
    )
    if fiscal_year is not None:
        rows = rows.filter(budget__fiscal_year=fiscal_year)
    return rows.order_by("-paid_on", "-id")


# -- datasets ----------------------------------------------------------------------------------


def dataset_list(*, municipality, include_unpublished: bool = False) -> QuerySet[Dataset]:
    datasets = Dataset.objects.filter(municipality=municipality)
    if not include_unpublished:
        datasets = datasets.filter(is_published=True)
    return datasets.prefetch_related("resources").order_by("slug")


def dataset_search_base() -> QuerySet[Dataset]:
    """Published datasets of every active municipality (the CKAN API is site-wide)."""
    return (
        Dataset.objects.filter(is_published=True, municipality__is_active=True)
        .select_related("municipality")
        .prefetch_related(
            Prefetch("resources", queryset=Resource.objects.order_by("position", "created_at"))
        )
    )


def dataset_find(*, text: str) -> Dataset | None:
    """A published dataset by CKAN id (uuid) or name (`<municipality slug>-<dataset slug>`)."""
    base = dataset_search_base()
    try:
        import uuid

        return base.filter(pk=uuid.UUID(str(text))).first()
    except ValueError:
        pass
    for dataset in base.filter(slug__in=_slug_tails(text)):
        if f"{dataset.municipality.slug}-{dataset.slug}" == text:
            return dataset
    return None


def _slug_tails(name: str) -> list[str]:
    parts = name.split("-")
    return ["-".join(parts[i:]) for i in range(1, len(parts))]


def resource_find(*, text: str) -> Resource | None:
    import uuid

    try:
        key = uuid.UUID(str(text))
    except ValueError:
        return None
    return (
        Resource.objects.filter(pk=key, dataset__is_published=True, municipality__is_active=True)
        .select_related("dataset", "municipality", "dataset__municipality")
        .first()
    )


def organization_list() -> QuerySet:
    from thesaban.municipalities.models import Municipality

    return (
        Municipality.objects.filter(is_active=True)
        .annotate(
            package_count=Count("opendata_datasets", filter=Q(opendata_datasets__is_published=True))
        )
        .order_by("slug")
    )


def organization_find(*, text: str):
    found = organization_list().filter(slug=text).first()
    if found is not None:
        return found
    for municipality in organization_list():
        if organization_id(municipality) == text:
            return municipality
    return None


def organization_id(municipality) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"thesaban:municipality:{municipality.pk}"))


def import_jobs(*, municipality) -> QuerySet[ImportJob]:
    return ImportJob.objects.filter(municipality=municipality).select_related("created_by")[:20]
