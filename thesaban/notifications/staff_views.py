"""Staff pages: announcements, the outbox with its dead letters, webhook endpoints.

The tenancy middleware has already refused anyone who is not staff of the municipality; each
view checks its rule (notifications/rules.py), then calls one selector or service.
Recipients' addresses are masked: staff see that a message failed, not who subscribed.
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from thesaban.core.forms import apply_validation_error
from thesaban.municipalities.selectors import community_list
from thesaban.notifications import selectors, services
from thesaban.notifications.access import access_delivery, access_webhook_endpoint
from thesaban.notifications.forms import AnnouncementForm, IdForm, WebhookForm
from thesaban.notifications.models import EVENT_TYPES, Delivery

PAGE_SIZE = 50


def _require(request: HttpRequest, permission: str) -> None:
    if not rules.has_perm(permission, request.user, request.municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _may(request: HttpRequest, permission: str) -> bool:
    return rules.has_perm(permission, request.user, request.municipality)


def _url(request: HttpRequest, name: str) -> str:
    return reverse(
        f"staff:notifications:{name}", kwargs={"municipality": request.municipality.slug}
    )


def mask_address(channel: str, address: str) -> str:
    if channel == "webhook":
        return f"#{address}"
    if "@" in address:
        local, _at, domain = address.partition("@")
        return f"{local[:2]}•••@{domain}"
    return f"{address[:3]}•••" if address else ""


@require_http_methods(["GET", "POST"])
def announcements(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "notifications.view_announcements")
    may_publish = _may(request, "notifications.publish_announcement")
    form = None
    if may_publish:
        form = AnnouncementForm(
            request.POST if request.method == "POST" else None,
            communities=community_list(municipality=municipality),
        )
    if request.method == "POST":
        _require(request, "notifications.publish_announcement")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.announcement_publish(
                    municipality=municipality,
                    author=request.user,
                    title_th=data["title_th"],
                    body_th=data["body_th"],
                    title_en=data["title_en"],
                    body_en=data["body_en"],
                    communities=data["communities"],
                    whole_municipality=data["whole_municipality"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request, _("The announcement is published and is being sent to subscribers.")
                )
                return redirect(_url(request, "announcements"))
    page = Paginator(selectors.announcement_list(municipality=municipality), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/staff/announcements.html",
        {"staff_section": "announcements", "form": form, "page": page},
    )


@require_http_methods(["GET"])
def outbox(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "notifications.view_outbox")
    status = request.GET.get("status", "")
    if status not in Delivery.Status.values:
        status = ""
    deliveries = selectors.delivery_list(municipality=municipality, status=status or None)
    counts = selectors.outbox_counts(municipality=municipality)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    for delivery in page:
        delivery.masked = mask_address(delivery.channel, delivery.address)
    return render(
        request,
        "notifications/staff/outbox.html",
        {
            "staff_section": "outbox",
            "status_counts": [
                (value, label, counts[value]) for value, label in Delivery.Status.choices
            ],
            "statuses": Delivery.Status.choices,
            "status": status,
            "page": page,
            "may_retry": _may(request, "notifications.retry_delivery"),
            "may_manage_webhooks": _may(request, "notifications.manage_webhooks"),
        },
    )


@require_POST
def outbox_retry(request: HttpRequest) -> HttpResponse:
    _require(request, "notifications.retry_delivery")
    form = IdForm(request.POST)
    if form.is_valid():
        delivery = access_delivery(
            municipality=request.municipality, delivery_id=form.cleaned_data["id"]
        )
        try:
            services.delivery_retry(delivery=delivery, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The message will be sent again."))
    return redirect(_url(request, "outbox") + "?status=dead")


@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "notifications.manage_webhooks")
    form = WebhookForm(request.POST if request.method == "POST" else None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.webhook_endpoint_create(
                municipality=municipality,
                actor=request.user,
                name=form.cleaned_data["name"],
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            form = WebhookForm()
    deliveries = list(selectors.webhook_deliveries(municipality=municipality))
    response = render(
        request,
        "notifications/staff/webhooks.html",
        {
            "staff_section": "outbox",
            "form": form,
            "endpoints": selectors.webhook_endpoint_list(municipality=municipality),
            "created": created,
            "secret": secret,  # rendered once, in this response only
            "event_types": EVENT_TYPES,
            "deliveries": deliveries,
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@require_POST
def webhook_delete(request: HttpRequest) -> HttpResponse:
    _require(request, "notifications.manage_webhooks")
    form = IdForm(request.POST)
    if form.is_valid():
        endpoint = access_webhook_endpoint(
            municipality=request.municipality, endpoint_id=form.cleaned_data["id"]
        )
        services.webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
        messages.success(request, _("The webhook endpoint was removed."))
    return redirect(_url(request, "webhooks"))
