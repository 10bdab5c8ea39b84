from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    """Themes in the comments of a process or a document section, with Thai keywords."""

    name = "thesaban.insight.topics"
    label = "topics"
    verbose_name = _("Themes in comments")
    staff_urls = [("topics/", "thesaban.insight.topics.staff_urls")]

    def ready(self) -> None:
        from thesaban.core.registry import StaffSection, staff_sections
        from thesaban.insight.topics.panels import process_themes
        from thesaban.participation.registry import ProcessPanel, process_panels

        process_panels.register(
            ProcessPanel("topics", "topics/_process_panel.html", process_themes, order=50)
        )
        staff_sections.register(
            StaffSection(
                "topics",
                _("Themes in comments"),
                "staff:topics:index",
                order=42,
                permission="topics.view",
            )
        )
