"""Money as people read it: full baht with separators, or short (ล้าน / million)."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.translation import gettext as _


def baht(value) -> str:
    if value is None:
        return "–"
    return f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def baht_short(value) -> str:
    if value is None:
        return "–"
    number = Decimal(value)
    if abs(number) >= Decimal(1_000_000):
        millions = (number / Decimal(1_000_000)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return _("%(amount)s M baht") % {"amount": f"{millions:,}"}
    if abs(number) >= Decimal(1_000):
        thousands = (number / Decimal(1_000)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return _("%(amount)s k baht") % {"amount": f"{thousands:,}"}
    return _("%(amount)s baht") % {"amount": baht(number)}


def is_thai() -> bool:
    return not (translation.get_language() or "th").startswith("en")
