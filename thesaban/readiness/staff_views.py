"""The readiness back office: assessments, evidence, exports, survey rounds, networks.

The tenancy middleware has set `request.municipality` and let in only its staff. Each view
fetches through `readiness/access.py`, checks `readiness/rules.py`, calls one service or
selector, and renders or redirects.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.core.dates import format_date
from thesaban.core.forms import apply_validation_error
from thesaban.readiness import charts, exports, instrument, scoring, selectors, services
from thesaban.readiness.access import (
    access_assessment,
    access_evidence_file,
    access_survey_round,
)
from thesaban.readiness.forms import (
    AnswersForm,
    AssessmentStartForm,
    PublicationForm,
    SurveyRoundForm,
    field_prefix,
)


def _require(request: HttpRequest, permission: str, obj: Any) -> None:
    if not rules.has_perm(permission, request.user, obj):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _may(request: HttpRequest, permission: str, obj: Any) -> bool:
    return rules.has_perm(permission, request.user, obj)


def _url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return reverse(
        f"staff:readiness:{name}", kwargs={"municipality": request.municipality.slug, **kwargs}
    )


def _trend(assessments) -> tuple[charts.Trend, list[dict]]:
    rows = [
        {
            "title": a.title,
            "period_end": a.period_end,
            "dmi": a.dmi_score,
            "maturity": scoring.MATURITY_LABELS.get(a.maturity, ""),
            "dimensions": [
                (a.scores.get("dimensions") or {}).get(key) for key in instrument.DIMENSIONS
            ],
        }
        for a in assessments
    ]
    return charts.trend([(format_date(r["period_end"]), r["dmi"]) for r in rows]), rows


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "readiness.view_assessment", municipality)
    completed = selectors.assessment_completed_list(municipality=municipality)
    trend_chart, trend_rows = _trend(completed)
    latest = selectors.assessment_report(completed[-1]) if completed else None
    previous = selectors.assessment_report(completed[-2]) if len(completed) > 1 else None
    return render(
        request,
        "readiness/staff/overview.html",
        {
            "staff_section": "readiness",
            "assessments": selectors.assessment_list(municipality=municipality),
            "latest": latest,
            "radar": exports.radar_of(latest, previous) if latest else None,
            "trend": trend_chart,
            "trend_rows": trend_rows,
            "dimension_labels": [str(label) for label in instrument.DIMENSIONS.values()],
            "start_form": AssessmentStartForm(),
            "publication_form": PublicationForm(
                initial={"results_public": selectors.results_are_public(municipality=municipality)}
            ),
            "results_public": selectors.results_are_public(municipality=municipality),
            "networks": selectors.networks_of(municipality=municipality),
            "may_change": _may(request, "readiness.change_assessment", municipality),
            "maturity_levels": exports.maturity_table(),
        },
    )


@require_POST
def assessment_start(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "readiness.change_assessment", municipality)
    form = AssessmentStartForm(request.POST)
    if form.is_valid():
        try:
            assessment = services.assessment_start(
                municipality=municipality, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The assessment is started. Answer every indicator."))
            return redirect(_url(request, "assessment", assessment_id=assessment.pk))
    for problem in form.errors.values():
        messages.error(request, " ".join(problem))
    return redirect(_url(request, "overview"))


def _assessment_page(request, assessment, *, form: AnswersForm | None = None, status: int = 200):
    report = selectors.assessment_report(assessment)
    may_change = (
        _may(request, "readiness.change_assessment", assessment) and not assessment.is_completed
    )
    if may_change and form is None:
        form = AnswersForm(
            definition=report.definition, answers={r.indicator.code: r.answer for r in report.rows}
        )
    completed = selectors.assessment_completed_list(municipality=assessment.municipality)
    earlier = [
        a for a in completed if a.pk != assessment.pk and a.period_end <= assessment.period_end
    ]
    previous = selectors.assessment_report(earlier[-1]) if earlier else None
    groups = []
    if form is not None:
        fields = {indicator.code: rest for indicator, *rest in form.bound_groups()}
        for group in report.layers:
            groups.append(
                {
                    "group": group,
                    "rows": [(row, fields.get(row.indicator.code)) for row in group.rows],
                }
            )
    return render(
        request,
        "readiness/staff/assessment.html",
        {
            "staff_section": "readiness",
            "assessment": assessment,
            "report": report,
            "form": form,
            "groups": groups,
            "radar": exports.radar_of(report, previous),
            "previous": previous,
            "may_change": may_change,
            "maturity_levels": exports.maturity_table(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(municipality=request.municipality, assessment_id=assessment_id)
    _require(request, "readiness.view_assessment", assessment)
    if request.method == "GET":
        return _assessment_page(request, assessment)
    _require(request, "readiness.change_assessment", assessment)
    definition = selectors.definition_of(assessment)
    form = AnswersForm(
        request.POST,
        request.FILES,
        definition=definition,
        answers=selectors.answers_of(assessment),
    )
    if form.is_valid():
        try:
            services.assessment_answers_save(
                assessment=assessment, actor=request.user, answers=form.answers()
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for code, problems in error.error_dict.items():
                    field = f"{field_prefix(code)}__evidence_file"
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The answers are saved."))
            return redirect(_url(request, "assessment", assessment_id=assessment.pk))
    return _assessment_page(request, assessment, form=form, status=200)


@require_POST
def assessment_complete(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(municipality=request.municipality, assessment_id=assessment_id)
    _require(request, "readiness.change_assessment", assessment)
    try:
        services.assessment_complete(assessment=assessment, actor=request.user)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("The assessment is completed and its scores are kept."))
    return redirect(_url(request, "assessment", assessment_id=assessment.pk))


def _filename(assessment, extension: str) -> str:
    base = slugify(f"{assessment.municipality.slug}-readiness-{assessment.period_end}")
    return f"{base}-{assessment.pk}.{extension}"


@require_GET
def assessment_csv(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(municipality=request.municipality, assessment_id=assessment_id)
    _require(request, "readiness.export_assessment", assessment)
    report = selectors.assessment_report(assessment)
    response = HttpResponse(exports.assessment_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "csv")}"'
    return response


@require_GET
def assessment_pdf(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = access_assessment(municipality=request.municipality, assessment_id=assessment_id)
    _require(request, "readiness.export_assessment", assessment)
    report = selectors.assessment_report(assessment)
    completed = selectors.assessment_completed_list(municipality=assessment.municipality)
    earlier = [
        a for a in completed if a.pk != assessment.pk and a.period_end <= assessment.period_end
    ]
    previous = selectors.assessment_report(earlier[-1]) if earlier else None
    response = HttpResponse(
        exports.assessment_pdf(report, previous=previous), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(assessment, "pdf")}"'
    return response


@require_GET
def evidence_download(request: HttpRequest, file_id: int) -> HttpResponse:
    evidence = access_evidence_file(municipality=request.municipality, file_id=file_id)
    _require(request, "readiness.view_assessment", evidence)
    response = HttpResponse(bytes(evidence.content), content_type=evidence.content_type)
    # Always a download, never rendered inline by the browser from our origin.
    response["Content-Disposition"] = "attachment; filename*=UTF-8''" + _quote(evidence.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@require_POST
def evidence_delete(request: HttpRequest, file_id: int) -> HttpResponse:
    evidence = access_evidence_file(municipality=request.municipality, file_id=file_id)
    _require(request, "readiness.change_assessment", evidence)
    assessment_id = evidence.answer.assessment_id
    try:
        services.evidence_file_delete(evidence=evidence, actor=request.user)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        messages.success(request, _("The file is removed."))
    return redirect(_url(request, "assessment", assessment_id=assessment_id))


@require_POST
def publication(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "readiness.change_publication", municipality)
    form = PublicationForm(request.POST)
    if form.is_valid():
        services.publication_set(
            municipality=municipality,
            actor=request.user,
            results_public=form.cleaned_data["results_public"],
        )
        messages.success(
            request,
            _("Your readiness results are now public.")
            if form.cleaned_data["results_public"]
            else _("Your readiness results are now visible to your staff only."),
        )
    return redirect(_url(request, "overview"))


@require_GET
def network(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "readiness.view_assessment", municipality)
    networks = list(selectors.networks_of(municipality=municipality))
    chosen = next((n for n in networks if n.slug == request.GET.get("n")), None) or (
        networks[0] if networks else None
    )
    comparison = (
        selectors.network_comparison(network=chosen, viewer=municipality) if chosen else None
    )
    if request.GET.get("format") == "csv" and comparison is not None:
        response = HttpResponse(
            exports.network_csv(comparison), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{chosen.slug}-comparison.csv"'
        return response
    return render(
        request,
        "readiness/staff/network.html",
        {
            "staff_section": "readiness",
            "networks": networks,
            "comparison": comparison,
        },
    )


# --------------------------------------------------------------------------- survey


@require_http_methods(["GET", "POST"])
def survey_rounds(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    _require(request, "readiness.view_survey_results", municipality)
    form = SurveyRoundForm()
    if request.method == "POST":
        _require(request, "readiness.manage_survey", municipality)
        form = SurveyRoundForm(request.POST)
        if form.is_valid():
            try:
                survey_round = services.survey_round_start(
                    municipality=municipality, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("The round is open and %(count)s residents are invited.")
                    % {"count": survey_round.sample_size},
                )
                return redirect(_url(request, "survey_round", round_id=survey_round.pk))
    return render(
        request,
        "readiness/staff/survey_rounds.html",
        {
            "staff_section": "readiness",
            "rounds": selectors.survey_round_list(municipality=municipality),
            "form": form,
            "may_manage": _may(request, "readiness.manage_survey", municipality),
        },
    )


@require_http_methods(["GET", "POST"])
def survey_round(request: HttpRequest, round_id: int) -> HttpResponse:
    survey_round = access_survey_round(municipality=request.municipality, round_id=round_id)
    _require(request, "readiness.view_survey_results", survey_round)
    if request.method == "POST":
        _require(request, "readiness.manage_survey", survey_round)
        services.survey_round_close(survey_round=survey_round, actor=request.user)
        messages.success(request, _("The round is closed."))
        return redirect(_url(request, "survey_round", round_id=survey_round.pk))
    results = selectors.survey_round_results(survey_round=survey_round)
    communities = {
        pk: code
        for code, pk in selectors.community_ids_by_code(municipality=request.municipality).items()
    }
    return render(
        request,
        "readiness/staff/survey_round.html",
        {
            "staff_section": "readiness",
            "survey_round": survey_round,
            "results": results,
            "communities": communities,
            "may_manage": _may(request, "readiness.manage_survey", survey_round),
            "scale": survey_round.scale.get(instrument._language(), []),
        },
    )
