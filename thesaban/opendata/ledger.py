"""What of the open-data records goes into the transparency ledger, and how.

`register_record_types()` (called from OpendataConfig.ready) tells the ledger how to derive the
public leaf of each record type; services call `record()` inside their transaction. A leaf
holds public figures only: no staff member, no free-text description that could name a person,
and a procurement winner's name only when the winner is a juristic person (a company's name is
published by e-GP anyway; a natural person's is personal data under the PDPA).
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Model

from thesaban.opendata.budget import money

BUDGET_VERSION = "budget_version"
BUDGET_CHANGE = "budget_change"
DISBURSEMENT = "disbursement"
PROCUREMENT_AWARD = "procurement_award"


def _item_key(item) -> dict[str, str] | None:
    if item is None:
        return None
    return {
        "plan": item.plan,
        "work": item.work,
        "budget_group": item.budget_group,
        "expense_category": item.expense_category,
        "item": item.item,
    }


def budget_version_leaf(version) -> dict[str, Any]:
    by_group: dict[str, Decimal] = defaultdict(Decimal)
    by_plan: dict[str, Decimal] = defaultdict(Decimal)
    for plan, group, amount in version.lines.values_list(
        "item__plan", "item__budget_group", "amount"
    ):
        by_group[group] += amount
        by_plan[plan] += amount
    return {
        "fiscal_year": version.budget.fiscal_year,
        "version": version.number,
        "kind": version.kind,
        "total": money(version.total),
        "line_count": version.line_count,
        "lines_sha256": version.digest,
        "by_budget_group": {k: money(v) for k, v in sorted(by_group.items())},
        "by_plan": {k: money(v) for k, v in sorted(by_plan.items())},
    }


def budget_change_leaf(change) -> dict[str, Any]:
    return {
        "fiscal_year": change.budget.fiscal_year,
        "version": change.version.number,
        "kind": change.kind,
        "from": _item_key(change.from_item),
        "to": _item_key(change.to_item),
        "amount": money(change.amount),
        "reason": change.reason,
        "reference": change.reference,
        "approved_on": change.approved_on.isoformat(),
    }


def disbursement_leaf(disbursement) -> dict[str, Any]:
    return {
        "fiscal_year": disbursement.budget.fiscal_year,
        "reference": disbursement.reference,
        "paid_on": disbursement.paid_on.isoformat(),
        "amount": money(disbursement.amount),
        "item": _item_key(disbursement.item),
        "project": disbursement.project.code if disbursement.project_id else None,
    }


def procurement_award_leaf(award) -> dict[str, Any]:
    juristic = award.winner_kind == award.WinnerKind.JURISTIC
    return {
        "fiscal_year": award.budget.fiscal_year,
        "reference": award.reference,
        "title": award.title,
        "method": award.method,
        "winner_kind": award.winner_kind,
        "winner": award.winner_name if juristic else None,
        "amount": money(award.amount),
        "awarded_on": award.awarded_on.isoformat(),
        "project": award.project.code if award.project_id else None,
    }


def _backfill(model_name: str, order: tuple[str, ...]):
    def records(municipality):
        from django.apps import apps

        return (
            apps.get_model("opendata", model_name)
            .objects.filter(municipality=municipality)
            .order_by(*order)
        )

    return records


# record type -> (model, derive, select_related, backfill)
RECORD_TYPES = {
    BUDGET_VERSION: (
        "opendata.BudgetVersion",
        budget_version_leaf,
        ("budget",),
        _backfill("BudgetVersion", ("created_at", "id")),
    ),
    BUDGET_CHANGE: (
        "opendata.BudgetChange",
        budget_change_leaf,
        ("budget", "version", "from_item", "to_item"),
        _backfill("BudgetChange", ("created_at", "id")),
    ),
    DISBURSEMENT: (
        "opendata.Disbursement",
        disbursement_leaf,
        ("budget", "item", "project"),
        _backfill("Disbursement", ("created_at", "id")),
    ),
    PROCUREMENT_AWARD: (
        "opendata.ProcurementAward",
        procurement_award_leaf,
        ("budget", "project"),
        _backfill("ProcurementAward", ("created_at", "id")),
    ),
}


def ledger_installed() -> bool:
    """The ledger app is an optional neighbour: without it the portal works, unlogged."""
    return importlib.util.find_spec("thesaban.ledger.services") is not None


def register_record_types() -> None:
    if not ledger_installed():
        return
    from thesaban.ledger.registry import record_types

    for record_type, (model, derive, joins, backfill) in RECORD_TYPES.items():
        record_types.register(
            record_type, model=model, derive_leaf=derive, select_related=joins, backfill=backfill
        )


def record(*, municipality, record_type: str, record: Model):
    """Append the record's leaf to the municipality's ledger (inside the caller's transaction)."""
    if not ledger_installed():
        return None
    from thesaban.ledger.services import ledger_append

    return ledger_append(municipality=municipality, record_type=record_type, record=record)


def entry_for(record: Model):
    if not ledger_installed():
        return None
    from thesaban.ledger.selectors import ledger_entry_for

    return ledger_entry_for(record=record)


def entry_urls(records) -> dict[Any, str]:
    """{record: its ledger entry's page} for many records in one query ("" when not logged)."""
    records = list(records)
    if not records or not ledger_installed():
        return {record: "" for record in records}
    from thesaban.ledger.selectors import ledger_entries_for

    found = ledger_entries_for(records=records)
    return {
        record: (
            entry.get_absolute_url()
            if (entry := found.get((record._meta.label_lower, str(record.pk)))) is not None
            else ""
        )
        for record in records
    }
