"""Municipalities and what a report is filed under: public, no credentials needed."""

from django.http import HttpRequest
from ninja import Router

from thesaban.channels.api import presenters
from thesaban.channels.api.errors import error_responses
from thesaban.channels.api.params import Slug
from thesaban.channels.api.schemas import AreaOut, CategoryOut, MunicipalityOut
from thesaban.channels.api.selectors import access_municipality
from thesaban.municipalities.selectors import (
    community_list,
    department_list,
    municipality_list_public,
)
from thesaban.reports.selectors import category_list

router = Router(tags=["Municipalities"])


@router.get(
    "/municipalities",
    response={200: list[MunicipalityOut]},
    summary="List the municipalities of this deployment",
)
def municipality_list(request: HttpRequest):
    return [presenters.municipality_out(request, m) for m in municipality_list_public()]


@router.get(
    "/municipalities/{slug}",
    response={200: MunicipalityOut, **error_responses(404, 422)},
    summary="A municipality's public information",
)
def municipality_detail(request: HttpRequest, slug: Slug):
    return presenters.municipality_out(request, access_municipality(slug=slug))


@router.get(
    "/municipalities/{slug}/categories",
    response={200: list[CategoryOut], **error_responses(404, 422)},
    summary="Report categories, with the extra questions each asks",
    description="Only active categories, in display order. A report answers the category's "
    'questions in its "answers" object, keyed by question code.',
)
def category_index(request: HttpRequest, slug: Slug):
    municipality = access_municipality(slug=slug)
    return [presenters.category_out(c) for c in category_list(municipality=municipality)]


@router.get(
    "/municipalities/{slug}/communities",
    response={200: list[AreaOut], **error_responses(404, 422)},
    summary="Communities (areas) of the municipality, for filtering reports",
)
def community_index(request: HttpRequest, slug: Slug):
    municipality = access_municipality(slug=slug)
    return [presenters.area_out(c) for c in community_list(municipality=municipality)]


@router.get(
    "/municipalities/{slug}/departments",
    response={200: list[AreaOut], **error_responses(404, 422)},
    summary="Departments of the municipality, for filtering and assigning reports",
)
def department_index(request: HttpRequest, slug: Slug):
    municipality = access_municipality(slug=slug)
    return [presenters.area_out(d) for d in department_list(municipality=municipality)]
