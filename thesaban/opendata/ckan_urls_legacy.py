"""The same Action API at /api/action/<action>, the path CKAN also answers and ckanapi uses."""

from django.urls import path

from thesaban.opendata import ckan_views

app_name = "ckan_legacy"
urlpatterns = [path("<str:action>", ckan_views.action, name="action")]
