"""CKAN's Action API (read-only part), so that CKAN harvesters and `ckanapi` work unchanged.

Each action takes the request's data dict (query string on GET, JSON or form body on POST)
and returns the `result`; it raises `NotFound`, `ValidationError`, `SearchQueryError` or
`BadRequest`, which the view turns into CKAN's error envelope and HTTP status
(404, 409, 400, 400). Each municipality is an organization; dataset names are
`<municipality slug>-<dataset slug>`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from thesaban.opendata import datastore, selectors
from thesaban.opendata.metadata import (
    LICENSES,
    Absolute,
    ckan_name,
    organization_dict,
    package_dict,
    resource_dict,
)

CKAN_VERSION = "2.10.4"


class ActionError(Exception):
    status = 400
    type = "Bad Request"

    def __init__(self, message: Any = "") -> None:
        super().__init__(message)
        self.message = message

    def error(self) -> dict[str, Any]:
        return {"__type": self.type, "message": self.message}


class NotFound(ActionError):
    status = 404
    type = "Not Found Error"

    def __init__(self, message: str = "Not found") -> None:
        super().__init__(message)


class ValidationError(ActionError):
    status = 409
    type = "Validation Error"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("")
        self.errors = errors

    def error(self) -> dict[str, Any]:
        return {"__type": self.type, **self.errors}


class SearchQueryError(ActionError):
    status = 400
    type = "Search Query Error"

    def error(self) -> dict[str, Any]:
        return {"__type": self.type, "message": f"Search Query is invalid: {self.message!r}"}


class BadRequest(ActionError):
    def error(self) -> dict[str, Any]:
        return {"__type": self.type, "message": f"Bad request - {self.message}"}


# -- parameter helpers -------------------------------------------------------------------------


def _required(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value in (None, ""):
        raise ValidationError({name: ["Missing value"]})
    return str(value)


def _natural(data: dict[str, Any], name: str, default: int, maximum: int | None = None) -> int:
    value = data.get(name, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: ["Invalid integer"]}) from None
    if number < 0:
        raise ValidationError({name: ["Must be a natural number"]})
    return min(number, maximum) if maximum is not None else number


def _json_param(data: dict[str, Any], name: str, expect: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("{", "[")):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValidationError({name: ["Cannot parse JSON"]}) from None
    if value is not None and not isinstance(value, expect):
        raise ValidationError({name: [f"Not a {'dict' if expect is dict else 'list'}"]})
    return value


def _bool(data: dict[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if isinstance(value, bool):
        return value
    return str(value).lower() in ("true", "1", "yes", "on")


# -- actions -----------------------------------------------------------------------------------


def package_list(data: dict[str, Any], absolute: Absolute) -> list[str]:
    """Names of every published dataset, sorted."""
    names = sorted(ckan_name(d) for d in selectors.dataset_search_base())
    offset = _natural(data, "offset", 0)
    limit = data.get("limit")
    if limit not in (None, ""):
        return names[offset : offset + _natural(data, "limit", 0)]
    return names[offset:]


def package_show(data: dict[str, Any], absolute: Absolute) -> dict[str, Any]:
    dataset = selectors.dataset_find(text=_required(data, "id"))
    if dataset is None:
        raise NotFound()
    return package_dict(dataset, absolute)


FQ_FIELDS = {
    "organization",
    "tags",
    "res_format",
    "name",
    "license_id",
    "id",
    "frequency",
    "owner_org",
}
SORT_FIELDS = {"score", "name", "title_string", "metadata_modified", "metadata_created"}
FACET_FIELDS = {"organization", "tags", "res_format", "license_id", "frequency"}
_FQ_TERM = re.compile(r'([+-]?)([\w.]+):("(?:[^"\\]|\\.)*"|\S+)')


def _parse_fq(fq: str) -> list[tuple[bool, str, str]]:
    terms = []
    remainder = _FQ_TERM.sub("", fq)
    if remainder.replace("AND", "").strip(" ()"):
        raise SearchQueryError(f"cannot parse fq {fq!r}: use field:value terms joined by AND")
    for sign, name, value in _FQ_TERM.findall(fq):
        if name not in FQ_FIELDS:
            raise SearchQueryError(f"unknown fq field {name!r}")
        value = value[1:-1].replace('\\"', '"') if value.startswith('"') else value
        terms.append((sign == "-", name, value))
    return terms


def _facet_values(package: dict[str, Any], name: str) -> list[str]:
    if name == "organization":
        return [package["organization"]["name"]]
    if name == "owner_org":
        return [package["owner_org"]]
    if name == "tags":
        return [t["name"] for t in package["tags"]]
    if name == "res_format":
        return sorted({r["format"] for r in package["resources"]})
    if name == "license_id":
        return [package["license_id"]]
    if name == "frequency":
        return [e["value"] for e in package["extras"] if e["key"] == "frequency"]
    if name == "name":
        return [package["name"]]
    if name == "id":
        return [package["id"]]
    return []


def _matches(package: dict[str, Any], words: list[str]) -> int:
    """How many query words the package contains (0: it does not match); the score."""
    haystack = " ".join(
        [
            package["name"],
            *package["title_translated"].values(),
            *package["notes_translated"].values(),
            *(t["name"] for t in package["tags"]),
            package["organization"]["name"],
            package["organization"]["title"],
        ]
    ).lower()
    score = 0
    for word in words:
        hits = haystack.count(word.lower())
        if not hits:
            return 0
        score += hits
    return score


def package_search(data: dict[str, Any], absolute: Absolute) -> dict[str, Any]:
    q = str(data.get("q") or "").strip()
    fq = str(data.get("fq") or "").strip()
    rows = _natural(data, "rows", 10, maximum=1000)
    start = _natural(data, "start", 0)
    sort = str(data.get("sort") or "score desc, metadata_modified desc")
    facet_fields = _json_param(data, "facet.field", list) or []
    if not all(isinstance(f, str) for f in facet_fields):
        raise ValidationError({"facet.field": ["Not a list of strings"]})
    unknown = [f for f in facet_fields if f not in FACET_FIELDS]
    if unknown:
        raise SearchQueryError(f"cannot facet on {unknown[0]!r}")
    facet_limit = int(data.get("facet.limit") or 50)
    terms = _parse_fq(fq) if fq else []
    order = []
    for part in sort.split(","):
        bits = part.split()
        if len(bits) != 2 or bits[0] not in SORT_FIELDS or bits[1] not in ("asc", "desc"):
            raise SearchQueryError(f"cannot sort by {part.strip()!r}")
        order.append((bits[0], bits[1] == "desc"))

    base = selectors.dataset_search_base()
    organizations = [v for negated, name, v in terms if name == "organization" and not negated]
    if organizations:
        base = base.filter(municipality__slug__in=organizations)
    words = (
        []
        if q in ("", "*:*")
        else [w.strip('"') for w in q.replace(":", " ").split() if w.strip('"')]
    )
    found = []
    for dataset in base:
        package = package_dict(dataset, absolute)
        score = _matches(package, words) if words else 1
        if not score:
            continue
        if all(
            (value in _facet_values(package, name)) != negated for negated, name, value in terms
        ):
            found.append((score, package))

    for name, desc in reversed(order):
        if name == "score":
            found.sort(key=lambda pair: pair[0], reverse=desc)
        elif name == "title_string":
            found.sort(key=lambda pair: pair[1]["title"], reverse=desc)
        else:
            found.sort(key=lambda pair, n=name: pair[1][n], reverse=desc)

    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for name in facet_fields:
        counts = Counter(value for _s, package in found for value in _facet_values(package, name))
        top = counts.most_common(facet_limit)
        facets[name] = dict(top)
        search_facets[name] = {
            "title": name,
            "items": [
                {"name": value, "display_name": value, "count": count} for value, count in top
            ],
        }
    return {
        "count": len(found),
        "sort": sort,
        "facets": facets,
        "search_facets": search_facets,
        "results": [package for _score, package in found[start : start + rows]],
    }


def organization_list(data: dict[str, Any], absolute: Absolute) -> list[Any]:
    organizations = list(selectors.organization_list())
    sort = str(data.get("sort") or "name asc")
    if sort.startswith("package_count"):
        organizations.sort(key=lambda m: m.package_count, reverse=sort.endswith("desc"))
    elif sort.split()[0] in ("name", "title"):
        key = (lambda m: m.slug) if sort.startswith("name") else (lambda m: m.name_th)
        organizations.sort(key=key, reverse=sort.endswith("desc"))
    else:
        raise ValidationError({"sort": [f"Cannot sort by {sort!r}"]})
    offset = _natural(data, "offset", 0)
    limit = _natural(data, "limit", 1000, maximum=1000)
    page = organizations[offset : offset + limit]
    if _bool(data, "all_fields"):
        return [organization_dict(m, absolute) for m in page]
    return [m.slug for m in page]


def organization_show(data: dict[str, Any], absolute: Absolute) -> dict[str, Any]:
    municipality = selectors.organization_find(text=_required(data, "id"))
    if municipality is None:
        raise NotFound()
    result = organization_dict(municipality, absolute)
    result["users"] = []  # staff are not published
    if _bool(data, "include_datasets"):
        datasets = (
            selectors.dataset_search_base().filter(municipality=municipality).order_by("slug")
        )
        result["packages"] = [package_dict(d, absolute) for d in datasets[:1000]]
    return result


def resource_show(data: dict[str, Any], absolute: Absolute) -> dict[str, Any]:
    resource = selectors.resource_find(text=_required(data, "id"))
    if resource is None:
        raise NotFound()
    return resource_dict(resource, absolute)


def datastore_search(data: dict[str, Any], absolute: Absolute) -> dict[str, Any]:
    resource_id = _required(data, "resource_id")
    resource = selectors.resource_find(text=resource_id)
    if resource is None:
        raise NotFound(f'Resource "{resource_id}" was not found.')
    filters = _json_param(data, "filters", dict) or {}
    q = data.get("q")
    if isinstance(q, str) and q.strip().startswith("{"):
        q = _json_param(data, "q", dict)
    fields = _json_param(data, "fields", (list, str))
    limit = _natural(data, "limit", datastore.DEFAULT_LIMIT)
    offset = _natural(data, "offset", 0)
    sort = data.get("sort")
    if isinstance(sort, list):
        sort = ",".join(sort)
    try:
        page = datastore.search(
            resource, q=q, filters=filters, limit=limit, offset=offset, fields=fields, sort=sort
        )
    except datastore.DatastoreError as error:
        raise ValidationError(error.errors) from None
    action = reverse("ckan:action", kwargs={"action": "datastore_search"})
    start_link = f"{action}?resource_id={resource.pk}"
    result: dict[str, Any] = {
        "resource_id": str(resource.pk),
        "fields": page.fields,
        "records": page.records,
        "records_format": "objects",
        "total": page.total,
        "total_was_estimated": False,
        "include_total": True,
        "limit": min(limit, datastore.MAX_LIMIT),
        "_links": {
            "start": start_link,
            "next": f"{start_link}&offset={offset + min(limit, datastore.MAX_LIMIT)}",
        },
    }
    if offset:
        result["offset"] = offset
    if filters:
        result["filters"] = filters
    if q:
        result["q"] = q
    if sort:
        result["sort"] = sort
    return result


def status_show(data: dict[str, Any], absolute: Absolute) -> dict[str, Any]:
    return {
        "ckan_version": CKAN_VERSION,
        "site_title": "Thesaban",
        "site_url": absolute("/").rstrip("/"),
        "site_description": "Open Data Local Portal",
        "locale_default": "th",
        "extensions": ["datastore", "dcat"],
    }


def site_read(data: dict[str, Any], absolute: Absolute) -> bool:
    return True


def license_list(data: dict[str, Any], absolute: Absolute) -> list[dict[str, Any]]:
    return [
        {"id": cid, "title": title, "url": url, "od_conformance": "approved", "status": "active"}
        for cid, title, url in LICENSES.values()
    ]


def help_show(data: dict[str, Any], absolute: Absolute) -> str:
    name = _required(data, "name")
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"Action function not found: {name}")
    return action.__doc__ or name


ACTIONS: dict[str, Callable[[dict[str, Any], Absolute], Any]] = {
    "package_list": package_list,
    "package_show": package_show,
    "package_search": package_search,
    "organization_list": organization_list,
    "organization_show": organization_show,
    "resource_show": resource_show,
    "datastore_search": datastore_search,
    "status_show": status_show,
    "site_read": site_read,
    "license_list": license_list,
    "help_show": help_show,
}


def call(action: str, data: dict[str, Any], absolute: Absolute) -> Any:
    function = ACTIONS.get(action)
    if function is None:
        raise BadRequest(f"Action name not known: {action}")
    return function(data, absolute)
