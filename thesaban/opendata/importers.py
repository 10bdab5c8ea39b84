"""File imports (budget, disbursements, procurement awards, projects): all or nothing.

Every importer reads the whole file, checks every row against the columns and against the
database, and collects every error (row, column, reason in Thai and English). Only a file
without any error is written, in one transaction, through the services. `progress(done, total)`
is called while checking, so a command line shows a bar and the staff page a percentage.
docs/opendata.md documents the columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from thesaban.opendata import services, tabular
from thesaban.opendata.budget import GROUP_NAMES
from thesaban.opendata.models import (
    Budget,
    BudgetItem,
    ImportJob,
    ProcurementAward,
    Project,
)
from thesaban.opendata.tabular import Column, ErrorList

Progress = Callable[[int, int], None]

YEAR = Column(
    "fiscal_year",
    ("ปีงบประมาณ", "fiscal year", "ปี", "year", "ปีงบประมาณ (พ.ศ.)", "fiscal year (be)"),
    tabular.fiscal_year,
)
PLAN = Column("plan", ("แผนงาน", "plan"), tabular.text(200))
WORK = Column("work", ("งาน", "work"), tabular.text(200))
GROUP = Column(
    "budget_group",
    ("งบ", "budget group", "ประเภทงบ", "กลุ่มงบ", "group"),
    tabular.choice(GROUP_NAMES, "budget group"),
)
CATEGORY = Column(
    "expense_category",
    ("หมวด", "expense category", "หมวดรายจ่าย", "category"),
    tabular.text(200),
)
ITEM = Column("item", ("รายการ", "item", "ประเภทรายจ่าย", "description"), tabular.text(500))
AMOUNT = Column(
    "amount",
    ("จำนวนเงิน", "amount", "จำนวนเงิน (บาท)", "amount (baht)", "งบประมาณ", "baht"),
    tabular.amount,
)
ITEM_COLUMNS = [YEAR, PLAN, WORK, GROUP, CATEGORY, ITEM]

BUDGET_COLUMNS = [*ITEM_COLUMNS, AMOUNT]

PROJECT_CODE = Column(
    "project", ("รหัสโครงการ", "project code", "project"), tabular.optional_text(50), required=False
)

DISBURSEMENT_COLUMNS = [
    *ITEM_COLUMNS,
    Column("paid_on", ("วันที่จ่าย", "paid on", "date", "วันที่"), tabular.date),
    AMOUNT,
    Column("reference", ("เลขที่ฎีกา", "voucher", "reference", "เลขที่เอกสาร"), tabular.text(100)),
    Column(
        "description", ("คำอธิบาย", "note", "รายละเอียด"), tabular.optional_text(500), required=False
    ),
    PROJECT_CODE,
]

METHOD_NAMES = {
    "e_bidding": ProcurementAward.Method.E_BIDDING,
    "e-bidding": ProcurementAward.Method.E_BIDDING,
    "ประกวดราคาอิเล็กทรอนิกส์": ProcurementAward.Method.E_BIDDING,
    "ประกวดราคาอิเล็กทรอนิกส์ (e-bidding)": ProcurementAward.Method.E_BIDDING,
    "e_market": ProcurementAward.Method.E_MARKET,
    "e-market": ProcurementAward.Method.E_MARKET,
    "ตลาดอิเล็กทรอนิกส์": ProcurementAward.Method.E_MARKET,
    "selection": ProcurementAward.Method.SELECTION,
    "คัดเลือก": ProcurementAward.Method.SELECTION,
    "วิธีคัดเลือก": ProcurementAward.Method.SELECTION,
    "specific": ProcurementAward.Method.SPECIFIC,
    "เฉพาะเจาะจง": ProcurementAward.Method.SPECIFIC,
    "วิธีเฉพาะเจาะจง": ProcurementAward.Method.SPECIFIC,
}
WINNER_KINDS = {
    "juristic": ProcurementAward.WinnerKind.JURISTIC,
    "company": ProcurementAward.WinnerKind.JURISTIC,
    "นิติบุคคล": ProcurementAward.WinnerKind.JURISTIC,
    "natural": ProcurementAward.WinnerKind.NATURAL,
    "person": ProcurementAward.WinnerKind.NATURAL,
    "บุคคลธรรมดา": ProcurementAward.WinnerKind.NATURAL,
}

PROCUREMENT_COLUMNS = [
    YEAR,
    Column(
        "reference",
        ("เลขที่โครงการ e-gp", "e-gp number", "เลขที่โครงการ", "reference"),
        tabular.text(100),
    ),
    Column("title", ("ชื่อรายการจัดซื้อจัดจ้าง", "title", "เรื่อง", "subject"), tabular.text(500)),
    Column("method", ("วิธีจัดหา", "method", "วิธีการจัดหา"), tabular.choice(METHOD_NAMES, "method")),
    Column("winner", ("ผู้ชนะ", "winner", "ผู้ได้รับการคัดเลือก", "contractor"), tabular.text(300)),
    Column(
        "winner_kind",
        ("ประเภทผู้ชนะ", "winner type", "winner kind"),
        tabular.choice(WINNER_KINDS, "winner type"),
    ),
    Column("amount", ("วงเงินตามสัญญา", "contract amount", "จำนวนเงิน", "amount"), tabular.amount),
    Column("awarded_on", ("วันที่ลงนามสัญญา", "awarded on", "วันที่", "date"), tabular.date),
    PROJECT_CODE,
]

STATUS_NAMES = {
    **{s.value: s.value for s in Project.Status},
    "วางแผน": Project.Status.PLANNED,
    "จัดซื้อจัดจ้าง": Project.Status.PROCUREMENT,
    "อยู่ระหว่างดำเนินการ": Project.Status.IN_PROGRESS,
    "ดำเนินการ": Project.Status.IN_PROGRESS,
    "เสร็จสิ้น": Project.Status.COMPLETED,
    "แล้วเสร็จ": Project.Status.COMPLETED,
    "ยกเลิก": Project.Status.CANCELLED,
}

PROJECT_COLUMNS = [
    Column("code", ("รหัสโครงการ", "project code", "code"), tabular.text(50)),
    Column("name_th", ("ชื่อโครงการ", "name", "name (thai)", "name th"), tabular.text(300)),
    Column(
        "name_en",
        ("ชื่อโครงการ (อังกฤษ)", "name (english)", "name en"),
        tabular.optional_text(300),
        required=False,
    ),
    Column("planned_amount", ("วงเงินโครงการ", "planned amount", "budget"), tabular.amount),
    Column("status", ("สถานะ", "status"), tabular.choice(STATUS_NAMES, "status")),
    Column(
        "progress",
        ("ความก้าวหน้า (%)", "progress", "ความก้าวหน้า", "progress (%)"),
        tabular.integer(0, 100),
    ),
    Column(
        "fiscal_year",
        ("ปีงบประมาณ", "fiscal year", "ปี", "year"),
        tabular.optional(tabular.fiscal_year),
        required=False,
    ),
    *(
        Column(c.key, c.headers, tabular.optional_text(500), required=False)
        for c in (PLAN, WORK, CATEGORY, ITEM)
    ),
    Column("budget_group", GROUP.headers, tabular.optional(GROUP.parse), required=False),
    Column("community", ("ชุมชน", "community"), tabular.optional_text(50), required=False),
    Column("lat", ("ละติจูด", "latitude", "lat"), tabular.coordinate(-90, 90), required=False),
    Column(
        "lng", ("ลองจิจูด", "longitude", "lng", "lon"), tabular.coordinate(-180, 180), required=False
    ),
    Column(
        "starts_on", ("วันเริ่ม", "starts on", "start"), tabular.optional(tabular.date), required=False
    ),
    Column("ends_on", ("วันสิ้นสุด", "ends on", "end"), tabular.optional(tabular.date), required=False),
]


@dataclass
class ImportResult:
    errors: ErrorList = field(default_factory=ErrorList)
    rows: int = 0
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _noop(done: int, total: int) -> None:
    pass


def _parse_all(
    name: str, data: bytes, columns: list[Column], result: ImportResult, progress: Progress
):
    table = tabular.read_table(name=name, data=data, columns=columns, errors=result.errors)
    if table is None:
        return []
    result.rows = len(table)
    if not table.rows:
        result.errors.add(table.header_row, "", gettext_noop("The file has a header but no rows."))
    parsed = []
    for index, (number, cells) in enumerate(table.rows, start=1):
        values = tabular.parse_row(table, number, cells, columns, result.errors)
        if values is not None:
            parsed.append((number, values))
        if index % 500 == 0 or index == len(table.rows):
            progress(index, len(table.rows))
    return parsed


def _item_key(values: dict[str, Any]) -> tuple[str, str, str, str, str]:
    return (
        values["plan"],
        values["work"],
        values["budget_group"],
        values["expense_category"],
        values["item"],
    )


def import_budget(
    *, municipality, name: str, data: bytes, actor=None, note: str = "", progress: Progress = _noop
) -> ImportResult:
    result = ImportResult()
    parsed = _parse_all(name, data, BUDGET_COLUMNS, result, progress)
    years = {values["fiscal_year"] for _n, values in parsed}
    first_year = parsed[0][1]["fiscal_year"] if parsed else None
    seen: dict[tuple, int] = {}
    lines = []
    for number, values in parsed:
        if values["fiscal_year"] != first_year:
            result.errors.add(
                number,
                YEAR.label,
                gettext_noop(
                    "One file holds one fiscal year: this row says %(year)s, the first row %(first)s."
                ),
                year=values["fiscal_year"],
                first=first_year,
            )
        key = _item_key(values)
        if key in seen:
            result.errors.add(
                number,
                ITEM.label,
                gettext_noop(
                    "The same item appears again (first on row %(row)s); put it on one line."
                ),
                row=seen[key],
            )
            continue
        seen[key] = number
        lines.append(services.BudgetLineInput(key=key, amount=values["amount"]))
    if result.errors:
        return result
    version = services.budget_import(
        municipality=municipality,
        fiscal_year=first_year,
        lines=lines,
        actor=actor,
        source_name=name,
        note=note,
    )
    result.summary = {
        "fiscal_year": first_year,
        "version": version.number,
        "total": str(version.total),
        "lines": version.line_count,
        "years": sorted(years),
    }
    return result


def _budgets(municipality, parsed) -> dict[int, Budget]:
    years = {values["fiscal_year"] for _n, values in parsed if values.get("fiscal_year")}
    return {
        b.fiscal_year: b
        for b in Budget.objects.filter(municipality=municipality, fiscal_year__in=years)
    }


def _items(budgets: dict[int, Budget]) -> dict[tuple[int, tuple], BudgetItem]:
    return {
        (item.budget.fiscal_year, item.key): item
        for item in BudgetItem.objects.filter(budget__in=budgets.values()).select_related("budget")
    }


def _projects(municipality) -> dict[str, Project]:
    return {p.code: p for p in Project.objects.filter(municipality=municipality)}


def _check_year(result, number, values, budgets) -> Budget | None:
    budget = budgets.get(values["fiscal_year"])
    if budget is None:
        result.errors.add(
            number,
            YEAR.label,
            gettext_noop(
                "There is no budget for fiscal year %(year)s yet: import the budget first."
            ),
            year=values["fiscal_year"],
        )
    return budget


def _check_project(result, number, values, projects) -> Project | None:
    code = values.get("project")
    if not code:
        return None
    project = projects.get(code)
    if project is None:
        result.errors.add(
            number, PROJECT_CODE.label, gettext_noop("No project has the code %(code)s."), code=code
        )
    return project


def import_disbursements(
    *, municipality, name: str, data: bytes, actor=None, note: str = "", progress: Progress = _noop
) -> ImportResult:
    result = ImportResult()
    parsed = _parse_all(name, data, DISBURSEMENT_COLUMNS, result, progress)
    budgets = _budgets(municipality, parsed)
    items = _items(budgets)
    projects = _projects(municipality)
    seen: dict[tuple, int] = {}
    rows = []
    for number, values in parsed:
        budget = _check_year(result, number, values, budgets)
        project = _check_project(result, number, values, projects)
        if budget is None:
            continue
        item = items.get((budget.fiscal_year, _item_key(values)))
        if item is None:
            result.errors.add(
                number,
                ITEM.label,
                gettext_noop(
                    "No such item in the %(year)s budget (plan, work, budget group, category and item must match it)."
                ),
                year=budget.fiscal_year,
            )
            continue
        if values["amount"] <= 0:
            result.errors.add(number, AMOUNT.label, gettext_noop("The amount must be positive."))
        ref_key = (budget.fiscal_year, values["reference"])
        if ref_key in seen:
            result.errors.add(
                number,
                "reference",
                gettext_noop("The same voucher number appears again (first on row %(row)s)."),
                row=seen[ref_key],
            )
            continue
        seen[ref_key] = number
        rows.append((number, budget, item, project, values))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for number, budget, item, project, values in rows:
                try:
                    services.disbursement_create(
                        budget=budget,
                        item=item,
                        paid_on=values["paid_on"],
                        amount=values["amount"],
                        reference=values["reference"],
                        description=values.get("description") or "",
                        project=project,
                        actor=actor,
                    )
                except ValidationError as error:
                    result.errors.add(
                        number,
                        "reference",
                        gettext_noop("%(reason)s"),
                        reason=" ".join(error.messages),
                    )
            if result.errors:
                raise _Rollback
    except _Rollback:
        return result
    result.summary = {
        "rows": len(rows),
        "amount": str(sum((r[4]["amount"] for r in rows), Decimal(0))),
    }
    return result


class _Rollback(Exception):
    pass


def import_procurement(
    *, municipality, name: str, data: bytes, actor=None, note: str = "", progress: Progress = _noop
) -> ImportResult:
    result = ImportResult()
    parsed = _parse_all(name, data, PROCUREMENT_COLUMNS, result, progress)
    budgets = _budgets(municipality, parsed)
    projects = _projects(municipality)
    seen: dict[str, int] = {}
    rows = []
    for number, values in parsed:
        budget = _check_year(result, number, values, budgets)
        project = _check_project(result, number, values, projects)
        if values["reference"] in seen:
            result.errors.add(
                number,
                "reference",
                gettext_noop("The same e-GP number appears again (first on row %(row)s)."),
                row=seen[values["reference"]],
            )
            continue
        seen[values["reference"]] = number
        if budget is not None:
            rows.append((number, budget, project, values))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for number, budget, project, values in rows:
                try:
                    services.procurement_award_create(
                        budget=budget,
                        reference=values["reference"],
                        title=values["title"],
                        method=values["method"],
                        winner_name=values["winner"],
                        winner_kind=values["winner_kind"],
                        amount=values["amount"],
                        awarded_on=values["awarded_on"],
                        project=project,
                        actor=actor,
                    )
                except ValidationError as error:
                    result.errors.add(
                        number,
                        "reference",
                        gettext_noop("%(reason)s"),
                        reason=" ".join(error.messages),
                    )
            if result.errors:
                raise _Rollback
    except _Rollback:
        return result
    result.summary = {
        "rows": len(rows),
        "amount": str(sum((r[3]["amount"] for r in rows), Decimal(0))),
    }
    return result


def import_projects(
    *, municipality, name: str, data: bytes, actor=None, note: str = "", progress: Progress = _noop
) -> ImportResult:
    from thesaban.municipalities.models import Community

    result = ImportResult()
    parsed = _parse_all(name, data, PROJECT_COLUMNS, result, progress)
    budgets = _budgets(municipality, parsed)
    items = _items(budgets)
    communities = {c.code: c for c in Community.objects.filter(municipality=municipality)}
    seen: dict[str, int] = {}
    rows = []
    for number, values in parsed:
        if values["code"] in seen:
            result.errors.add(
                number,
                "code",
                gettext_noop("The same project code appears again (first on row %(row)s)."),
                row=seen[values["code"]],
            )
            continue
        seen[values["code"]] = number
        item = None
        key_parts = [
            values.get(k) for k in ("plan", "work", "budget_group", "expense_category", "item")
        ]
        if any(key_parts) or values.get("fiscal_year"):
            if not values.get("fiscal_year") or not all(key_parts):
                result.errors.add(
                    number,
                    ITEM.label,
                    gettext_noop(
                        "To link a budget item give the fiscal year, plan, work, budget group, category and item."
                    ),
                )
                continue
            budget = _check_year(result, number, values, budgets)
            if budget is None:
                continue
            item = items.get((budget.fiscal_year, tuple(key_parts)))
            if item is None:
                result.errors.add(
                    number,
                    ITEM.label,
                    gettext_noop(
                        "No such item in the %(year)s budget (plan, work, budget group, category and item must match it)."
                    ),
                    year=budget.fiscal_year,
                )
                continue
        community = None
        if values.get("community"):
            community = communities.get(values["community"])
            if community is None:
                result.errors.add(
                    number,
                    "community",
                    gettext_noop("No community has the code %(code)s."),
                    code=values["community"],
                )
                continue
        if (values.get("lat") is None) != (values.get("lng") is None):
            result.errors.add(
                number, "lat/lng", gettext_noop("Give both latitude and longitude, or neither.")
            )
            continue
        rows.append((values, item, community))
    if result.errors:
        return result
    with transaction.atomic():
        for values, item, community in rows:
            services.project_save(
                municipality=municipality,
                code=values["code"],
                actor=actor,
                name_th=values["name_th"],
                name_en=values.get("name_en") or "",
                planned_amount=values["planned_amount"],
                status=values["status"],
                progress=values["progress"],
                budget_item=item,
                community=community,
                lat=values.get("lat"),
                lng=values.get("lng"),
                starts_on=values.get("starts_on"),
                ends_on=values.get("ends_on"),
            )
    result.summary = {"rows": len(rows)}
    return result


IMPORTERS = {
    ImportJob.Kind.BUDGET: import_budget,
    ImportJob.Kind.DISBURSEMENTS: import_disbursements,
    ImportJob.Kind.PROCUREMENT: import_procurement,
    ImportJob.Kind.PROJECTS: import_projects,
}

COLUMNS = {
    ImportJob.Kind.BUDGET: BUDGET_COLUMNS,
    ImportJob.Kind.DISBURSEMENTS: DISBURSEMENT_COLUMNS,
    ImportJob.Kind.PROCUREMENT: PROCUREMENT_COLUMNS,
    ImportJob.Kind.PROJECTS: PROJECT_COLUMNS,
}


def run_import_job(job: ImportJob) -> ImportJob:
    """Checks and imports a stored upload, saving progress on the job as it goes."""
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.VALIDATING)

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    with job.file.open("rb") as handle:
        data = handle.read()
    importer = IMPORTERS[job.kind]
    try:
        result = importer(
            municipality=job.municipality,
            name=job.original_name,
            data=data,
            actor=job.created_by,
            note=job.note,
            progress=progress,
        )
    except ValidationError as error:
        result = ImportResult()
        result.errors.add(0, "", gettext_noop("%(reason)s"), reason=" ".join(error.messages))
    job.refresh_from_db()
    job.errors = result.errors.items
    job.rows_total = result.rows
    job.rows_done = result.rows if result.ok else job.rows_done
    job.state = ImportJob.State.DONE if result.ok else ImportJob.State.FAILED
    job.result = {k: v for k, v in result.summary.items() if not k.startswith("_")}
    job.result["truncated"] = result.errors.truncated
    job.finished_at = timezone.now()
    job.save(update_fields=["errors", "rows_total", "rows_done", "state", "result", "finished_at"])
    return job
