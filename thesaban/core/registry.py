"""Registries that features plug into, so the core never names them.

- URLs: an app's AppConfig may declare `site_urls`, `municipality_urls` and `staff_urls`, each a
  list of `(prefix, urlconf module)`. `config/urls.py` mounts them at `/<prefix>`,
  `/<slug>/<prefix>` and `/<slug>/staff/<prefix>` (the last inside the guarded `staff`
  namespace, so reverse them as `staff:<their app_name>:<name>`).
- Public navigation: `public_sections.register(PublicSection(...))` adds a link to a
  municipality's main menu.
- Staff navigation: `staff_sections.register(StaffSection(...))` from an AppConfig.ready() adds a
  link to the back-office menu, shown to staff whose role passes `permission` (a rules name).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps


def app_urls(attribute: str) -> list[tuple[str, str]]:
    mounted: list[tuple[str, str]] = []
    for config in apps.get_app_configs():
        mounted.extend(getattr(config, attribute, []))
    return mounted


# First path segments the site itself uses (config/urls.py), besides the apps' site_urls.
SITE_SEGMENTS = {"accounts", "admin", "i18n", "healthz", "media", "static", "api", "open311"}


def reserved_path_segments() -> set[str]:
    return SITE_SEGMENTS | {prefix.split("/")[0] for prefix, _module in app_urls("site_urls")}


@dataclass(frozen=True)
class StaffSection:
    key: str  # compared with the page's `staff_section` to mark the current link
    label: str  # a lazy translation
    url_name: str  # reversed with the municipality's slug as its only argument
    order: int = 100
    permission: str | None = None  # a rules permission checked with request.municipality


@dataclass
class StaffSectionRegistry:
    _sections: dict[str, StaffSection] = field(default_factory=dict)

    def register(self, section: StaffSection) -> None:
        self._sections[section.key] = section

    def visible_to(self, user, municipality) -> list[StaffSection]:
        return [
            section
            for section in sorted(self._sections.values(), key=lambda s: (s.order, s.key))
            if section.permission is None or user.has_perm(section.permission, municipality)
        ]


staff_sections = StaffSectionRegistry()


@dataclass(frozen=True)
class PublicSection:
    """A link in a municipality's main menu (reports, participation, open data...)."""

    key: str
    label: str
    url_name: str  # reversed with the municipality's slug as its only argument
    order: int = 100


@dataclass
class PublicSectionRegistry:
    _sections: dict[str, PublicSection] = field(default_factory=dict)

    def register(self, section: PublicSection) -> None:
        self._sections[section.key] = section

    def all(self) -> list[PublicSection]:
        return sorted(self._sections.values(), key=lambda s: (s.order, s.key))


public_sections = PublicSectionRegistry()
