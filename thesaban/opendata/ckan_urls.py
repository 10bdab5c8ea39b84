"""CKAN's Action API: /api/3/action/<action> (site-wide; each municipality is an organization)."""

from django.urls import path

from thesaban.opendata import ckan_views

app_name = "ckan"
urlpatterns = [path("<str:action>", ckan_views.action, name="action")]
