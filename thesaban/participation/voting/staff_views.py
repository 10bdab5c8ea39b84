"""Staff back office of polls and participatory budgets.

The tenancy middleware has already refused anyone who is not staff of this municipality.
Each view checks its rule (`voting/rules.py`), fetches through `access.py` (staff see
unpublished objects too), calls one service and renders or redirects. No page here lists who
voted: only counts of participants and of ballots, and the recount check.
"""

from __future__ import annotations

from typing import Any

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.core.forms import apply_validation_error
from thesaban.participation.voting import selectors, services
from thesaban.participation.voting.access import (
    access_budget,
    access_option,
    access_poll,
    access_project,
)
from thesaban.participation.voting.forms import (
    BudgetForm,
    OptionForm,
    PollForm,
    ProjectForm,
    PublishPollForm,
)
from thesaban.participation.voting.models import Budget, Poll


def _require(request: HttpRequest, permission: str) -> None:
    if not rules.has_perm(permission, request.user, request.municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return reverse(
        f"staff:voting:{name}", kwargs={"municipality": request.municipality.slug, **kwargs}
    )


def _form_page(request: HttpRequest, form, *, title: str, back: str, submit: str) -> HttpResponse:
    return render(
        request,
        "staff/voting/form.html",
        {
            "staff_section": "voting",
            "form": form,
            "title": title,
            "back_url": back,
            "submit_label": submit,
        },
    )


def _save(request: HttpRequest, form, save) -> Any:
    """Run `save(cleaned_data)`; on a service's ValidationError put it on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as error:
        apply_validation_error(form, error)
        return None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require(request, "voting.view_staff")
    municipality = request.municipality
    return render(
        request,
        "staff/voting/index.html",
        {
            "staff_section": "voting",
            "polls": selectors.poll_list_staff(municipality=municipality),
            "budgets": selectors.budget_list_staff(municipality=municipality),
            "may_manage": rules.has_perm("voting.manage", request.user, municipality),
        },
    )


# --- polls ------------------------------------------------------------------------------------


def _poll_fields(poll: Poll) -> dict:
    return model_to_dict(poll, fields=PollForm._meta.fields)


@require_http_methods(["GET", "POST"])
def poll_create(request: HttpRequest) -> HttpResponse:
    _require(request, "voting.manage")
    municipality = request.municipality
    form = PollForm(request.POST or None, municipality=municipality)
    if request.method == "POST":
        poll = _save(
            request,
            form,
            lambda data: services.poll_save(
                municipality=municipality, actor=request.user, data=data
            ),
        )
        if poll is not None:
            messages.success(request, _("The poll is created. Now add its options."))
            return redirect(_url(request, "poll", poll_id=poll.pk))
    return _form_page(
        request, form, title=_("New poll"), back=_url(request, "index"), submit=_("Create poll")
    )


@require_http_methods(["GET", "POST"])
def poll_edit(request: HttpRequest, poll_id: int) -> HttpResponse:
    _require(request, "voting.manage")
    municipality = request.municipality
    poll = access_poll(municipality=municipality, poll_id=poll_id, public=False)
    form = PollForm(request.POST or None, municipality=municipality, initial=_poll_fields(poll))
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.poll_save(
                municipality=municipality, actor=request.user, data=data, poll=poll
            ),
        )
        if saved is not None:
            messages.success(request, _("The poll is saved."))
            return redirect(_url(request, "poll", poll_id=poll.pk))
    return _form_page(
        request,
        form,
        title=_("Edit poll"),
        back=_url(request, "poll", poll_id=poll.pk),
        submit=_("Save"),
    )


@require_GET
def poll_detail(request: HttpRequest, poll_id: int) -> HttpResponse:
    _require(request, "voting.view_staff")
    poll = access_poll(municipality=request.municipality, poll_id=poll_id, public=False)
    recount = selectors.poll_recount(poll=poll) if poll.published_tally else None
    return render(
        request,
        "staff/voting/poll.html",
        {
            "staff_section": "voting",
            "poll": poll,
            "options": selectors.poll_options(poll=poll),
            "ballot_count": selectors.poll_ballot_count(poll=poll),
            "participant_count": selectors.poll_participant_count(poll=poll),
            "results": selectors.poll_results(poll=poll) if poll.has_closed() else None,
            "recount": recount,
            "publish_form": PublishPollForm(),
            "may_manage": rules.has_perm("voting.manage", request.user, request.municipality),
            "may_publish": rules.has_perm(
                "voting.publish_results", request.user, request.municipality
            ),
        },
    )


@require_POST
def poll_publish(request: HttpRequest, poll_id: int) -> HttpResponse:
    _require(request, "voting.publish_results")
    poll = access_poll(municipality=request.municipality, poll_id=poll_id, public=False)
    form = PublishPollForm(request.POST)
    form.is_valid()
    try:
        services.poll_results_publish(
            poll=poll,
            actor=request.user,
            create_result=bool(form.cleaned_data.get("create_result")),
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The results are published."))
    return redirect(_url(request, "poll", poll_id=poll.pk))


@require_http_methods(["GET", "POST"])
def option_create(request: HttpRequest, poll_id: int) -> HttpResponse:
    _require(request, "voting.manage")
    poll = access_poll(municipality=request.municipality, poll_id=poll_id, public=False)
    form = OptionForm(request.POST or None)
    if request.method == "POST":
        option = _save(
            request,
            form,
            lambda data: services.poll_option_save(poll=poll, actor=request.user, data=data),
        )
        if option is not None:
            messages.success(request, _("The option is added."))
            return redirect(_url(request, "poll", poll_id=poll.pk))
    return _form_page(
        request,
        form,
        title=_("New option"),
        back=_url(request, "poll", poll_id=poll.pk),
        submit=_("Add option"),
    )


@require_http_methods(["GET", "POST"])
def option_edit(request: HttpRequest, poll_id: int, option_id: int) -> HttpResponse:
    _require(request, "voting.manage")
    poll = access_poll(municipality=request.municipality, poll_id=poll_id, public=False)
    option = access_option(poll=poll, option_id=option_id)
    form = OptionForm(
        request.POST or None, initial=model_to_dict(option, fields=OptionForm._meta.fields)
    )
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.poll_option_save(
                poll=poll, actor=request.user, data=data, option=option
            ),
        )
        if saved is not None:
            messages.success(request, _("The option is saved."))
            return redirect(_url(request, "poll", poll_id=poll.pk))
    return _form_page(
        request,
        form,
        title=_("Edit option"),
        back=_url(request, "poll", poll_id=poll.pk),
        submit=_("Save"),
    )


@require_POST
def option_delete(request: HttpRequest, poll_id: int, option_id: int) -> HttpResponse:
    _require(request, "voting.manage")
    poll = access_poll(municipality=request.municipality, poll_id=poll_id, public=False)
    option = access_option(poll=poll, option_id=option_id)
    try:
        services.poll_option_delete(option=option, actor=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The option is removed."))
    return redirect(_url(request, "poll", poll_id=poll.pk))


# --- budgets ----------------------------------------------------------------------------------


def _budget_fields(budget: Budget) -> dict:
    return model_to_dict(budget, fields=BudgetForm._meta.fields)


@require_http_methods(["GET", "POST"])
def budget_create(request: HttpRequest) -> HttpResponse:
    _require(request, "voting.manage")
    municipality = request.municipality
    form = BudgetForm(request.POST or None, municipality=municipality)
    if request.method == "POST":
        budget = _save(
            request,
            form,
            lambda data: services.budget_save(
                municipality=municipality, actor=request.user, data=data
            ),
        )
        if budget is not None:
            messages.success(request, _("The budget is created. Now add its projects."))
            return redirect(_url(request, "budget", budget_id=budget.pk))
    return _form_page(
        request,
        form,
        title=_("New participatory budget"),
        back=_url(request, "index"),
        submit=_("Create budget"),
    )


@require_http_methods(["GET", "POST"])
def budget_edit(request: HttpRequest, budget_id: int) -> HttpResponse:
    _require(request, "voting.manage")
    municipality = request.municipality
    budget = access_budget(municipality=municipality, budget_id=budget_id, public=False)
    form = BudgetForm(
        request.POST or None, municipality=municipality, initial=_budget_fields(budget)
    )
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.budget_save(
                municipality=municipality, actor=request.user, data=data, budget=budget
            ),
        )
        if saved is not None:
            messages.success(request, _("The budget is saved."))
            return redirect(_url(request, "budget", budget_id=budget.pk))
    return _form_page(
        request,
        form,
        title=_("Edit participatory budget"),
        back=_url(request, "budget", budget_id=budget.pk),
        submit=_("Save"),
    )


@require_GET
def budget_detail(request: HttpRequest, budget_id: int) -> HttpResponse:
    _require(request, "voting.view_staff")
    budget = access_budget(municipality=request.municipality, budget_id=budget_id, public=False)
    recount = selectors.budget_recount(budget=budget) if budget.published_tally else None
    return render(
        request,
        "staff/voting/budget.html",
        {
            "staff_section": "voting",
            "budget": budget,
            "projects": selectors.budget_projects(budget=budget),
            "ballot_count": selectors.budget_ballot_count(budget=budget),
            "basket_count": selectors.budget_ballot_count(budget=budget, checked_out=False),
            "participant_count": selectors.budget_participant_count(budget=budget),
            "results": selectors.budget_results(budget=budget) if budget.has_closed() else None,
            "recount": recount,
            "may_manage": rules.has_perm("voting.manage", request.user, request.municipality),
            "may_publish": rules.has_perm(
                "voting.publish_results", request.user, request.municipality
            ),
        },
    )


@require_POST
def budget_publish(request: HttpRequest, budget_id: int) -> HttpResponse:
    _require(request, "voting.publish_results")
    budget = access_budget(municipality=request.municipality, budget_id=budget_id, public=False)
    try:
        services.budget_results_publish(budget=budget, actor=request.user)
    except (ValidationError, PermissionDenied) as error:
        texts = error.messages if isinstance(error, ValidationError) else [str(error)]
        for text in texts:
            messages.error(request, text)
    else:
        messages.success(
            request, _("The results are published and the selected projects are now results.")
        )
    return redirect(_url(request, "budget", budget_id=budget.pk))


def _project_page(request: HttpRequest, budget: Budget, project=None) -> HttpResponse:
    initial = (
        {
            **model_to_dict(project, fields=ProjectForm._meta.fields),
            "proposal_numbers": project.proposal_numbers,
        }
        if project
        else None
    )
    form = ProjectForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = _save(
            request,
            form,
            lambda data: services.budget_project_save(
                budget=budget, actor=request.user, data=data, project=project
            ),
        )
        if saved is not None:
            messages.success(request, _("The project is saved."))
            return redirect(_url(request, "budget", budget_id=budget.pk))
    return _form_page(
        request,
        form,
        title=_("Edit project") if project else _("New project"),
        back=_url(request, "budget", budget_id=budget.pk),
        submit=_("Save") if project else _("Add project"),
    )


@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest, budget_id: int) -> HttpResponse:
    _require(request, "voting.manage")
    budget = access_budget(municipality=request.municipality, budget_id=budget_id, public=False)
    return _project_page(request, budget)


@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, budget_id: int, project_id: int) -> HttpResponse:
    _require(request, "voting.manage")
    budget = access_budget(municipality=request.municipality, budget_id=budget_id, public=False)
    project = access_project(budget=budget, project_id=project_id)
    return _project_page(request, budget, project)


@require_POST
def project_delete(request: HttpRequest, budget_id: int, project_id: int) -> HttpResponse:
    _require(request, "voting.manage")
    budget = access_budget(municipality=request.municipality, budget_id=budget_id, public=False)
    project = access_project(budget=budget, project_id=project_id)
    try:
        services.budget_project_delete(project=project, actor=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The project is removed."))
    return redirect(_url(request, "budget", budget_id=budget.pk))
