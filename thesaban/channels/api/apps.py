from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API (/api/v1/) for residents' and staff apps, built with django-ninja."""

    name = "thesaban.channels.api"
    label = "channels_api"
    verbose_name = _("JSON API")
    site_urls = [("api/v1/", "thesaban.channels.api.urls")]
