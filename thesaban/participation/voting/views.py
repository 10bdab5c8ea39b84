"""Residents' pages: polls and participatory budgets. Every page works without JavaScript;
each basket change is one form POST. Pages show counts only, never who voted.

Views translate HTTP: objects from access.py, lists and tallies from selectors.py, every
write one services.py call; a service's ValidationError becomes a message or a form error,
its PermissionDenied (not eligible) a message on the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.core.templatetags.thesaban import localized
from thesaban.participation.voting import selectors, services
from thesaban.participation.voting.access import access_budget, access_poll, access_project
from thesaban.participation.voting.eligibility import closed_reason, ineligibility_reason
from thesaban.participation.voting.forms import PollVoteForm, ProjectFilterForm
from thesaban.participation.voting.models import Budget, Poll


def _user(request: HttpRequest):
    return request.user if request.user.is_authenticated else None


def _messages_of(error: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error) or _("You may not vote here.")]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    return render(
        request,
        "voting/index.html",
        {
            "polls": selectors.poll_list_public(municipality=municipality),
            "budgets": selectors.budget_list_public(municipality=municipality),
        },
    )


# --- polls ------------------------------------------------------------------------------------


def _poll_page(request: HttpRequest, poll: Poll, form: PollVoteForm | None = None, status=200):
    user = _user(request)
    options = list(selectors.poll_options(poll=poll))
    my_choices = selectors.poll_my_choices(poll=poll, user=user)
    has_voted = selectors.poll_has_voted(poll=poll, user=user)
    closed = closed_reason(poll)
    ineligible = ineligibility_reason(user=user, target=poll) if user else None
    can_vote = not closed and user is not None and not ineligible
    if has_voted and not poll.allows_change:
        can_vote = False
    if form is None and can_vote:
        form = PollVoteForm(
            poll=poll, options=options, initial=PollVoteForm.initial_for(poll, my_choices)
        )
    by_id = {option.pk: option for option in options}
    return render(
        request,
        "voting/poll.html",
        {
            "poll": poll,
            "options": options,
            "form": form if can_vote else None,
            "has_voted": has_voted,
            "my_choices": [by_id[i] for i in my_choices if i in by_id],
            "closed_reason": closed,
            "ineligible_reason": ineligible,
            "results": selectors.poll_results(poll=poll) if poll.results_visible() else None,
            "participant_count": selectors.poll_participant_count(poll=poll),
        },
        status=status,
    )


@require_GET
def poll_detail(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = access_poll(municipality=request.municipality, poll_id=poll_id)
    return _poll_page(request, poll)


@require_POST
def poll_vote(request: HttpRequest, poll_id: int) -> HttpResponse:
    poll = access_poll(municipality=request.municipality, poll_id=poll_id)
    if not request.user.is_authenticated:
        return redirect_to_login(poll.get_absolute_url())
    options = list(selectors.poll_options(poll=poll))
    form = PollVoteForm(request.POST, poll=poll, options=options)
    if not form.is_valid():
        return _poll_page(request, poll, form)
    had_voted = selectors.poll_has_voted(poll=poll, user=request.user)
    try:
        services.poll_ballot_cast(poll=poll, user=request.user, option_ids=form.option_ids())
    except (ValidationError, PermissionDenied) as error:
        for text in _messages_of(error):
            form.add_error(None, text)
        return _poll_page(request, poll, form)
    messages.success(
        request,
        _("Your ballot has been changed.") if had_voted else _("Thank you: your vote is recorded."),
    )
    return redirect(poll.get_absolute_url() + "#your-ballot")


# --- budgets ----------------------------------------------------------------------------------


@require_GET
def budget_detail(request: HttpRequest, budget_id: int) -> HttpResponse:
    budget = access_budget(municipality=request.municipality, budget_id=budget_id)
    user = _user(request)
    filter_form = ProjectFilterForm(request.GET or None, budget=budget)
    category = filter_form.cleaned_data.get("category", "") if filter_form.is_valid() else ""
    basket = selectors.budget_basket(budget=budget, user=user)
    closed = closed_reason(budget)
    ineligible = ineligibility_reason(user=user, target=budget) if user else None
    can_vote = not closed and user is not None and not ineligible and not basket.checked_out
    return render(
        request,
        "voting/budget.html",
        {
            "budget": budget,
            "projects": selectors.budget_projects(budget=budget, category=category),
            "filter_form": filter_form,
            "basket": basket,
            "checkout_problems": services.checkout_errors(budget=budget, projects=basket.projects)
            if basket.projects
            else [],
            "can_vote": can_vote,
            "closed_reason": closed,
            "ineligible_reason": ineligible,
            "results": selectors.budget_results(budget=budget)
            if budget.results_visible()
            else None,
            "participant_count": selectors.budget_participant_count(budget=budget),
        },
    )


@require_GET
def project_detail(request: HttpRequest, budget_id: int, project_id: int) -> HttpResponse:
    budget = access_budget(municipality=request.municipality, budget_id=budget_id)
    project = access_project(budget=budget, project_id=project_id)
    basket = selectors.budget_basket(budget=budget, user=_user(request))
    closed = closed_reason(budget)
    return render(
        request,
        "voting/project.html",
        {
            "budget": budget,
            "project": project,
            "in_basket": project.pk in basket.project_ids,
            "basket": basket,
            "can_vote": not closed and request.user.is_authenticated and not basket.checked_out,
            "proposals": selectors.proposals_by_number(
                process=budget.process, numbers=project.proposal_numbers or []
            ),
        },
    )


def _back_to_budget(request: HttpRequest, budget: Budget, anchor: str = "basket") -> HttpResponse:
    return redirect(f"{budget.get_absolute_url()}#{anchor}")


def _basket_change(request: HttpRequest, budget_id: int, project_id: int, add: bool):
    budget = access_budget(municipality=request.municipality, budget_id=budget_id)
    project = access_project(budget=budget, project_id=project_id)
    if not request.user.is_authenticated:
        return redirect_to_login(budget.get_absolute_url())
    change = services.budget_basket_add if add else services.budget_basket_remove
    try:
        change(budget=budget, user=request.user, project=project)
    except (ValidationError, PermissionDenied) as error:
        for text in _messages_of(error):
            messages.error(request, text)
        return _back_to_budget(request, budget, f"project-{project.pk}")
    messages.success(
        request,
        _("Added to your basket: %(title)s") % {"title": localized(project, "title")}
        if add
        else _("Removed from your basket: %(title)s") % {"title": localized(project, "title")},
    )
    return _back_to_budget(request, budget)


@require_POST
def basket_add(request: HttpRequest, budget_id: int, project_id: int) -> HttpResponse:
    return _basket_change(request, budget_id, project_id, add=True)


@require_POST
def basket_remove(request: HttpRequest, budget_id: int, project_id: int) -> HttpResponse:
    return _basket_change(request, budget_id, project_id, add=False)


@require_http_methods(["POST"])
def checkout(request: HttpRequest, budget_id: int) -> HttpResponse:
    budget = access_budget(municipality=request.municipality, budget_id=budget_id)
    if not request.user.is_authenticated:
        return redirect_to_login(budget.get_absolute_url())
    try:
        services.budget_checkout(budget=budget, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        for text in _messages_of(error):
            messages.error(request, text)
        return _back_to_budget(request, budget)
    messages.success(request, _("Thank you: your budget vote is recorded and final."))
    return _back_to_budget(request, budget)
