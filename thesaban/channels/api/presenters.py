"""Model objects to API representations. The public ones are built field by field from an
allow-list, so a new model field never leaks into the API by accident."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import rules
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from thesaban.accounts.models import AccessToken, User
from thesaban.channels.api import selectors
from thesaban.core.templatetags.thesaban import localized
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Category, Report, ReportComment, ReportEvent, ReportPhoto
from thesaban.reports.questions import ordered
from thesaban.reports.selectors import report_timeline
from thesaban.reports.workflow import Actor, Status, transitions_from

NAMESPACE = "api_v1"


def as_json(data: Any) -> Any:
    """A representation as stored JSON (datetimes as ISO strings), for idempotent replays."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


class ReportUrls:
    """The API and web URLs of many reports of one municipality from two reverse() calls."""

    def __init__(self, request: HttpRequest, municipality: Municipality):
        self.request = request
        self.api = reverse(
            f"{NAMESPACE}:report_detail", kwargs={"slug": municipality.slug, "code": "__code__"}
        )
        self.web = reverse(
            "reports:detail", kwargs={"municipality": municipality.slug, "code": "__code__"}
        )

    def api_url(self, code: str) -> str:
        return _absolute(self.request, self.api.replace("__code__", quote(code, safe="")))

    def web_url(self, code: str) -> str:
        return _absolute(self.request, self.web.replace("__code__", quote(code, safe="")))


def municipality_out(request: HttpRequest, municipality: Municipality) -> dict[str, Any]:
    return {
        "slug": municipality.slug,
        "name": localized(municipality),
        "name_th": municipality.name_th,
        "name_en": municipality.name_en,
        "kind": municipality.kind,
        "province": localized(municipality, "province"),
        "population": municipality.population,
        "center_lat": municipality.center_lat,
        "center_lng": municipality.center_lng,
        "default_zoom": municipality.default_zoom,
        "tracking_prefix": municipality.tracking_prefix,
        "contact_email": municipality.contact_email,
        "contact_phone": municipality.contact_phone,
        "web_url": _absolute(
            request, reverse("municipality_home", kwargs={"municipality": municipality.slug})
        ),
        "reports_url": _absolute(
            request, reverse(f"{NAMESPACE}:report_list", kwargs={"slug": municipality.slug})
        ),
    }


def _question_out(question: dict) -> dict[str, Any]:
    return {
        "code": question["code"],
        "datatype": question["datatype"],
        "required": bool(question.get("required")),
        "order": int(question.get("order") or 0),
        "label": localized_dict(question, "label"),
        "label_th": question.get("label_th", ""),
        "label_en": question.get("label_en", ""),
        "description": localized_dict(question, "description"),
        "values": [
            {
                "key": str(value["key"]),
                "name": localized_dict(value, "name"),
                "name_th": value.get("name_th", ""),
                "name_en": value.get("name_en", ""),
            }
            for value in question.get("values", [])
        ],
    }


def localized_dict(data: dict, field: str) -> str:
    language = "en" if (translation.get_language() or "th").startswith("en") else "th"
    return str(data.get(f"{field}_{language}") or data.get(f"{field}_th") or "")


def category_out(category: Category) -> dict[str, Any]:
    return {
        "id": category.pk,
        "code": category.code,
        "name": localized(category),
        "name_th": category.name_th,
        "name_en": category.name_en,
        "icon": category.icon,
        "department": localized(category.department) if category.department else None,
        "sla_hours": category.sla_hours,
        "notice": localized(category, "notice"),
        "questions": [_question_out(q) for q in ordered(category.questions or [])],
    }


def area_out(area: Any) -> dict[str, Any]:
    return {
        "id": area.pk,
        "code": area.code,
        "name": localized(area),
        "name_th": area.name_th,
        "name_en": area.name_en,
    }


def report_summary(report: Report, urls: ReportUrls) -> dict[str, Any]:
    category = report.category
    return {
        "tracking_code": report.tracking_code,
        "category": {
            "id": category.pk,
            "code": category.code,
            "name": localized(category),
            "icon": category.icon,
        },
        "status": report.status,
        "status_label": str(Status(report.status).label),
        "description": report.description,
        "address": report.address,
        "lat": report.lat,
        "lng": report.lng,
        "community": localized(report.community) if report.community_id else None,
        "submitted_at": report.submitted_at,
        "updated_at": report.updated_at,
        "support_count": report.support_count,
        "comment_count": report.comment_count,
        "url": urls.api_url(report.tracking_code),
        "web_url": urls.web_url(report.tracking_code),
    }


