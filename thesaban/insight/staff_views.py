"""Staff pages of the category suggester: the category models of the municipality (train,
evaluate, activate, switch back), the mapping of model labels to categories, and the decision
on a report's suggestion.

The tenancy middleware has already refused anyone who is not staff of this municipality. Each
view checks its rule (insight/rules.py), fetches through access helpers and selectors, calls
one service and renders or redirects.
"""

from __future__ import annotations

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.insight import selectors, services
from thesaban.insight.access import access_categoriser_model
from thesaban.insight.forms import DecideForm, LabelMappingForm
from thesaban.reports.access import access_report
from thesaban.reports.selectors import category_list


def _may(request: HttpRequest, permission: str, obj=None) -> bool:
    # The rule alone, without Django's "superusers may do anything" (as in reports).
    return rules.has_perm(permission, request.user, obj or request.municipality)


def _require(request: HttpRequest, permission: str, obj=None) -> None:
    if not _may(request, permission, obj):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _models_url(request: HttpRequest) -> str:
    return reverse("staff:insight:models", kwargs={"municipality": request.municipality.slug})


def _error(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_GET
def models_index(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "insight.view_models")
    versions = list(selectors.model_list(municipality))
    counts = selectors.label_counts(municipality=municipality)
    return render(
        request,
        "insight/staff/models.html",
        {
            "staff_section": "insight",
            "versions": versions,
            "serving": selectors.serving_model(municipality),
            "site_wide": selectors.serving_model(None),
            "running": any(model.is_running for model in versions),
            "readiness": selectors.training_readiness(counts),
            "readiness_message": services.readiness_message(selectors.training_readiness(counts)),
            "label_counts": sorted(counts.items(), key=lambda item: -item[1]),
            "stats": selectors.suggestion_stats(municipality=municipality),
            "may_train": _may(request, "insight.train_model"),
            "may_activate": _may(request, "insight.activate_model"),
            "may_edit_labels": _may(request, "insight.edit_labels"),
            "min_per_category": selectors.MIN_EXAMPLES_PER_CATEGORY,
        },
    )


@require_GET
def model_progress(request: HttpRequest, version: int) -> JsonResponse:
    _require(request, "insight.view_models")
    model = access_categoriser_model(municipality=request.municipality, version=version)
    return JsonResponse(
        {
            "version": model.version,
            "status": model.status,
            "status_display": model.get_status_display(),
            "progress": model.progress,
            "note": model.progress_note,
            "running": model.is_running,
        }
    )


@require_POST
def model_train(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.train_model")
    try:
        model = services.categoriser_train_request(
            municipality=request.municipality, actor=request.user
        )
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request,
            _("Version %(version)d is being trained; this page shows its progress.")
            % {"version": model.version},
        )
    return redirect(_models_url(request))


@require_POST
def model_activate(request: HttpRequest, version: int) -> HttpResponse:
    _require(request, "insight.activate_model")
    model = access_categoriser_model(municipality=request.municipality, version=version)
    try:
        model = services.categoriser_model_activate(model=model, actor=request.user)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(
            request,
            _("Version %(version)d now suggests the categories of new reports.")
            % {"version": model.version},
        )
    return redirect(_models_url(request))


@require_POST
def model_use_site_wide(request: HttpRequest) -> HttpResponse:
    _require(request, "insight.activate_model")
    services.categoriser_use_site_wide(municipality=request.municipality, actor=request.user)
    messages.success(request, _("The site-wide model suggests categories again."))
    return redirect(_models_url(request))


@require_http_methods(["GET", "POST"])
def labels(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "insight.view_models")
    serving = selectors.serving_model(municipality)
    model_labels = list(serving.labels) if serving else []
    form_kwargs = {
        "labels": model_labels,
        "categories": list(category_list(municipality=municipality)),
        "automatic": selectors.label_categories(
            municipality=municipality, labels=model_labels, overrides=False
        ),
        "overrides": selectors.label_overrides(municipality=municipality),
    }
    may_edit = _may(request, "insight.edit_labels")
    if request.method == "POST":
        _require(request, "insight.edit_labels")
        form = LabelMappingForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                changed = services.category_labels_save(
                    municipality=municipality, actor=request.user, mapping=form.mapping()
                )
            except ValidationError as error:
                _error(request, error)
            else:
                messages.success(request, _("%(count)d labels changed.") % {"count": changed})
                return redirect(
                    reverse("staff:insight:labels", kwargs={"municipality": municipality.slug})
                )
    else:
        form = LabelMappingForm(**form_kwargs)
    return render(
        request,
        "insight/staff/labels.html",
        {
            "staff_section": "insight",
            "serving": serving,
            "form": form,
            "current": selectors.label_categories(municipality=municipality, labels=model_labels),
            "may_edit": may_edit,
        },
    )


@require_POST
def suggestion_decide(request: HttpRequest, code: str) -> HttpResponse:
    report = access_report(municipality=request.municipality, code=code, public=False)
    _require(request, "insight.decide_suggestion", report)
    form = DecideForm(request.POST)
    back = reverse(
        "staff:report",
        kwargs={"municipality": request.municipality.slug, "code": report.tracking_code},
    )
    if not form.is_valid():
        messages.error(request, _("Choose to confirm the category or to use the suggestion."))
        return redirect(back)
    try:
        if form.cleaned_data["action"] == "confirm":
            services.suggestion_confirm(report=report, actor=request.user)
            messages.success(request, _("The category is confirmed. Thank you."))
        else:
            report = services.suggestion_accept(
                report=report, actor=request.user, reroute=form.cleaned_data["reroute"]
            )
            messages.success(request, _("The category is changed."))
    except ValidationError as error:
        _error(request, error)
    return redirect(back)
