"""Public pages of opinion groups: the opinions page of a process, voting on a statement and
adding one. Every page works without JavaScript: a vote is a POST of one of three submit
buttons, answered with a redirect back (PRG)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.core.forms import apply_validation_error
from thesaban.participation import selectors as participation_selectors
from thesaban.participation.opinions import services
from thesaban.participation.opinions.access import access_statement
from thesaban.participation.opinions.forms import StatementForm, VoteForm
from thesaban.participation.opinions.models import StatementVote
from thesaban.participation.opinions.panels import opinion_context


def _process(request: HttpRequest, process: str):
    return participation_selectors.access_process(municipality=request.municipality, slug=process)


def _page_url(process) -> str:
    return reverse(
        "opinions:process",
        kwargs={"municipality": process.municipality.slug, "process": process.slug},
    )


def _safe_back(request: HttpRequest, candidate: str, default: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _errors(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    for message in getattr(error, "messages", None) or [str(error)]:
        messages.error(request, message)


@require_GET
def process_opinions(request: HttpRequest, process: str) -> HttpResponse:
    process = _process(request, process)
    context = opinion_context(request, process, back=_page_url(process) + "#opinions")
    context["open_list"] = True
    return render(request, "opinions/process.html", {"panel": context, "process": process})


@require_POST
def vote(request: HttpRequest, process: str, statement_id: int) -> HttpResponse:
    process = _process(request, process)
    statement = access_statement(process=process, statement_id=statement_id)
    form = VoteForm(request.POST)
    back = _safe_back(request, request.POST.get("next", ""), _page_url(process) + "#opinions")
    if not request.user.is_authenticated:
        return redirect_to_login(back.split("#")[0])
    if not form.is_valid():
        messages.error(request, _("Choose agree, disagree or pass."))
        return redirect(back)
    try:
        services.statement_vote(
            statement=statement, user=request.user, choice=form.cleaned_data["choice"]
        )
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            {
                StatementVote.Choice.AGREE: _("Your vote is saved: you agree."),
                StatementVote.Choice.DISAGREE: _("Your vote is saved: you disagree."),
                StatementVote.Choice.PASS: _("Your vote is saved: you passed."),
            }[form.cleaned_data["choice"]],
        )
    return redirect(back)


@require_http_methods(["GET", "POST"])
def statement_new(request: HttpRequest, process: str) -> HttpResponse:
    process = _process(request, process)
    back = _safe_back(
        request, request.POST.get("next", request.GET.get("next", "")), _page_url(process)
    )
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = StatementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.statement_create(
                process=process, user=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Thank you: your statement will be shown for voting once a moderator has "
                    "approved it."
                ),
            )
            return redirect(back)
    return render(
        request, "opinions/statement_form.html", {"process": process, "form": form, "back": back}
    )
