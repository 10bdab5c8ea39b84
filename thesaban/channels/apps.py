from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    """Every way into reporting besides the web form: Open311 and integrators' API keys here;
    the JSON API and LINE in the sub-apps channels.api and channels.line."""

    name = "thesaban.channels"
    label = "channels"
    verbose_name = _("Channels")
    site_urls = [("open311/v2/", "thesaban.channels.open311.urls")]
    staff_urls = [("integrations/", "thesaban.channels.staff_urls")]

    def ready(self) -> None:
        from thesaban.core.registry import StaffSection, staff_sections

        staff_sections.register(
            StaffSection(
                "integrations",
                _("Integrations"),
                "staff:integrations:keys",
                order=80,
                permission="channels.manage_api_keys",
            )
        )
