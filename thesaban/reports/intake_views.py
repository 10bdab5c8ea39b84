"""Assisted intake at a community digital centre: a volunteer or an officer submits a report
for a resident without a smartphone and prints them an A6 receipt with the tracking code and
a QR code of the private follow link, so the resident can follow it without an account."""

from __future__ import annotations

import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from thesaban.reports import services
from thesaban.reports.access import access_report
from thesaban.reports.selectors import category_list
from thesaban.reports.staff_forms import AssistedReportForm
from thesaban.reports.views import _follow_link_url, _map_settings


def _require_intake(request: HttpRequest) -> None:
    if not request.user.has_perm("reports.assist_intake", request.municipality):
        raise PermissionDenied(_("Your role does not allow submitting reports for residents."))


@require_http_methods(["GET", "POST"])
def intake_new(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require_intake(request)
    categories = list(category_list(municipality=municipality))
    posted = request.method == "POST"
    form = AssistedReportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        categories=categories,
        initial={"idempotency_key": secrets.token_urlsafe(24)},
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_create_assisted(
                municipality=municipality,
                helper=request.user,
                consent_method=data["consent_method"],
                category=data["category"],
                description=data["description"],
                lat=data["lat"],
                lng=data["lng"],
                address=data["address"],
                resident_name=data.get("reporter_name", ""),
                resident_email=data.get("reporter_email", ""),
                resident_phone=data.get("reporter_phone", ""),
                photos=data["photos"],
                idempotency_key=data["idempotency_key"],
                answers=form.answers(),
            )
        except ValidationError as error:
            form.apply_service_error(error)
        else:
            messages.success(
                request,
                _("The report has the tracking code %(code)s. Print the receipt for the resident.")
                % {"code": report.tracking_code},
            )
            return redirect("staff:intake:receipt", municipality.slug, report.tracking_code)
    return render(
        request,
        "staff/intake_form.html",
        {
            "staff_section": "intake",
            "form": form,
            "categories": categories,
            "photos_dropped": bool(form.errors) and bool(request.FILES),
            "map": _map_settings(municipality),
        },
    )


@require_GET
def intake_receipt(request: HttpRequest, code: str) -> HttpResponse:
    # Look up first: another municipality's code is a 404 whoever asks, like every staff page.
    report = access_report(municipality=request.municipality, code=code)
    _require_intake(request)
    services.report_receipt_issue(report=report, actor=request.user)
    follow_url = settings.PUBLIC_BASE_URL.rstrip("/") + _follow_link_url(report)
    qr = segno.make(follow_url, error="m")
    # segno writes a self-contained <svg> of black modules: safe to inline.
    qr_svg = mark_safe(  # noqa: S308
        qr.svg_inline(scale=3, border=2, dark="#000", light="#fff", title=_("Follow link"))
    )
    response = render(
        request,
        "staff/intake_receipt.html",
        {
            "report": report,
            "follow_url": follow_url,
            "qr_svg": qr_svg,
            "new_url": reverse("staff:intake:new", args=[request.municipality.slug]),
        },
    )
    response["Cache-Control"] = "no-store"  # it carries a private link
    return response
