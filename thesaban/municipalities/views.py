from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from thesaban.municipalities.selectors import municipality_list_public
from thesaban.reports.selectors import category_list, report_list_public


def home(request):
    return render(
        request, "municipalities/home.html", {"municipalities": municipality_list_public()}
    )


def municipality_home(request):
    municipality = request.municipality
    return render(
        request,
        "municipalities/municipality_home.html",
        {
            "categories": category_list(municipality=municipality),
            "recent_reports": report_list_public(municipality=municipality)[:6],
        },
    )


def healthz(request):
    """For load balancers: the app answers and the database is reachable."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
