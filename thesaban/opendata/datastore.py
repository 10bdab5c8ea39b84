"""Rows of a resource, filtered, searched, sorted and paged: CKAN's `datastore_search` and the
preview tables use it. Live resources are queried in the database; an uploaded CSV file is
read (it is at most 50 MB) and filtered in Python."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from thesaban.opendata.models import Resource
from thesaban.opendata.sources import Field, Source, plain, sources, text_value

MAX_LIMIT = 32000  # CKAN's ckan.datastore.search.rows_max default
DEFAULT_LIMIT = 100


class DatastoreError(Exception):
    """A bad parameter: `errors` maps the parameter to messages, as CKAN's Validation Error."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Page:
    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    total: int


def source_of(resource: Resource) -> Source | None:
    if not resource.is_live:
        return None
    return sources.get(resource.dataset.source)


def is_queryable(resource: Resource) -> bool:
    return source_of(resource) is not None or (
        bool(resource.file) and resource.format == Resource.Format.CSV
    )


def _coerce(field: Field, value: Any) -> Any:
    if value is None:
        return None
    if field.type == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise DatastoreError(
                {"filters": [f"invalid integer for {field.id}: {value!r}"]}
            ) from None
    return str(value)


def _parse_sort(sort: str | None, allowed: list[str]) -> list[tuple[str, bool]]:
    if not sort:
        return []
    order = []
    for part in str(sort).split(","):
        bits = part.strip().split()
        if not bits:
            continue
        name = bits[0].strip('"')
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if name not in allowed or direction not in ("asc", "desc") or len(bits) > 2:
            raise DatastoreError({"sort": [f'field "{name}" not in known fields or not sortable']})
        order.append((name, direction == "desc"))
    return order


def _fields_wanted(fields: Any, known: list[str]) -> list[str]:
    if fields in (None, "", []):
        return known
    names = fields if isinstance(fields, list) else [f.strip() for f in str(fields).split(",")]
    unknown = [n for n in names if n not in known and n != "_id"]
    if unknown:
        raise DatastoreError({"fields": [f'field "{unknown[0]}" not in known fields']})
    return [n for n in names if n != "_id"]


def search(
    resource: Resource,
    *,
    q: Any = None,
    filters: dict[str, Any] | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    fields: Any = None,
    sort: str | None = None,
) -> Page:
    if limit < 0 or offset < 0:
        raise DatastoreError({"limit": ["Must be a natural number"]})
    limit = min(limit, MAX_LIMIT)
    source = source_of(resource)
    if source is not None:
        return _search_live(source, resource, q, filters or {}, limit, offset, fields, sort)
    if resource.file and resource.format == Resource.Format.CSV:
        return _search_csv(resource, q, filters or {}, limit, offset, fields, sort)
    raise DatastoreError(
        {"resource_id": ["This resource has no datastore table (only live data and CSV files do)."]}
    )


def _search_live(source: Source, resource, q, filters, limit, offset, fields, sort) -> Page:
    queryset = source.queryset(resource.municipality)
    known = source.field_ids
    for name, value in filters.items():
        field = source.field(name)
        if field is None or not field.filterable:
            raise DatastoreError(
                {"filters": [f'field "{name}" not in known fields or not filterable']}
            )
        if isinstance(value, list):
            queryset = queryset.filter(**{f"{name}__in": [_coerce(field, v) for v in value]})
        elif value is None:
            queryset = queryset.filter(**{f"{name}__isnull": True})
        else:
            queryset = queryset.filter(**{name: _coerce(field, value)})
    searchable = [f.id for f in source.fields if f.searchable]
    if isinstance(q, dict):
        for name, term in q.items():
            field = source.field(name)
            if field is None or not field.searchable:
                raise DatastoreError(
                    {"q": [f'field "{name}" not in known fields or not searchable']}
                )
            queryset = queryset.filter(**{f"{name}__icontains": str(term)})
    elif q:
        for word in str(q).split():
            condition = Q()
            for name in searchable:
                condition |= Q(**{f"{name}__icontains": word})
            queryset = queryset.filter(condition)
    order = _parse_sort(sort, [f.id for f in source.fields if f.sortable] + ["_id"])
    if order:
        queryset = queryset.order_by(*[("-" if desc else "") + name for name, desc in order], "_id")
    wanted = _fields_wanted(fields, known)
    total = queryset.count()
    rows = list(source.published(queryset[offset : offset + limit]))
    records = [
        {"_id": row["_id"], **{name: plain(row.get(name)) for name in wanted}} for row in rows
    ]
    types = {f.id: f.type for f in source.fields}
    return Page(
        fields=[{"id": "_id", "type": "int"}] + [{"id": n, "type": types[n]} for n in wanted],
        records=records,
        total=total,
    )


