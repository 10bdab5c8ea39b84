"""The one mechanism that scopes requests to a municipality.

Every URL of a municipality's site has the form `/<slug>/...`, captured as the keyword
`municipality`. This middleware resolves it once, attaches `request.municipality` and the
visitor's `request.staff_role` there, and enforces staff access for every URL whose name is
in a staff namespace: views never resolve the municipality or check staff membership
themselves. Object lookups then go through `access_*` helpers that filter by
`request.municipality`, so another municipality's object is a 404.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from thesaban.municipalities.models import Municipality

STAFF_NAMESPACES = {"staff"}


def is_staff_route(resolver_match) -> bool:
    return bool(STAFF_NAMESPACES.intersection(resolver_match.namespaces))


class MunicipalityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.municipality = None
        request.staff_role = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.pop("municipality", None)
        if slug is None:
            return None
        try:
            municipality = Municipality.objects.get(slug=slug, is_active=True)
        except Municipality.DoesNotExist:
            raise Http404("No such municipality") from None
        request.municipality = municipality
        if request.user.is_authenticated:
            from thesaban.accounts.selectors import staff_role_for

            request.staff_role = staff_role_for(user=request.user, municipality=municipality)
        if is_staff_route(request.resolver_match):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.staff_role is None:
                raise PermissionDenied("Not staff of this municipality")
        return None
