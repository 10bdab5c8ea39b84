from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def baht(value) -> str:
    """`1,250,000 บาท` / `1,250,000 baht`; satang shown only when there are any."""
    if value in (None, ""):
        return ""
    amount = Decimal(value)
    text = f"{amount:,.2f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"
    return _("%(amount)s baht") % {"amount": text}


@register.filter
def percent(value, digits: int = 1) -> str:
    return f"{float(value or 0):.{int(digits)}f} %"
