"""Staff pages of opinion groups: the processes, and per process the moderation queue of
statements participants added, seeding statements, the statements with their vote counts and
a button to recompute the map now. The tenancy middleware has already refused anyone who is
not staff of this municipality; each view checks its rule and calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.core.forms import apply_validation_error
from thesaban.participation import selectors as participation_selectors
from thesaban.participation.opinions import selectors, services
from thesaban.participation.opinions.access import access_statement
from thesaban.participation.opinions.forms import ModerateForm, StatementForm
from thesaban.participation.opinions.panels import map_figure


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission, request.municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _process(request: HttpRequest, process: str):
    return participation_selectors.access_process(
        municipality=request.municipality, slug=process, include_unpublished=True
    )


def _process_url(request: HttpRequest, process) -> str:
    return reverse(
        "staff:opinions:process",
        kwargs={"municipality": request.municipality.slug, "process": process.slug},
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require(request, "opinions.view_staff")
    return render(
        request,
        "staff/opinions/index.html",
        {
            "staff_section": "opinions",
            "processes": selectors.processes_for_staff(municipality=request.municipality),
        },
    )


@require_http_methods(["GET", "POST"])
def process_detail(request: HttpRequest, process: str) -> HttpResponse:
    _require(request, "opinions.view_staff")
    process = _process(request, process)
    may_moderate = request.user.has_perm("opinions.moderate", request.municipality)
    seed_form = StatementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require(request, "opinions.moderate")
        if seed_form.is_valid():
            try:
                services.statement_seed(
                    process=process, actor=request.user, text=seed_form.cleaned_data["text"]
                )
            except ValidationError as error:
                apply_validation_error(seed_form, error)
            else:
                messages.success(request, _("The statement is added and open for voting."))
                return redirect(_process_url(request, process) + "#seed")
    opinion_map = selectors.opinion_map_of(process=process)
    figure = (
        map_figure(opinion_map.result, viewer_token=None)
        if opinion_map is not None and opinion_map.result.get("points")
        else None
    )
    staff_panel = {
        "figure": figure,
        "map": opinion_map,
        "n_excluded": opinion_map.result.get("n_excluded", 0) if opinion_map else 0,
        "min_votes": opinion_map.result.get("min_votes", 0) if opinion_map else 0,
        "signed_in": False,
    }
    return render(
        request,
        "staff/opinions/process.html",
        {
            "staff_section": "opinions",
            "process": process,
            "pending": list(selectors.pending_statements(process=process)),
            "statements": list(selectors.statements_for_staff(process=process)),
            "seed_form": seed_form,
            "may_moderate": may_moderate,
            "map": opinion_map,
            "staff_panel": staff_panel,
            "voters": selectors.voter_count(process=process),
        },
    )


@require_POST
def moderate(request: HttpRequest, process: str, statement_id: int) -> HttpResponse:
    _require(request, "opinions.moderate")
    process = _process(request, process)
    statement = access_statement(process=process, statement_id=statement_id, public=False)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.statement_moderate(statement=statement, actor=request.user, approve=approve)
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", None) or [str(error)]:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("The statement is approved and open for voting.")
                if approve
                else _("The statement is rejected; it will not be shown."),
            )
    return redirect(_process_url(request, process) + "#pending")


@require_POST
def recompute(request: HttpRequest, process: str) -> HttpResponse:
    _require(request, "opinions.moderate")
    process = _process(request, process)
    opinion_map = services.opinion_map_recompute(process=process, actor=request.user, force=True)
    messages.success(
        request,
        _("The map is recomputed from %(n)s votes.") % {"n": opinion_map.votes_seen},
    )
    return redirect(_process_url(request, process) + "#map")
