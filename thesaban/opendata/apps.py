from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """The Open Data Local Portal: budget, spending, procurement, datasets and the CKAN API."""

    name = "thesaban.opendata"
    label = "opendata"
    verbose_name = _("Open data")
    # CKAN serves its Action API at both paths; `ckanapi.RemoteCKAN` calls /api/action/.
    site_urls = [
        ("api/3/action/", "thesaban.opendata.ckan_urls"),
        ("api/action/", "thesaban.opendata.ckan_urls_legacy"),
    ]
    municipality_urls = [("opendata/", "thesaban.opendata.urls")]
    staff_urls = [("opendata/", "thesaban.opendata.staff_urls")]

    def ready(self) -> None:
        from thesaban.core.registry import (
            PublicSection,
            StaffSection,
            public_sections,
            staff_sections,
        )
        from thesaban.opendata import ledger, rules  # noqa: F401 - registers the permissions
        from thesaban.opendata.sources import register_builtin_sources

        register_builtin_sources()
        ledger.register_record_types()
        public_sections.register(
            PublicSection("opendata", _("Budget and open data"), "opendata:home", order=50)
        )
        staff_sections.register(
            StaffSection(
                "opendata",
                _("Open data and budget"),
                "staff:opendata:index",
                order=60,
                permission="opendata.view_back_office",
            )
        )
