"""Staff pages of themes in comments (/<slug>/staff/topics/): for each process, the whole
process and each document section; compute the themes, watch the progress, read them, and
choose whether residents see them. The tenancy middleware lets only staff of the municipality
in; rules.py decides who may compute and publish."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from thesaban.insight.topics import clustering, selectors, services
from thesaban.insight.topics.access import (
    access_analysis,
    access_process_section,
    access_staff_process,
)


def _require(request: HttpRequest, permission: str) -> None:
    if not request.user.has_perm(permission, request.municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _scope_url(request: HttpRequest, process, section_id: int | None) -> str:
    slug = request.municipality.slug
    if section_id is None:
        return reverse("staff:topics:process", args=[slug, process.slug])
    return reverse("staff:topics:section", args=[slug, process.slug, section_id])


def _scope(request: HttpRequest, process: str, section_id: int | None):
    owner = access_staff_process(municipality=request.municipality, slug=process)
    section = None
    if section_id is not None:
        section = access_process_section(process=owner, section_id=section_id)
    return owner, section


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _require(request, "topics.view")
    return render(
        request,
        "topics/staff/index.html",
        {
            "staff_section": "topics",
            "processes": list(selectors.process_overview(municipality=request.municipality)),
        },
    )


@require_GET
def scope(request: HttpRequest, process: str, section_id: int | None = None) -> HttpResponse:
    _require(request, "topics.view")
    owner, section = _scope(request, process, section_id)
    scopes = selectors.scopes(process=owner)
    current = next(s for s in scopes if (s.section.pk if s.section else None) == section_id)
    analysis = selectors.latest_analysis(process=owner, section=section)
    themes = selectors.theme_views([analysis])[analysis.pk] if analysis else []
    municipality = request.municipality
    return render(
        request,
        "topics/staff/scope.html",
        {
            "staff_section": "topics",
            "process": owner,
            "section": section,
            "scopes": scopes,
            "current": current,
            "analysis": analysis,
            "themes": themes,
            "min_comments": clustering.MIN_COMMENTS,
            "compute_url": reverse(
                "staff:topics:section_compute" if section else "staff:topics:compute",
                args=[municipality.slug, owner.slug, *([section.pk] if section else [])],
            ),
            "publish_url": reverse(
                "staff:topics:section_publish" if section else "staff:topics:publish",
                args=[municipality.slug, owner.slug, *([section.pk] if section else [])],
            ),
            "may_compute": request.user.has_perm("topics.compute", municipality),
            "may_publish": request.user.has_perm("topics.publish", municipality),
        },
    )


@require_POST
def compute(request: HttpRequest, process: str, section_id: int | None = None) -> HttpResponse:
    _require(request, "topics.compute")
    owner, section = _scope(request, process, section_id)
    try:
        services.topic_analysis_request(process=owner, section=section, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The themes are being computed."))
    return redirect(_scope_url(request, owner, section_id))


@require_POST
def publish(request: HttpRequest, process: str, section_id: int | None = None) -> HttpResponse:
    _require(request, "topics.publish")
    owner, section = _scope(request, process, section_id)
    analysis = access_analysis(
        process=owner, section=section, analysis_id=request.POST.get("analysis")
    )
    public = request.POST.get("public") == "1"
    try:
        services.topic_analysis_publish(analysis=analysis, actor=request.user, public=public)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The themes are shown on the public process page.")
            if public
            else _("The themes are no longer shown on the public process page."),
        )
    return redirect(_scope_url(request, owner, section_id))
