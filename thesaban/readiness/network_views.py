"""Public network pages: compare the members that publish their readiness results."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from thesaban.readiness import exports, selectors
from thesaban.readiness.access import access_network


@require_GET
def network_list(request: HttpRequest) -> HttpResponse:
    return render(request, "readiness/network_list.html", {"networks": selectors.network_list()})


@require_GET
def network_detail(request: HttpRequest, network: str) -> HttpResponse:
    comparison = selectors.network_comparison(network=access_network(slug=network))
    return render(request, "readiness/network.html", {"comparison": comparison})


@require_GET
def network_csv(request: HttpRequest, network: str) -> HttpResponse:
    comparison = selectors.network_comparison(network=access_network(slug=network))
    response = HttpResponse(exports.network_csv(comparison), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{comparison.network.slug}-comparison.csv"'
    )
    return response