def read_csv_upload(resource: Resource) -> tuple[list[str], list[dict[str, str]]]:
    with resource.file.open("rb") as handle:
        data = handle.read()
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DatastoreError({"resource_id": ["The file is not UTF-8 or TIS-620 text."]})
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    names = [h.strip() or f"column_{i + 1}" for i, h in enumerate(header)]
    rows = [
        dict(zip(names, row, strict=False)) for row in reader if any(cell.strip() for cell in row)
    ]
    return names, rows


def _search_csv(resource, q, filters, limit, offset, fields, sort) -> Page:
    names, rows = read_csv_upload(resource)
    for name, value in filters.items():
        if name not in names:
            raise DatastoreError({"filters": [f'field "{name}" not in known fields']})
        wanted_values = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        rows = [r for r in rows if r.get(name, "") in wanted_values]
    if isinstance(q, dict):
        for name, term in q.items():
            if name not in names:
                raise DatastoreError({"q": [f'field "{name}" not in known fields']})
            rows = [r for r in rows if str(term).lower() in r.get(name, "").lower()]
    elif q:
        for word in str(q).lower().split():
            rows = [r for r in rows if any(word in (v or "").lower() for v in r.values())]
    numbered = list(enumerate(rows, start=1))
    for name, desc in reversed(_parse_sort(sort, names + ["_id"])):
        if name == "_id":
            numbered.sort(key=lambda pair: pair[0], reverse=desc)
        else:
            numbered.sort(key=lambda pair, n=name: _sort_key(pair[1].get(n, "")), reverse=desc)
    wanted = _fields_wanted(fields, names)
    page = numbered[offset : offset + limit]
    return Page(
        fields=[{"id": "_id", "type": "int"}] + [{"id": n, "type": "text"} for n in wanted],
        records=[{"_id": i, **{n: row.get(n, "") for n in wanted}} for i, row in page],
        total=len(numbered),
    )


def _sort_key(value: str) -> tuple[int, Any]:
    if re.fullmatch(r"-?\d+(\.\d+)?", value.replace(",", "")):
        return (0, float(value.replace(",", "")))
    return (1, value)


def preview(resource: Resource, rows: int = 10) -> Page | None:
    """The first rows for a dataset page, or None when the resource is not tabular."""
    if not is_queryable(resource):
        return None
    try:
        return search(resource, limit=rows)
    except DatastoreError:
        return None


def csv_chart(resource: Resource, limit: int = 12) -> tuple[str, list[tuple[str, Any]]] | None:
    """For an uploaded CSV: the first numeric column summed by the first text column."""
    from decimal import Decimal, InvalidOperation

    try:
        names, rows = read_csv_upload(resource)
    except DatastoreError:
        return None

    def number(value: str) -> Decimal | None:
        try:
            return Decimal(value.replace(",", "").strip())
        except (InvalidOperation, AttributeError):
            return None

    numeric = [
        n for n in names if rows and all(number(r.get(n, "")) is not None for r in rows[:200])
    ]
    textual = [n for n in names if n not in numeric]
    if not numeric or not textual:
        return None
    totals: dict[str, Decimal] = {}
    for row in rows:
        key = row.get(textual[0], "") or "–"
        totals[key] = totals.get(key, Decimal(0)) + (number(row.get(numeric[0], "")) or Decimal(0))
    top = sorted(totals.items(), key=lambda pair: pair[1], reverse=True)[:limit]
    return f"{numeric[0]} / {textual[0]}", top


__all__ = ["DatastoreError", "Page", "is_queryable", "preview", "search", "text_value"]
