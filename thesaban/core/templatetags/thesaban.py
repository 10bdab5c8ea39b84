"""Template filters every page uses; loaded as a builtin (see TEMPLATES in settings)."""

from django import template
from django.utils import translation

from thesaban.core import dates

register = template.Library()


@register.filter
def thaidate(value):
    return dates.format_date(value)


@register.filter
def thaidatetime(value):
    return dates.format_datetime(value)


@register.filter
def localized(obj, field: str = "name"):
    """`{{ municipality|localized }}` picks `name_th` or `name_en` by the active language."""
    if obj is None:
        return ""
    language = "en" if (translation.get_language() or "th").startswith("en") else "th"
    if isinstance(obj, dict):  # e.g. a category's extra question (reports/questions.py)
        return obj.get(f"{field}_{language}") or obj.get(f"{field}_th", "")
    value = getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_th", "")
    return value


@register.simple_tag(takes_context=True)
def query_transform(context, **kwargs):
    """The current query string with some parameters replaced (pagination keeps filters)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