def _photo_out(request: HttpRequest, photo: ReportPhoto) -> dict[str, Any]:
    return {
        "url": _absolute(request, photo.image.url),
        "thumbnail_url": _absolute(request, photo.thumbnail.url),
        "width": photo.width,
        "height": photo.height,
        "by_staff": photo.by_staff,
    }


def _event_out(event: ReportEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "kind_label": str(ReportEvent.Kind(event.kind).label)
        if event.kind in ReportEvent.Kind.values
        else event.kind,
        "from_status": event.from_status or None,
        "to_status": event.to_status or None,
        "note": event.note,
        "is_public": event.is_public,
        "created_at": event.created_at,
    }


def _reported_by(report: Report) -> str | None:
    """As on the public page: the display name of a report made publicly from an account."""
    if report.is_anonymous or not report.reporter_id or report.reporter is None:
        return None
    return report.reporter.public_name


def report_public(request: HttpRequest, report: Report) -> dict[str, Any]:
    urls = ReportUrls(request, report.municipality)
    data = report_summary(report, urls)
    data.update(
        department=localized(report.department) if report.department_id else None,
        sla_due_at=report.sla_due_at,
        sla_breached=report.sla_breached,
        resolved_at=report.resolved_at,
        closed_at=report.closed_at,
        satisfaction=report.satisfaction,
        reported_by=_reported_by(report),
        duplicate_of=report.duplicate_of.tracking_code if report.duplicate_of_id else None,
        photos=[_photo_out(request, p) for p in selectors.report_photos(report=report)],
        timeline=[_event_out(e) for e in report_timeline(report=report)],
    )
    return data


def report_created(request: HttpRequest, report: Report) -> dict[str, Any]:
    data = report_public(request, report)
    data["follow_token"] = report.follow_token
    data["follow_url"] = _absolute(
        request,
        reverse(
            "reports:follow_link",
            kwargs={
                "municipality": report.municipality.slug,
                "code": report.tracking_code,
                "token": report.follow_token,
            },
        ),
    )
    return data


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.public_name}


def _department_ref(report: Report) -> dict[str, Any] | None:
    if not report.department_id:
        return None
    return {"id": report.department_id, "name": localized(report.department)}


def queue_item(report: Report, urls: ReportUrls) -> dict[str, Any]:
    data = report_summary(report, urls)
    data.update(
        department=_department_ref(report),
        assigned_to=_person(report.assigned_to),
        sla_due_at=report.sla_due_at,
        sla_breached=report.sla_breached,
        priority=round(float(report.priority), 3),
    )
    return data


def report_staff(request: HttpRequest, report: Report, *, user: User) -> dict[str, Any]:
    urls = ReportUrls(request, report.municipality)
    data = report_summary(report, urls)
    may_act = rules.has_perm("reports.change_report", user, report)
    contact = None
    if rules.has_perm("reports.view_reporter_contact", user, report):
        contact = {
            "name": report.reporter_name
            or (report.reporter.display_name if report.reporter_id and report.reporter else ""),
            "email": report.reporter_email,
            "phone": report.reporter_phone,
        }
    events = report_timeline(report=report, include_internal=True)
    data.update(
        department=_department_ref(report),
        assigned_to=_person(report.assigned_to),
        channel=report.channel,
        answers=report.answers or {},
        sla_due_at=report.sla_due_at,
        sla_breached=report.sla_breached,
        first_response_at=report.first_response_at,
        resolved_at=report.resolved_at,
        closed_at=report.closed_at,
        satisfaction=report.satisfaction,
        satisfaction_comment=report.satisfaction_comment,
        duplicate_of=report.duplicate_of.tracking_code if report.duplicate_of_id else None,
        priority=None,
        reporter_contact=contact,
        allowed_transitions=[t.target for t in transitions_from(report.status, Actor.STAFF)]
        if may_act
        else [],
        photos=[_photo_out(request, p) for p in selectors.report_photos(report=report)],
        timeline=[staff_event_out(e) for e in events],
    )
    return data


def staff_event_out(event: ReportEvent) -> dict[str, Any]:
    return {**_event_out(event), "actor": event.actor.public_name if event.actor else None}


def comment_out(comment: ReportComment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "author": comment.author.public_name if comment.author else _("Resident"),
        "body": comment.body,
        "created_at": comment.created_at,
    }


def token_out(token: AccessToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def page(
    request: HttpRequest,
    items: list[Any],
    *,
    count: int,
    limit: int,
    offset: int,
    build: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    def link(new_offset: int) -> str:
        params = request.GET.copy()
        params["offset"] = str(new_offset)
        params["limit"] = str(limit)
        return _absolute(request, f"{request.path}?{params.urlencode()}")

    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "results": [build(item) for item in items],
    }
