from django import template

from thesaban.opendata import formatting

register = template.Library()


@register.filter
def baht(value):
    return formatting.baht(value)


@register.filter
def baht_short(value):
    return formatting.baht_short(value)


@register.filter
def percent_of(part, whole):
    """`{{ disbursed|percent_of:planned }}` as a whole percentage, 0 when there is nothing planned."""
    try:
        return round(100 * part / whole) if whole else 0
    except (TypeError, ValueError, ArithmeticError):
        return 0


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
