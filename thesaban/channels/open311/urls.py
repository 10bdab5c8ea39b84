"""Open311 GeoReport v2, mounted at /open311/v2/ by ChannelsConfig.site_urls.

Every resource answers in XML (`.xml`, the spec's required format) and JSON (`.json`).
"""

from django.urls import path, re_path

from thesaban.channels.open311 import views

app_name = "open311"
FORMAT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    path("", views.discovery, {"fmt": "xml"}, name="root"),
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, views.service_list, name="services"),
    re_path(
        r"^services/(?P<service_code>[^/]+)" + FORMAT, views.service_definition, name="service"
    ),
    re_path(r"^requests" + FORMAT, views.service_requests, name="requests"),
    re_path(
        r"^requests/(?P<service_request_id>[^/]+)" + FORMAT, views.service_request, name="request"
    ),
    re_path(r"^tokens/(?P<token>[^/]+)" + FORMAT, views.token, name="token"),
    # Anything else: the spec's 404 error list (JSON when the path ends in .json).
    re_path(r"^(?P<path>.*?)(?:\.(?P<fmt>[A-Za-z0-9]{1,10}))?$", views.unknown, name="unknown"),
]
