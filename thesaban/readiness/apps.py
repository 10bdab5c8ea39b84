from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_indicator_files(sender, **kwargs) -> None:
    from thesaban.readiness.services import indicator_set_load_files

    indicator_set_load_files()


class ReadinessConfig(AppConfig):
    """Digital readiness: the MDT assessment, the Digital Municipality Index and networks."""

    name = "thesaban.readiness"
    label = "readiness"
    verbose_name = _("Digital readiness")
    site_urls = [("networks/", "thesaban.readiness.network_urls")]
    municipality_urls = [("readiness/", "thesaban.readiness.urls")]
    staff_urls = [("readiness/", "thesaban.readiness.staff_urls")]

    def ready(self) -> None:
        from thesaban.core.registry import StaffSection, staff_sections
        from thesaban.readiness import live  # noqa: F401  (registers the live indicators)

        staff_sections.register(
            StaffSection(
                "readiness",
                _("Digital readiness"),
                "staff:readiness:overview",
                order=70,
                permission="readiness.view_assessment",
            )
        )
        post_migrate.connect(_load_indicator_files, sender=self)
