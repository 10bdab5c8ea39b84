"""Demo data of the open-data portal, for a municipality the demo builder made.

    from thesaban.opendata.demo import load
    load(municipality)            # or: thesaban opendata demo --municipality demo

Imports the sample files in `thesaban/opendata/samples/` through the same importers staff use
(budgets of the current and the previous fiscal year, projects, procurement awards), records
a budget transfer and payments up to today, and publishes the live datasets. The samples are
written for fiscal years 2569 and 2570; when run in a later year the years (and the dates in
them) are moved forward so the demo is always "this year". Idempotent: running it again adds
nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from thesaban.core.dates import BUDDHIST_ERA_OFFSET
from thesaban.opendata import importers, services
from thesaban.opendata.models import Budget, BudgetChange, BudgetVersion, Disbursement, Project

SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_YEAR = 2570  # the "current" fiscal year the sample files are written for


def current_fiscal_year(today: dt.date | None = None) -> int:
    """Thai fiscal years run from 1 October: 1 Oct 2026 starts fiscal year 2570."""
    today = today or timezone.localdate()
    return today.year + BUDDHIST_ERA_OFFSET + (1 if today.month >= 10 else 0)


def sample_text(name: str, shift: int) -> str:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    if not shift:
        return text
    return re.sub(r"\b(25[5-9]\d)\b", lambda m: str(int(m.group(1)) + shift), text)


def _check(result: importers.ImportResult, name: str) -> None:
    if not result.ok:
        problems = "; ".join(
            f"row {e['row']} {e['column']}: {e['en']}" for e in result.errors.items[:5]
        )
        raise RuntimeError(f"the sample {name} does not import: {problems}")


def _fiscal_dates(fiscal_year: int) -> tuple[dt.date, dt.date]:
    start = dt.date(fiscal_year - BUDDHIST_ERA_OFFSET - 1, 10, 1)
    return start, dt.date(start.year + 1, 9, 30)


def _payments(budget: Budget, today: dt.date, rng: random.Random) -> list[list[str]]:
    """Plausible vouchers: salaries monthly, running costs every few weeks, works by stage."""
    start, end = _fiscal_dates(budget.fiscal_year)
    last = min(end, today)
    if last < start:
        return []
    months = []
    day = start
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    version = budget.versions.order_by("-number").first()
    projects = {p.budget_item_id: p for p in Project.objects.filter(budget_item__budget=budget)}
    finished = last == end
    rows: list[list[str]] = []
    number = 0
    for line in version.lines.select_related("item").order_by("item__position"):
        item = line.item
        regular = item.budget_group in ("personnel", "central") or "ค่าไฟฟ้า" in item.item
        if item.budget_group == "investment":
            project = projects.get(item.pk)
            share = Decimal(project.progress if project else (100 if finished else 0)) / 100
            if not share:
                continue
            stages = max(1, min(len(months), 3))
            for stage in range(stages):
                number += 1
                amount = (line.amount * Decimal("0.93") * share / stages).quantize(Decimal("0.01"))
                paid_on = min(months[min(stage, len(months) - 1)] + dt.timedelta(days=20), last)
                rows.append(_row(budget, item, paid_on, amount, number, project))
            continue
        if regular and not finished:
            paid_months, share = months, Decimal(1) / 12  # this year: month by month
        elif regular:
            # a closed year: one voucher a quarter keeps the demo small
            paid_months, share = months[2::3], Decimal(1) / 4
        else:
            paid_months, share = [m for m in months[2::3] if rng.random() < 0.6], Decimal(1) / 4
        for month in paid_months:
            number += 1
            factor = Decimal(str(rng.uniform(0.7, 1.0)))
            amount = (line.amount * share * factor).quantize(Decimal("0.01"))
            paid_on = min(month + dt.timedelta(days=rng.randint(14, 27)), last)
            rows.append(_row(budget, item, paid_on, amount, number, projects.get(item.pk)))
    return rows


def _row(budget, item, paid_on, amount, number, project) -> list[str]:
    return [
        str(budget.fiscal_year),
        item.plan,
        item.work,
        item.budget_group,
        item.expense_category,
        item.item,
        paid_on.isoformat(),
        f"{amount}",
        f"ฎ.{number:05d}/{budget.fiscal_year}",
        project.code if project else "",
    ]


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@transaction.atomic
def load(municipality, *, today: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    today = today or timezone.localdate()
    year = current_fiscal_year(today)
    shift = year - SAMPLE_YEAR
    summary: dict[str, Any] = {"fiscal_year": year}
    for sample, fiscal_year in (("budget-2569.csv", year - 1), ("budget-2570.csv", year)):
        result = importers.import_budget(
            municipality=municipality,
            name=sample,
            data=sample_text(sample, shift).encode("utf-8"),
            note="ข้อมูลตัวอย่าง (demo)",
        )
        _check(result, sample)
        summary[f"budget_{fiscal_year}"] = result.summary["total"]
    result = importers.import_projects(
        municipality=municipality,
        name="projects-2570.csv",
        data=sample_text("projects-2570.csv", shift).encode("utf-8"),
    )
    _check(result, "projects-2570.csv")
    result = importers.import_procurement(
        municipality=municipality,
        name="procurement-2570.csv",
        data=sample_text("procurement-2570.csv", shift).encode("utf-8"),
    )
    _check(result, "procurement-2570.csv")

    current = Budget.objects.get(municipality=municipality, fiscal_year=year)
    if not BudgetChange.objects.filter(budget=current).exists():
        items = {item.item: item for item in current.items.all()}
        services.budget_change_create(
            budget=current,
            kind=BudgetVersion.Kind.TRANSFER,
            amount=Decimal("350000.00"),
            reason="โอนงบประมาณจากงบสำรองจ่ายเพื่อซ่อมแซมถนนที่เสียหายจากน้ำท่วม",
            reference="มติสภาเทศบาล สมัยสามัญที่ 4/" + str(year - 1),
            approved_on=min(today, _fiscal_dates(year)[0] + dt.timedelta(days=30)),
            from_item=items["สำรองจ่าย"],
            to_item=items["ค่าบำรุงรักษาและซ่อมแซมถนนและรางระบายน้ำ"],
        )
    rng = random.Random(f"{municipality.slug}-{year}")
    header = [
        "ปีงบประมาณ",
        "แผนงาน",
        "งาน",
        "งบ",
        "หมวด",
        "รายการ",
        "วันที่จ่าย",
        "จำนวนเงิน",
        "เลขที่ฎีกา",
        "รหัสโครงการ",
    ]
    for budget in Budget.objects.filter(
        municipality=municipality, fiscal_year__in=[year - 1, year]
    ):
        if Disbursement.objects.filter(budget=budget).exists():
            continue
        rows = _payments(budget, today, rng)
        if rows:
            result = importers.import_disbursements(
                municipality=municipality,
                name=f"payments-{budget.fiscal_year}.csv",
                data=_csv(header, rows),
            )
            _check(result, f"payments-{budget.fiscal_year}.csv")
            summary[f"payments_{budget.fiscal_year}"] = len(rows)
    services.datasets_publish_standard(municipality=municipality)
    return summary
