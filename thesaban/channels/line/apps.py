from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LineConfig(AppConfig):
    """Reporting through a municipality's LINE Official Account (Messaging API webhook)."""

    name = "thesaban.channels.line"
    label = "line"
    verbose_name = _("LINE")
    municipality_urls = [("line/", "thesaban.channels.line.urls")]
    staff_urls = [("line/", "thesaban.channels.line.staff_urls")]

    def ready(self) -> None:
        from thesaban.channels.line import rules as _rules  # noqa: F401  (registers the rules)
        from thesaban.channels.line.services import send_delivery
        from thesaban.core.registry import StaffSection, staff_sections
        from thesaban.notifications.registry import register_sender

        register_sender("line", send_delivery)
        staff_sections.register(
            StaffSection(
                "line",
                _("LINE"),
                "staff:line_channel:settings",
                order=80,
                permission="line.manage_channel",
            )
        )
