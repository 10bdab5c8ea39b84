from django import template
from django.utils.translation import gettext as _

from thesaban.readiness.scoring import MATURITY_LABELS

register = template.Library()


@register.filter
def score(value) -> str:
    """A 0–100 score as a whole number, or a dash when there is none."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.0f}"


@register.filter
def live_value(value, unit: str = "") -> str:
    """A live indicator's value in its unit."""
    if value is None:
        return "—"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "hours":
        return _("%(hours)s h") % {"hours": f"{value:.1f}"}
    if unit == "score_1_5":
        return f"{value:.2f} / 5"
    if unit == "count":
        return f"{value:.0f}"
    return f"{value:.2f}"


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def maturity(code) -> str:
    return str(MATURITY_LABELS.get(code or "", "—"))


@register.filter
def formula(live, language: str = "th") -> str:
    if not live:
        return ""
    return live.get(f"formula_{'en' if (language or '').startswith('en') else 'th'}", "")
