"""Staff pages of participation (/<slug>/staff/participation/): configure processes and their
phases, answer proposals, moderate, publish results and their progress. The tenancy
middleware lets only staff of the municipality in; rules.py decides who may write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.core.forms import apply_validation_error
from thesaban.participation import selectors, services
from thesaban.participation.forms import (
    AnswerForm,
    ModerationForm,
    PhaseForm,
    ProcessForm,
    ResultForm,
    ResultUpdateForm,
)
from thesaban.participation.models import Phase, Process
from thesaban.reports.access import access_report


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission, request.municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _home(request: HttpRequest) -> str:
    return reverse("staff:participation:home", args=[request.municipality.slug])


def _process(request: HttpRequest, process: str) -> Process:
    return selectors.access_process(
        municipality=request.municipality, slug=process, include_unpublished=True
    )


def _process_url(request: HttpRequest, process: Process) -> str:
    return reverse("staff:participation:process", args=[request.municipality.slug, process.slug])


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _require(request, "participation.view_staff_pages")
    municipality = request.municipality
    return render(
        request,
        "participation/staff/home.html",
        {
            "staff_section": "participation",
            "processes": list(
                selectors.process_list(municipality=municipality, include_unpublished=True)
            ),
            "awaiting": list(selectors.proposals_awaiting_answer(municipality=municipality)[:50]),
            "flags": list(selectors.moderation_queue(municipality=municipality)[:100]),
            "may_manage": request.user.has_perm("participation.manage_process", municipality),
            "may_moderate": request.user.has_perm("participation.moderate", municipality),
        },
    )


@require_http_methods(["GET", "POST"])
def process_edit(request: HttpRequest, process: str | None = None) -> HttpResponse:
    _require(request, "participation.manage_process")
    instance = _process(request, process) if process else Process(municipality=request.municipality)
    form = ProcessForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.process_save(process=form.save(commit=False), actor=request.user)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The process is saved."))
            return redirect(_process_url(request, saved))
    phases = list(instance.phases.all()) if instance.pk else []
    return render(
        request,
        "participation/staff/process_form.html",
        {"staff_section": "participation", "form": form, "process": instance, "phases": phases},
    )


@require_http_methods(["GET", "POST"])
def phase_edit(request: HttpRequest, process: str, phase_id: int | None = None) -> HttpResponse:
    _require(request, "participation.manage_process")
    owner = _process(request, process)
    if phase_id is None:
        instance = Phase(municipality=request.municipality, process=owner)
    else:
        instance = selectors.access_phase(process=owner, phase_id=phase_id)
    form = PhaseForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if request.POST.get("delete") and instance.pk:
            services.phase_delete(phase=instance, actor=request.user)
            messages.success(request, _("The phase is deleted."))
            return redirect(_process_url(request, owner))
        if form.is_valid():
            try:
                services.phase_save(phase=form.save(commit=False), actor=request.user)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The phase is saved."))
                return redirect(_process_url(request, owner))
    return render(
        request,
        "participation/staff/phase_form.html",
        {"staff_section": "participation", "form": form, "process": owner, "phase": instance},
    )


@require_http_methods(["GET", "POST"])
def proposal_answer(request: HttpRequest, process: str, number: int) -> HttpResponse:
    _require(request, "participation.manage_process")
    owner = _process(request, process)
    proposal = selectors.access_proposal(process=owner, number=number)
    form = AnswerForm(
        request.POST or None,
        initial={"answer": proposal.answer or None, "reason": proposal.answer_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_answer(
                proposal=proposal,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The answer is published."))
            return redirect(_home(request))
    return render(
        request,
        "participation/staff/answer_form.html",
        {"staff_section": "participation", "form": form, "proposal": proposal, "process": owner},
    )


@require_POST
def moderate(request: HttpRequest, flag_id: int) -> HttpResponse:
    _require(request, "participation.moderate")
    flag = selectors.access_flag(municipality=request.municipality, flag_id=flag_id)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            services.moderation_decide(
                flag=flag,
                actor=request.user,
                hide=form.cleaned_data["decision"] == "hide",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The decision is recorded."))
    else:
        messages.error(request, _("Choose hide or keep."))
    return redirect(_home(request) + "#moderation")


@require_http_methods(["GET", "POST"])
def result_new(request: HttpRequest, process: str) -> HttpResponse:
    _require(request, "participation.manage_process")
    owner = _process(request, process)
    form = ResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sources: list = []
        try:
            sources += [
                selectors.access_proposal(process=owner, number=number)
                for number in data["proposals"]
            ]
        except Http404:
            form.add_error(
                "proposals", _("One of these numbers is not a proposal of this process.")
            )
        try:
            sources += [
                access_report(municipality=request.municipality, code=code)
                for code in data["reports"]
            ]
        except Http404:
            form.add_error("reports", _("One of these tracking codes is not a report here."))
        if not form.errors:
            try:
                services.accountability_result_create(
                    process=owner,
                    title_th=data["title_th"],
                    title_en=data["title_en"],
                    description_th=data["description_th"],
                    budget=data["budget"],
                    sources=sources,
                    actor=request.user,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The result is published."))
                return redirect(_process_url(request, owner))
    return render(
        request,
        "participation/staff/result_form.html",
        {"staff_section": "participation", "form": form, "process": owner},
    )


@require_http_methods(["GET", "POST"])
def result_update(request: HttpRequest, process: str, number: int) -> HttpResponse:
    _require(request, "participation.manage_process")
    owner = _process(request, process)
    result = selectors.access_result(process=owner, number=number)
    form = ResultUpdateForm(
        request.POST or None,
        initial={"status": result.status, "progress": result.progress, "spent": result.spent},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.result_update_add(result=result, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The update is published."))
            return redirect(_process_url(request, owner))
    return render(
        request,
        "participation/staff/result_update_form.html",
        {"staff_section": "participation", "form": form, "process": owner, "result": result},
    )
