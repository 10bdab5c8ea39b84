"""/api/v1/: the NinjaAPI's URLs, each run in the request's language, and a JSON 404 for the rest."""

import functools

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt

from thesaban.channels.api.api import api


def request_language(request: HttpRequest) -> str:
    """`?lang=` first, then Accept-Language (th or en), else Thai."""
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = request.GET.get("lang", "")
    if chosen in supported:
        return chosen
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    return settings.LANGUAGE_CODE


def in_request_language(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        language = request_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            response.headers["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        return response

    return wrapped


def _localize(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _localize(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = in_request_language(entry.callback)
    return patterns


@csrf_exempt
@in_request_language
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    return JsonResponse({"detail": _("Not found."), "errors": {}}, status=404)


# Not named `app_name`: include() would take a module-level app_name as this module's namespace.
_patterns, _app, _namespace = api.urls
urlpatterns = [
    re_path(r"", (_localize(_patterns), _app, _namespace)),
    re_path(r"^(?P<path>.*)$", not_found, name="api_not_found"),
]
