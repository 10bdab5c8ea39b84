"""Open311 documents built from Thesaban's objects, in the active language.

Every field the spec lists is present, null when Thesaban does not know it. Nothing personal
is ever put in a GET document: reporter name, e-mail, phone, device_id and account_id stay
in the database for staff.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.channels.open311.selectors import open311_status
from thesaban.core.templatetags.thesaban import localized
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Category, Report
from thesaban.reports.questions import ordered

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Bump when the shape of these documents changes (discovery's changeset).
CHANGESET = "2026-11-21T00:00:00+07:00"


def w3c(moment: datetime | None) -> str | None:
    """ISO 8601 (W3C profile) with the offset of Thailand's time zone, e.g. +07:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _language_field(item: dict, name: str) -> str:
    from django.utils import translation

    language = "en" if (translation.get_language() or "th").startswith("en") else "th"
    return item.get(f"{name}_{language}") or item.get(f"{name}_th") or ""


def service_notice(category: Category) -> str:
    notice = localized(category, "notice")
    if notice:
        return notice
    return _("The responsible department aims to act within %(hours)s hours.") % {
        "hours": category.sla_hours
    }


def service(category: Category) -> dict[str, Any]:
    name = localized(category)
    department = localized(category.department) if category.department_id else ""
    if department:
        description = _("%(name)s. Handled by %(department)s within %(hours)s hours.") % {
            "name": name,
            "department": department,
            "hours": category.sla_hours,
        }
    else:
        description = _("%(name)s. Handled within %(hours)s hours.") % {
            "name": name,
            "hours": category.sla_hours,
        }
    keywords = dict.fromkeys(
        word for word in (category.code, category.name_th, category.name_en) if word
    )
    return {
        "service_code": category.code,
        "service_name": name,
        "description": description,
        "metadata": bool(category.questions),
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": department or None,
    }


DATATYPE_HINTS = {
    "string": lambda: _("One line of text, at most 200 characters."),
    "text": lambda: _("Text, line breaks allowed, at most 2,000 characters."),
    "number": lambda: _("A number, e.g. 3 or 2.5."),
    "datetime": lambda: _("A date and time, e.g. 2026-11-21T09:30:00+07:00."),
    "singlevaluelist": lambda: _("One of the keys listed in values."),
    "multivaluelist": lambda: _(
        "One or more keys listed in values, each sent as attribute[code][]=key."
    ),
}


def service_definition(category: Category) -> dict[str, Any]:
    attributes = []
    for position, question in enumerate(ordered(list(category.questions or [])), start=1):
        hint = _language_field(question, "description") or DATATYPE_HINTS[question["datatype"]]()
        attributes.append(
            {
                "variable": True,
                "code": question["code"],
                "datatype": question["datatype"],
                "required": bool(question.get("required")),
                "datatype_description": hint,
                "order": position,
                "description": _language_field(question, "label"),
                "values": [
                    {"key": value["key"], "name": _language_field(value, "name")}
                    for value in question.get("values", [])
                ],
            }
        )
    return {"service_code": category.code, "attributes": attributes}


def _media_url(request: HttpRequest, report: Report) -> str | None:
    photo = getattr(report, "first_photo", None)
    if photo:
        return request.build_absolute_uri(default_storage.url(photo))
    return report.media_url or None


def service_request(
    request: HttpRequest, report: Report, per_category: dict | None = None
) -> dict[str, Any]:
    """GET requests / GET request: the public view of one report (no personal data).

    `per_category` caches what is the same for every report of a category (its name and
    notice, translated once) across one list."""
    category = report.category
    if per_category is None:
        per_category = {}
    shared = per_category.get(category.pk)
    if shared is None:
        shared = per_category[category.pk] = (localized(category), service_notice(category))
    service_name, notice = shared
    return {
        "service_request_id": report.tracking_code,
        "status": open311_status(report.status),
        "status_notes": getattr(report, "public_note", None) or None,
        "service_name": service_name,
        "service_code": category.code,
        "description": report.description or None,
        "agency_responsible": localized(report.department) if report.department_id else None,
        "service_notice": notice,
        "requested_datetime": w3c(report.submitted_at),
        "updated_datetime": w3c(report.updated_at),
        "expected_datetime": w3c(report.sla_due_at),
        "address": report.address or None,
        "address_id": (report.external_ref or {}).get("address_id") or None,
        "zipcode": None,
        "lat": report.lat,
        "long": report.lng,
        "media_url": _media_url(request, report),
    }


def created_request(report: Report, *, account_id: str) -> dict[str, Any]:
    """POST requests: the new request's id, what will happen, and the caller's own account_id."""
    return {
        "service_request_id": report.tracking_code,
        "service_notice": service_notice(report.category),
        "account_id": account_id or None,
    }


def token_request(token: str, report: Report) -> dict[str, Any]:
    return {"service_request_id": report.tracking_code, "token": token}


def discovery(request: HttpRequest, municipality: Municipality | None, base_url: str) -> dict:
    if municipality is not None:
        contact_bits = [localized(municipality)]
        contact_bits += [
            bit for bit in (municipality.contact_email, municipality.contact_phone) if bit
        ]
        contact = " · ".join(contact_bits)
    else:
        contact = _("Each municipality's contact details are on its home page.")
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": _(
            "API keys are issued by each municipality's administrators in the staff back "
            "office (Integrations); ask the municipality for one."
        ),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri(base_url).rstrip("/"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
