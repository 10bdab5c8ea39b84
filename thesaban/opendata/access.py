"""The only way views fetch an open-data object: always through the request's municipality."""

import uuid

from django.http import Http404

from thesaban.opendata.models import Budget, BudgetItem, Dataset, ImportJob, Project, Resource


def access_budget(*, municipality, fiscal_year) -> Budget:
    try:
        return Budget.objects.get(municipality=municipality, fiscal_year=int(fiscal_year))
    except (Budget.DoesNotExist, ValueError, TypeError):
        raise Http404("No budget for this year") from None


def access_budget_item(*, budget: Budget, item_id) -> BudgetItem:
    try:
        return BudgetItem.objects.get(
            municipality=budget.municipality, budget=budget, pk=int(item_id)
        )
    except (BudgetItem.DoesNotExist, ValueError, TypeError):
        raise Http404("No such budget item") from None


def access_project(*, municipality, code: str) -> Project:
    try:
        return Project.objects.select_related(
            "community", "budget_item", "budget_item__budget"
        ).get(municipality=municipality, code=code)
    except Project.DoesNotExist:
        raise Http404("No such project") from None


def access_dataset(*, municipality, slug: str, include_unpublished: bool = False) -> Dataset:
    datasets = Dataset.objects.select_related("municipality").filter(
        municipality=municipality, slug=slug
    )
    if not include_unpublished:
        datasets = datasets.filter(is_published=True)
    dataset = datasets.first()
    if dataset is None:
        raise Http404("No such dataset")
    return dataset


def access_resource(*, dataset: Dataset, resource_id) -> Resource:
    try:
        key = resource_id if isinstance(resource_id, uuid.UUID) else uuid.UUID(str(resource_id))
        return Resource.objects.select_related("dataset", "municipality").get(
            municipality=dataset.municipality, dataset=dataset, pk=key
        )
    except (Resource.DoesNotExist, ValueError):
        raise Http404("No such resource") from None


def access_import_job(*, municipality, job_id) -> ImportJob:
    try:
        return ImportJob.objects.get(municipality=municipality, pk=int(job_id))
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import") from None
