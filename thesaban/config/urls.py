from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from thesaban.core.registry import app_urls
from thesaban.core.views import serve_media
from thesaban.municipalities import views as municipality_views

admin.site.site_header = "Thesaban"
admin.site.site_title = "Thesaban"

urlpatterns = [
    path("", municipality_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("thesaban.accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", municipality_views.healthz, name="healthz"),
]
if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", serve_media, name="media"))

# Site-wide entry points that apps declare (Open311, the JSON API, the CKAN API...).
urlpatterns += [path(prefix, include(module)) for prefix, module in app_urls("site_urls")]

# Everything of one municipality lives under /<slug>/; the tenancy middleware resolves the slug.
urlpatterns += [
    path("<slug:municipality>/", municipality_views.municipality_home, name="municipality_home"),
    path("<slug:municipality>/staff/", include("thesaban.core.staff_urls")),
]
urlpatterns += [
    path(f"<slug:municipality>/{prefix}", include(module))
    for prefix, module in app_urls("municipality_urls")
]
