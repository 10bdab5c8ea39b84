"""API keys for integrators (Open311, the JSON API): issue, list, revoke.

The tenancy middleware has let only staff of this municipality in; the rule
`channels.manage_api_keys` then admits administrators alone. A new key is shown once, on the
page that answers the POST (never stored, never in a redirect or the session).
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from thesaban.channels import selectors, services
from thesaban.channels.access import access_api_key
from thesaban.channels.forms import ApiKeyCreateForm, ApiKeyRevokeForm


def _require_administrator(request: HttpRequest) -> None:
    if not rules.has_perm("channels.manage_api_keys", request.user, request.municipality):
        raise PermissionDenied(_("Only the municipality's administrators manage API keys."))


@never_cache
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    municipality = request.municipality
    form = ApiKeyCreateForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            api_key, raw = services.api_key_create(
                municipality=municipality, name=form.cleaned_data["name"], actor=request.user
            )
            new_key = {"api_key": api_key, "raw": raw}
            form = ApiKeyCreateForm()
        else:
            status = 400
    return render(
        request,
        "channels/api_keys.html",
        {
            "staff_section": "integrations",
            "form": form,
            "new_key": new_key,
            "keys": selectors.api_keys_of(municipality=municipality),
            "open311_url": request.build_absolute_uri(reverse("open311:root")),
        },
        status=status,
    )


@require_POST
def api_key_revoke(request: HttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = ApiKeyRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a key to revoke."))
    else:
        api_key = access_api_key(municipality=request.municipality, key_id=form.cleaned_data["key"])
        services.api_key_revoke(api_key=api_key, actor=request.user)
        messages.success(
            request,
            _("The key %(prefix)s… of %(name)s is revoked; it no longer works.")
            % {"prefix": api_key.prefix, "name": api_key.name},
        )
    return redirect("staff:integrations:keys", request.municipality.slug)
