"""The LINE settings page, mounted at /<slug>/staff/line/ inside the guarded `staff` namespace;
reverse as `staff:line_channel:settings`."""

from django.urls import path

from thesaban.channels.line import staff_views

app_name = "line_channel"
urlpatterns = [path("", staff_views.channel_settings, name="settings")]
