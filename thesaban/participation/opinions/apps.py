from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    """Statements that participants agree or disagree with, and the opinion groups they form
    (as Pol.is does)."""

    name = "thesaban.participation.opinions"
    label = "opinions"
    verbose_name = _("Opinion groups")
    municipality_urls = [("opinions/", "thesaban.participation.opinions.urls")]
    staff_urls = [("opinions/", "thesaban.participation.opinions.staff_urls")]

    def ready(self) -> None:
        from thesaban.core.registry import StaffSection, staff_sections
        from thesaban.participation.opinions.panels import process_opinions
        from thesaban.participation.registry import ProcessPanel, process_panels

        process_panels.register(
            ProcessPanel("opinions", "opinions/_process_panel.html", process_opinions, order=20)
        )
        staff_sections.register(
            StaffSection(
                "opinions",
                _("Opinion groups"),
                "staff:opinions:index",
                order=62,
                permission="opinions.view_staff",
            )
        )
