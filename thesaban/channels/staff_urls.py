"""Integrations in the staff back office (/<slug>/staff/integrations/), administrators only."""

from django.urls import path

from thesaban.channels import staff_views as views

app_name = "integrations"
urlpatterns = [
    path("", views.api_keys, name="keys"),
    path("revoke/", views.api_key_revoke, name="revoke"),
]
