"""The open-data back office: imports with progress and error lists, budget transfers,
payments, procurement awards, projects and the dataset catalogue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from thesaban.municipalities.selectors import community_list
from thesaban.opendata import importers, selectors, services
from thesaban.opendata.access import (
    access_budget,
    access_dataset,
    access_import_job,
    access_project,
)
from thesaban.opendata.forms import (
    AwardForm,
    BudgetChangeForm,
    DatasetForm,
    DisbursementForm,
    ImportForm,
    ProjectForm,
    ResourceUploadForm,
)
from thesaban.opendata.models import ImportJob


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission, request.municipality):
        raise PermissionDenied(
            _("Only the municipality's administrators and officers may do this.")
        )


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context.setdefault("staff_section", "opendata")
    context.setdefault(
        "may_edit", request.user.has_perm("opendata.manage_budget", request.municipality)
    )
    return render(request, template, context)


def _add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def index(request: HttpRequest) -> HttpResponse:
    _require(request, "opendata.view_back_office")
    municipality = request.municipality
    return _render(
        request,
        "opendata/staff/index.html",
        {
            "budgets": selectors.budget_list(municipality=municipality),
            "jobs": selectors.import_jobs(municipality=municipality),
            "projects": selectors.project_list(municipality=municipality),
            "datasets": selectors.dataset_list(municipality=municipality, include_unpublished=True),
            "import_form": ImportForm(),
        },
    )


def import_new(request: HttpRequest) -> HttpResponse:
    _require(request, "opendata.manage_budget")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.import_job_create(
            municipality=request.municipality,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            actor=request.user,
            note=form.cleaned_data["note"],
        )
        return redirect("staff:opendata:import", municipality=request.municipality.slug, job=job.pk)
    return _render(
        request,
        "opendata/staff/import_new.html",
        {"form": form, "columns": importers.COLUMNS, "kinds": ImportJob.Kind},
    )


def import_detail(request: HttpRequest, job: int) -> HttpResponse:
    _require(request, "opendata.view_back_office")
    found = access_import_job(municipality=request.municipality, job_id=job)
    return _render(request, "opendata/staff/import_detail.html", {"job": found})


def budget(request: HttpRequest, year: int) -> HttpResponse:
    _require(request, "opendata.view_back_office")
    found = access_budget(municipality=request.municipality, fiscal_year=year)
    projects = selectors.project_list(municipality=request.municipality)
    return _render(
        request,
        "opendata/staff/budget.html",
        {
            "budget": found,
            "versions": selectors.budget_versions(budget=found),
            "change_form": BudgetChangeForm(budget=found),
            "payment_form": DisbursementForm(budget=found, projects=projects),
            "award_form": AwardForm(projects=projects),
        },
    )


def budget_change(request: HttpRequest, year: int) -> HttpResponse:
    _require(request, "opendata.manage_budget")
    found = access_budget(municipality=request.municipality, fiscal_year=year)
    form = BudgetChangeForm(request.POST or None, budget=found)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.budget_change_create(
                budget=found,
                kind=data["kind"],
                amount=data["amount"],
                reason=data["reason"],
                approved_on=data["approved_on"],
                from_item=data.get("from_item"),
                to_item=data.get("to_item"),
                new_item=data.get("new_key"),
                reference=data["reference"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Saved as version %(number)s.") % {"number": change.version.number}
            )
            return redirect(
                "staff:opendata:budget", municipality=request.municipality.slug, year=year
            )
    return _render(
        request,
        "opendata/staff/form.html",
        {"form": form, "title": _("Transfer or amend the budget"), "budget": found},
    )


def disbursement_new(request: HttpRequest, year: int) -> HttpResponse:
    _require(request, "opendata.manage_spending")
    found = access_budget(municipality=request.municipality, fiscal_year=year)
    form = DisbursementForm(
        request.POST or None,
        budget=found,
        projects=selectors.project_list(municipality=request.municipality),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.disbursement_create(
                budget=found,
                item=data["item"],
                paid_on=data["paid_on"],
                amount=data["amount"],
                reference=data["reference"],
                description=data["description"],
                project=data["project"],
                actor=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect(
                "staff:opendata:budget", municipality=request.municipality.slug, year=year
            )
    return _render(
        request,
        "opendata/staff/form.html",
        {"form": form, "title": _("Record a payment"), "budget": found},
    )


def award_new(request: HttpRequest, year: int) -> HttpResponse:
    _require(request, "opendata.manage_spending")
    found = access_budget(municipality=request.municipality, fiscal_year=year)
    form = AwardForm(
        request.POST or None, projects=selectors.project_list(municipality=request.municipality)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.procurement_award_create(budget=found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The award is recorded."))
            return redirect(
                "staff:opendata:budget", municipality=request.municipality.slug, year=year
            )
    return _render(
        request,
        "opendata/staff/form.html",
        {"form": form, "title": _("Record a procurement award"), "budget": found},
    )


def _project_form(request: HttpRequest, instance=None) -> ProjectForm:
    municipality = request.municipality
    return ProjectForm(
        request.POST or None,
        instance=instance,
        municipality=municipality,
        items=selectors.budget_items_for_projects(municipality=municipality, project=instance),
        communities=community_list(municipality=municipality),
    )


def project_edit(request: HttpRequest, project: str | None = None) -> HttpResponse:
    _require(request, "opendata.manage_spending")
    instance = access_project(municipality=request.municipality, code=project) if project else None
    form = _project_form(request, instance)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = instance.code if instance else data.pop("code")
        data.pop("code", None)
        try:
            saved = services.project_save(
                municipality=request.municipality, code=code, actor=request.user, **data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect(
                "staff:opendata:project", municipality=request.municipality.slug, project=saved.code
            )
    return _render(
        request,
        "opendata/staff/form.html",
        {
            "form": form,
            "title": _("Project") if instance else _("New project"),
            "project": instance,
        },
    )


def datasets_standard(request: HttpRequest) -> HttpResponse:
    _require(request, "opendata.manage_datasets")
    if request.method == "POST":
        services.datasets_publish_standard(municipality=request.municipality, actor=request.user)
        messages.success(request, _("The live datasets are in the catalogue."))
    return redirect("staff:opendata:index", municipality=request.municipality.slug)


def dataset_edit(request: HttpRequest, dataset: str | None = None) -> HttpResponse:
    _require(request, "opendata.manage_datasets")
    instance = (
        access_dataset(municipality=request.municipality, slug=dataset, include_unpublished=True)
        if dataset
        else None
    )
    form = DatasetForm(request.POST or None, instance=instance)
    upload_form = ResourceUploadForm()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        slug = instance.slug if instance else data.pop("slug")
        data.pop("slug", None)
        saved = services.dataset_save(
            municipality=request.municipality, slug=slug, actor=request.user, **data
        )
        messages.success(request, _("The dataset is saved."))
        return redirect(
            "staff:opendata:dataset", municipality=request.municipality.slug, dataset=saved.slug
        )
    return _render(
        request,
        "opendata/staff/dataset.html",
        {"form": form, "upload_form": upload_form, "dataset": instance},
    )


def resource_upload(request: HttpRequest, dataset: str) -> HttpResponse:
    _require(request, "opendata.manage_datasets")
    found = access_dataset(
        municipality=request.municipality, slug=dataset, include_unpublished=True
    )
    upload_form = ResourceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload_form.is_valid():
        try:
            services.resource_upload(
                dataset=found,
                upload=upload_form.cleaned_data["file"],
                name_th=upload_form.cleaned_data["name_th"],
                name_en=upload_form.cleaned_data["name_en"],
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                upload_form.add_error("file", message)
        else:
            messages.success(request, _("The file is published."))
            return redirect(
                "staff:opendata:dataset", municipality=request.municipality.slug, dataset=found.slug
            )
    return _render(
        request,
        "opendata/staff/dataset.html",
        {"form": DatasetForm(instance=found), "upload_form": upload_form, "dataset": found},
    )
