"""Resident-facing pages: subscribe, confirm, preferences, one-click unsubscribe, announcements.

The municipality comes from the tenancy middleware; objects from access helpers; writes from
one services call. Confirm and unsubscribe links only ask on GET (mail scanners pre-open
links) and act on POST; the unsubscribe POST needs no CSRF token because mail clients send
RFC 8058 one-click POSTs, and the signed token in the URL is the credential.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from thesaban.core.forms import apply_validation_error
from thesaban.municipalities.selectors import community_list
from thesaban.notifications import selectors, services
from thesaban.notifications.access import access_own_subscription
from thesaban.notifications.forms import IdForm, LanguageForm, SubscribeForm
from thesaban.notifications.models import Subscription
from thesaban.reports.access import access_report
from thesaban.reports.selectors import category_list

ANNOUNCEMENTS_PAGE_SIZE = 20


def _user(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _url(request: HttpRequest, name: str) -> str:
    return reverse(f"notifications:{name}", kwargs={"municipality": request.municipality.slug})


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    user = _user(request)
    form = SubscribeForm(
        request.POST if request.method == "POST" else None,
        communities=community_list(municipality=municipality),
        categories=category_list(municipality=municipality),
        needs_email=user is None or not user.email,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        scope = {}
        if data["scope"] == "community":
            scope["community"] = data["community"]
        elif data["scope"] == "category":
            scope["category"] = data["category"]
        elif data["scope"] == "report":
            try:
                scope["report"] = access_report(
                    municipality=municipality, code=data["tracking_code"].strip().upper()
                )
            except Http404:
                form.add_error("tracking_code", _("There is no report with this tracking code."))
        if not form.errors:
            try:
                subscription = services.subscription_create(
                    municipality=municipality,
                    channel="email",
                    address=data.get("email") or "",
                    user=user,
                    language=translation.get_language() or "th",
                    **scope,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                if subscription.status == Subscription.Status.PENDING:
                    messages.success(
                        request,
                        _(
                            "Almost done: we sent you an e-mail. Open its link within 7 days to "
                            "confirm the subscription."
                        ),
                    )
                else:
                    messages.success(request, _("You are subscribed."))
                return redirect(
                    _url(request, "preferences") if user else _url(request, "subscribe")
                )
    return render(request, "notifications/subscribe.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    municipality = request.municipality
    if request.method == "POST":
        subscription = services.subscription_confirm(municipality=municipality, token=token)
        state = "confirmed" if subscription is not None else "invalid"
    else:
        subscription = selectors.subscription_for_confirm_token(
            municipality=municipality, token=token
        )
        if subscription is None or subscription.status == Subscription.Status.UNSUBSCRIBED:
            state = "invalid"
        elif subscription.status == Subscription.Status.ACTIVE:
            state = "confirmed"
        else:
            state = "ask"
    response = render(
        request, "notifications/confirm.html", {"subscription": subscription, "state": state}
    )
    return _private(response)


@csrf_exempt  # the signed token is the credential; RFC 8058 one-click POSTs carry no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    municipality = request.municipality
    if request.method == "POST":
        subscription = services.subscription_unsubscribe(municipality=municipality, token=token)
        state = "removed" if subscription is not None else "invalid"
    else:
        subscription = selectors.subscription_for_unsubscribe_token(
            municipality=municipality, token=token
        )
        if subscription is None:
            state = "invalid"
        elif subscription.status == Subscription.Status.UNSUBSCRIBED:
            state = "removed"
        else:
            state = "ask"
    response = render(
        request, "notifications/unsubscribe.html", {"subscription": subscription, "state": state}
    )
    return _private(response)


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    user = _user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    language_form = LanguageForm(initial={"language": user.preferred_language or "th"})
    if request.method == "POST":
        if request.POST.get("action") == "language":
            language_form = LanguageForm(request.POST)
            if language_form.is_valid():
                services.subscription_set_language(
                    user=user,
                    municipality=municipality,
                    language=language_form.cleaned_data["language"],
                )
                messages.success(request, _("The language of your messages was saved."))
                return redirect(_url(request, "preferences"))
        else:
            form = IdForm(request.POST)
            if form.is_valid():
                subscription = access_own_subscription(
                    municipality=municipality, user=user, subscription_id=form.cleaned_data["id"]
                )
                services.subscription_cancel(subscription=subscription, user=user)
                messages.success(request, _("Subscription stopped."))
            return redirect(_url(request, "preferences"))
    subscriptions = selectors.subscription_list_of_user(municipality=municipality, user=user)
    response = render(
        request,
        "notifications/preferences.html",
        {"subscriptions": subscriptions, "language_form": language_form},
    )
    return _private(response)


@require_GET
def announcements(request: HttpRequest) -> HttpResponse:
    items = selectors.announcement_list(municipality=request.municipality)
    page = Paginator(items, ANNOUNCEMENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/announcements.html", {"page": page})
