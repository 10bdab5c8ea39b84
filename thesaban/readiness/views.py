"""Public readiness pages of one municipality: its published results and the resident survey."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from thesaban.core.forms import apply_validation_error
from thesaban.readiness import exports, selectors, services
from thesaban.readiness.access import access_survey_round
from thesaban.readiness.forms import SurveyAnswerForm


@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """The latest completed assessment, when the municipality publishes its results."""
    municipality = request.municipality
    public = selectors.results_are_public(municipality=municipality)
    completed = selectors.assessment_completed_list(municipality=municipality) if public else []
    report = selectors.assessment_report(completed[-1]) if completed else None
    return render(
        request,
        "readiness/public_results.html",
        {
            "public": public,
            "report": report,
            "radar": exports.radar_of(report) if report else None,
            "networks": selectors.networks_of(municipality=municipality) if public else [],
            "maturity_levels": exports.maturity_table(),
        },
    )


@login_required
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "readiness/survey_list.html",
        {
            "invitations": selectors.survey_rounds_for_resident(
                municipality=request.municipality, user=request.user
            )
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, round_id: int) -> HttpResponse:
    survey_round = access_survey_round(municipality=request.municipality, round_id=round_id)
    if selectors.survey_invitation_for(survey_round=survey_round, user=request.user) is None:
        # The same answer as for a round that does not exist: nothing is learnt about it.
        raise Http404("No such survey round")
    scale = survey_round.scale.get(request.LANGUAGE_CODE, survey_round.scale.get("th", []))
    answered = selectors.survey_response_of(survey_round=survey_round, user=request.user)
    form = SurveyAnswerForm(items=survey_round.items, scale=scale)
    if request.method == "POST" and answered is None:
        form = SurveyAnswerForm(request.POST, items=survey_round.items, scale=scale)
        if form.is_valid():
            try:
                services.survey_response_submit(
                    survey_round=survey_round, user=request.user, answers=form.cleaned_data
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied:
                raise Http404("No such survey round") from None
            else:
                messages.success(request, _("Thank you! Your answers are recorded."))
                return redirect(
                    reverse(
                        "readiness:survey",
                        kwargs={"municipality": request.municipality.slug, "round_id": round_id},
                    )
                )
    return render(
        request,
        "readiness/survey.html",
        {"survey_round": survey_round, "form": form, "answered": answered},
    )
