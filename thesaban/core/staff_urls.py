"""The staff back office: `/<slug>/staff/`, one `staff` namespace that the tenancy middleware
guards. Apps mount their pages here through `AppConfig.staff_urls` (see core/registry.py)."""

from django.urls import include, path

from thesaban.core.registry import app_urls

app_name = "staff"
urlpatterns = [path(prefix, include(module)) for prefix, module in app_urls("staff_urls")]
