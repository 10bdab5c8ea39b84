"""Staff page of the LINE channel: administrators enter the channel secret and access token."""

from __future__ import annotations

import rules
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from thesaban.channels.line import selectors, services
from thesaban.channels.line.forms import LineChannelForm
from thesaban.core.forms import apply_validation_error


def channel_settings(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    if not rules.has_perm("line.manage_channel", request.user, municipality):
        raise PermissionDenied(_("Only administrators of this municipality manage LINE."))
    channel = selectors.line_channel_of(municipality=municipality)
    if request.method == "POST":
        form = LineChannelForm(request.POST)
        if form.is_valid():
            try:
                services.line_channel_save(
                    municipality=municipality,
                    actor=request.user,
                    channel_secret=form.cleaned_data["channel_secret"],
                    access_token=form.cleaned_data["access_token"],
                    is_active=form.cleaned_data["is_active"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The LINE settings were saved."))
                return redirect("staff:line_channel:settings", municipality.slug)
    else:
        form = LineChannelForm(initial={"is_active": channel.is_active if channel else True})
    # LINE calls the public address of this install (it must be HTTPS in production).
    webhook_url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
        "line:webhook", kwargs={"municipality": municipality.slug}
    )
    return render(
        request,
        "line/staff/settings.html",
        {
            "staff_section": "line",
            "form": form,
            "channel": channel,
            "webhook_url": webhook_url,
            "stats": selectors.line_channel_stats(municipality=municipality),
        },
    )
