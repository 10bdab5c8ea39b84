"""Public pages of the Open Data Local Portal: budget explorer, projects, procurement, datasets."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from thesaban.opendata import charts, datastore, ledger, selectors
from thesaban.opendata.access import access_budget, access_dataset, access_project, access_resource
from thesaban.opendata.budget import GROUP_THAI
from thesaban.opendata.charts import Datum
from thesaban.opendata.metadata import LICENSES
from thesaban.opendata.metadata import dcat_catalog as build_catalog
from thesaban.opendata.sources import WRITERS, sources


def _ledger_url(record) -> str:
    entry = ledger.entry_for(record)
    return entry.get_absolute_url() if entry is not None else ""


def _explorer_url(municipality, year: int, **params: str) -> str:
    from urllib.parse import urlencode

    url = reverse("opendata:budget", kwargs={"municipality": municipality.slug, "year": year})
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{url}?{query}" if query else url


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    years = selectors.budget_years_series(municipality=municipality)
    context = {
        "years": years,
        "datasets": selectors.dataset_list(municipality=municipality),
        "projects": selectors.project_list(municipality=municipality)[:6],
    }
    if years:
        context["year_chart"] = charts.columns(
            [
                Datum(
                    str(y["fiscal_year"]),
                    y["total"],
                    _explorer_url(municipality, y["fiscal_year"]),
                    y["disbursed"],
                )
                for y in years
            ],
            title=_("Budget year on year"),
            chart_id="years",
            primary=_("Planned"),
            secondary=_("Disbursed"),
        )
    return render(request, "opendata/home.html", context)


@require_GET
def budget_year(request: HttpRequest, year: int) -> HttpResponse:
    municipality = request.municipality
    access_budget(municipality=municipality, fiscal_year=year)
    plan = request.GET.get("plan") or None
    work = request.GET.get("work") or None if plan else None
    view = selectors.budget_explore(
        municipality=municipality, fiscal_year=year, plan=plan, work=work
    )
    if view is None:
        raise Http404("No budget version")
    if plan is not None and not view.rows:
        raise Http404("No such plan or work")
    for row in view.rows:
        if view.level == "plan":
            row.extra["href"] = _explorer_url(municipality, year, plan=row.key)
        elif view.level == "work":
            row.extra["href"] = _explorer_url(municipality, year, plan=plan, work=row.key)
    level_title = {
        "plan": _("By plan"),
        "work": _("Works of %(plan)s") % {"plan": plan},
        "item": _("Items of %(work)s") % {"work": work},
    }[view.level]
    data = [Datum(r.label, r.planned, r.extra.get("href", ""), r.disbursed) for r in view.rows]
    context = {
        "view": view,
        "year": year,
        "level_title": level_title,
        "version_ledger_url": _ledger_url(view.version),
        "treemap": charts.treemap(data, title=level_title, chart_id="treemap")
        if view.level != "item"
        else "",
        "bars": charts.bars(
            data, title=level_title, chart_id="bars", primary=_("Planned"), secondary=_("Disbursed")
        ),
        "group_bars": charts.bars(
            [Datum(r.label, r.planned, "", r.disbursed) for r in view.by_group],
            title=_("By budget group"),
            chart_id="groups",
            primary=_("Planned"),
            secondary=_("Disbursed"),
        ),
        "group_thai": GROUP_THAI,
        "years": selectors.budget_years_series(municipality=municipality),
        "changes": selectors.budget_changes(budget=view.budget)[:20],
        "projects": selectors.project_list(municipality=municipality, fiscal_year=year),
        "plan_url": _explorer_url(municipality, year, plan=plan) if plan else "",
        "year_url": _explorer_url(municipality, year),
    }
    return render(request, "opendata/budget.html", context)


@require_GET
def procurement(request: HttpRequest, year: int) -> HttpResponse:
    municipality = request.municipality
    budget = access_budget(municipality=municipality, fiscal_year=year)
    page = Paginator(
        selectors.award_list(municipality=municipality, fiscal_year=year), 50
    ).get_page(request.GET.get("page"))
    urls = ledger.entry_urls(page)
    rows = [{"award": award, "ledger_url": urls[award]} for award in page]
    return render(
        request,
        "opendata/procurement.html",
        {"budget": budget, "year": year, "page": page, "rows": rows},
    )


@require_GET
def disbursements(request: HttpRequest, year: int) -> HttpResponse:
    municipality = request.municipality
    budget = access_budget(municipality=municipality, fiscal_year=year)
    page = Paginator(
        selectors.disbursement_list(municipality=municipality, fiscal_year=year), 50
    ).get_page(request.GET.get("page"))
    urls = ledger.entry_urls(page)
    rows = [{"payment": payment, "ledger_url": urls[payment]} for payment in page]
    return render(
        request,
        "opendata/disbursements.html",
        {"budget": budget, "year": year, "page": page, "rows": rows},
    )


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    projects = selectors.project_list(municipality=request.municipality)
    return render(request, "opendata/projects.html", {"projects": projects})


@require_GET
def project_detail(request: HttpRequest, project: str) -> HttpResponse:
    found = access_project(municipality=request.municipality, code=project)
    spent = selectors.project_list(municipality=request.municipality).get(pk=found.pk).spent
    awards = [
        {"award": a, "ledger_url": _ledger_url(a)} for a in selectors.project_awards(project=found)
    ]
    payments = [
        {"payment": p, "ledger_url": _ledger_url(p)}
        for p in selectors.project_disbursements(project=found)[:100]
    ]
    return render(
        request,
        "opendata/project.html",
        {"project": found, "spent": spent, "awards": awards, "payments": payments},
    )


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/datasets.html",
        {"datasets": selectors.dataset_list(municipality=request.municipality)},
    )


@require_GET
def dataset_detail(request: HttpRequest, dataset: str) -> HttpResponse:
    found = access_dataset(municipality=request.municipality, slug=dataset)
    resources = list(found.resources.all())
    tabular = next((r for r in resources if datastore.is_queryable(r)), None)
    preview = datastore.preview(tabular) if tabular is not None else None
    chart = ""
    source = sources.get(found.source) if found.source else None
    figures = None
    if source is not None and source.chart is not None:
        figures = source.chart(request.municipality)
    elif tabular is not None and not tabular.is_live:
        figures = datastore.csv_chart(tabular)
    if figures and figures[1]:
        title, values = figures
        chart = charts.bars(
            [Datum(label, value) for label, value in values],
            title=title,
            chart_id="dataset",
            primary=title,
        )
    license_info = LICENSES.get(found.license_id)
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": found,
            "resources": resources,
            "preview": preview,
            "preview_resource": tabular,
            "chart": chart,
            "chart_values": figures[1] if figures else [],
            "license": license_info,
            "ckan_name": f"{request.municipality.slug}-{found.slug}",
        },
    )


@require_GET
def resource_download(request: HttpRequest, dataset: str, resource) -> HttpResponse:
    found = access_dataset(municipality=request.municipality, slug=dataset)
    item = access_resource(dataset=found, resource_id=resource)
    filename = f"{request.municipality.slug}-{found.slug}"
    if item.is_live:
        source = sources.get(found.source)
        writer = WRITERS.get(item.format)
        if source is None or writer is None or (item.format == "GeoJSON" and source.geo is None):
            raise Http404("This resource cannot be generated")
        stream, content_type, extension = writer
        response = StreamingHttpResponse(
            (chunk.encode("utf-8") for chunk in stream(source, request.municipality)),
            content_type=content_type,
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    else:
        if not item.file:
            raise Http404("No file")
        from django.http import FileResponse

        response = FileResponse(
            item.file.open("rb"), as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1]
        )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def dcat_catalog(request: HttpRequest) -> JsonResponse:
    catalog = build_catalog(
        request.municipality,
        selectors.dataset_list(municipality=request.municipality),
        request.build_absolute_uri,
    )
    response = JsonResponse(catalog, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"
    return response
