"""Budget vocabulary and the canonical digest of a version's lines."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal

from thesaban.opendata.models import BudgetGroup

# Every spelling of a budget group that files use: code, Thai, English.
GROUP_NAMES: dict[str, str] = {
    "central": BudgetGroup.CENTRAL,
    "งบกลาง": BudgetGroup.CENTRAL,
    "central fund": BudgetGroup.CENTRAL,
    "central budget": BudgetGroup.CENTRAL,
    "personnel": BudgetGroup.PERSONNEL,
    "งบบุคลากร": BudgetGroup.PERSONNEL,
    "personnel budget": BudgetGroup.PERSONNEL,
    "operating": BudgetGroup.OPERATING,
    "งบดำเนินงาน": BudgetGroup.OPERATING,
    "operating budget": BudgetGroup.OPERATING,
    "operations": BudgetGroup.OPERATING,
    "investment": BudgetGroup.INVESTMENT,
    "งบลงทุน": BudgetGroup.INVESTMENT,
    "investment budget": BudgetGroup.INVESTMENT,
    "capital": BudgetGroup.INVESTMENT,
    "subsidy": BudgetGroup.SUBSIDY,
    "subsidies": BudgetGroup.SUBSIDY,
    "งบเงินอุดหนุน": BudgetGroup.SUBSIDY,
    "grants": BudgetGroup.SUBSIDY,
    "other": BudgetGroup.OTHER,
    "งบรายจ่ายอื่น": BudgetGroup.OTHER,
    "other expenditure": BudgetGroup.OTHER,
}

GROUP_THAI = {
    BudgetGroup.CENTRAL: "งบกลาง",
    BudgetGroup.PERSONNEL: "งบบุคลากร",
    BudgetGroup.OPERATING: "งบดำเนินงาน",
    BudgetGroup.INVESTMENT: "งบลงทุน",
    BudgetGroup.SUBSIDY: "งบเงินอุดหนุน",
    BudgetGroup.OTHER: "งบรายจ่ายอื่น",
}
GROUP_ORDER = list(GROUP_THAI)

ItemKey = tuple[str, str, str, str, str]  # plan, work, budget group, expense category, item


def money(value: Decimal) -> str:
    """Amounts in leaves and digests: always two decimals, no separators."""
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


def lines_digest(lines: Iterable[tuple[ItemKey, Decimal]]) -> str:
    """SHA-256 (hex) of the version's lines, sorted, one canonical JSON array per line:
    `["plan","work","group code","expense category","item","1234.00"]` joined by newlines.
    docs/opendata.md shows how to recompute it from the published CSV."""
    text = "\n".join(
        sorted(
            json.dumps([*key, money(amount)], ensure_ascii=False, separators=(",", ":"))
            for key, amount in lines
        )
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def item_key_hash(key: ItemKey) -> str:
    return hashlib.sha256(
        json.dumps(list(key), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    ).hexdigest()
