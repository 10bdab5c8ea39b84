from types import SimpleNamespace

from django import template
from django.urls import reverse

from thesaban.core.registry import public_sections, staff_sections

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_menu(context) -> list[SimpleNamespace]:
    """The back-office links this staff member may open, in the registry's order."""
    request = context["request"]
    municipality = getattr(request, "municipality", None)
    if municipality is None or not request.user.is_authenticated:
        return []
    return [
        SimpleNamespace(
            key=section.key,
            label=section.label,
            url=reverse(section.url_name, args=[municipality.slug]),
        )
        for section in staff_sections.visible_to(request.user, municipality)
    ]


@register.simple_tag(takes_context=True)
def public_menu(context) -> list[SimpleNamespace]:
    """The municipality's main-menu links the apps registered."""
    municipality = getattr(context["request"], "municipality", None)
    if municipality is None:
        return []
    return [
        SimpleNamespace(
            key=section.key,
            label=section.label,
            url=reverse(section.url_name, args=[municipality.slug]),
        )
        for section in public_sections.all()
    ]
