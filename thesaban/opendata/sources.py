"""Live data sources: datasets generated from the platform's own tables, and their streaming.

A `Source` names its columns (each with a type, and whether it may be filtered or sorted on),
builds a queryset of one municipality's rows as `.values()` (personal data is simply not among
the columns, and masking happens in SQL so that no filter can probe it), and may turn a row
into what is published (`publish`, e.g. rounding coordinates). Apps register sources in their
AppConfig.ready(): `sources.register(Source(...))`; the catalogue, the downloads, the previews
and CKAN's `datastore_search` only walk the registry.

Writers stream with constant memory: rows come from `QuerySet.iterator(chunk_size=…)` (a
server-side cursor on PostgreSQL) and are encoded in blocks of `BLOCK_ROWS`, so a million
reports never sit in memory at once (bench/bench_export.py measures it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

CHUNK_SIZE = 2000
BLOCK_ROWS = 500


@dataclass(frozen=True)
class Field:
    id: str
    type: str = "text"  # CKAN datastore types: text, numeric, int, date, timestamp, float
    filterable: bool = True
    sortable: bool = True
    searchable: bool = False  # q= looks in it


@dataclass
class Source:
    key: str
    title_th: str
    title_en: str
    description_th: str
    description_en: str
    fields: list[Field]
    rows: Callable[[Any], QuerySet]  # municipality -> QuerySet.values(*field ids) plus "_id"
    keywords: str = ""
    frequency: str = "continuous"
    geo: tuple[str, str] | None = None  # (lat field, lng field)
    publish: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    formats: tuple[str, ...] = ("CSV", "JSON")
    # municipality -> (chart title, [(label, value), ...]) for the dataset page's chart
    chart: Callable[[Any], tuple[str, list[tuple[str, Decimal]]]] | None = None

    @property
    def field_ids(self) -> list[str]:
        return [f.id for f in self.fields]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.id == name), None)

    def catalogue_defaults(self) -> dict[str, Any]:
        return {
            "title_th": self.title_th,
            "title_en": self.title_en,
            "description_th": self.description_th,
            "description_en": self.description_en,
            "keywords": self.keywords,
            "frequency": self.frequency,
            "source": self.key,
        }

    def queryset(self, municipality) -> QuerySet:
        return self.rows(municipality)

    def published(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        if self.publish is None:
            yield from rows
        else:
            for row in rows:
                yield self.publish(row)


class SourceRegistry:
    def __init__(self) -> None:
        self._sources: dict[str, Source] = {}

    def register(self, source: Source) -> None:
        self._sources[source.key] = source

    def get(self, key: str) -> Source | None:
        return self._sources.get(key)

    def all(self) -> list[Source]:
        return list(self._sources.values())


sources = SourceRegistry()


# -- value encoding ----------------------------------------------------------------------------


def text_value(value: Any) -> str:
    """A cell as CSV writes it: amounts exact, times in Thailand's time zone, ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_value(value: Any) -> str:
    """A JSON literal; Decimals are written as exact JSON numbers, never through float."""
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return json.dumps(text_value(value))
    return json.dumps(value, ensure_ascii=False)


def json_object(row: dict[str, Any], keys: Iterable[str]) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{json_value(row.get(k))}" for k in keys) + "}"


def _json_row(
    row: dict[str, Any], encoders: list[tuple[str, Callable[[Any], str]]], keys: list[str]
) -> str:
    return (
        "{"
        + ",".join(
            f"{key}:{encode(row.get(name))}"
            for (name, encode), key in zip(encoders, keys, strict=True)
        )
        + "}"
    )


def plain(value: Any) -> Any:
    """A value as Python's json module can take it (for API envelopes built as dicts)."""
    if isinstance(value, Decimal):
        return (
            float(value)
            if value == value.to_integral_value() and abs(value) < 2**53
            else str(value)
        )
    if isinstance(value, dt.datetime | dt.date):
        return text_value(value)
    return value


# -- streaming writers -------------------------------------------------------------------------


def _rows(source: Source, municipality) -> Iterator[dict[str, Any]]:
    queryset = source.queryset(municipality)
    return source.published(queryset.iterator(chunk_size=CHUNK_SIZE))


def _encoders(source: Source, as_json: bool = False) -> list[tuple[str, Callable[[Any], str]]]:
    """One encoder per field, chosen once per export rather than once per value: the export of
    a million rows spends most of its time here (bench/bench_export.py)."""
    zone = timezone.get_current_timezone()

    def timestamp(value: Any) -> str:
        if value is None:
            return "null" if as_json else ""
        text = value.astimezone(zone).isoformat(timespec="seconds")
        return f'"{text}"' if as_json else text

    def plain(value: Any) -> str:
        return "" if value is None else str(value)

    pairs = []
    for f in source.fields:
        if f.type == "timestamp":
            pairs.append((f.id, timestamp))
        elif as_json:
            pairs.append((f.id, json_value))
        elif f.type in ("date",):
            pairs.append((f.id, text_value))
        else:
            pairs.append((f.id, plain))
    return pairs


def stream_csv(source: Source, municipality) -> Iterator[str]:
    """UTF-8 CSV with a byte-order mark (so Excel shows Thai), header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    encoders = _encoders(source)
    writer.writerow([name for name, _encode in encoders])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(_rows(source, municipality), start=1):
        writer.writerow([encode(row.get(name)) for name, encode in encoders])
        if count % BLOCK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def stream_json(source: Source, municipality) -> Iterator[str]:
    """`{"fields": [...], "records": [{...}, ...]}` as CKAN's datastore dump writes it."""
    encoders = _encoders(source, as_json=True)
    keys = [json.dumps(name) for name, _encode in encoders]
    yield (
        '{"fields":'
        + json.dumps([{"id": f.id, "type": f.type} for f in source.fields])
        + ',"records":['
    )
    block: list[str] = []
    first = True
    for row in _rows(source, municipality):
        block.append(_json_row(row, encoders, keys))
        if len(block) == BLOCK_ROWS:
            yield ("" if first else ",") + ",\n".join(block)
            first = False
            block = []
    if block:
        yield ("" if first else ",") + ",\n".join(block)
    yield "]}\n"


def stream_geojson(source: Source, municipality) -> Iterator[str]:
    """A GeoJSON FeatureCollection (RFC 7946, WGS 84, [longitude, latitude])."""
    if source.geo is None:
        raise ValueError(f"{source.key} has no coordinates")
    lat_name, lng_name = source.geo
    encoders = [pair for pair in _encoders(source, as_json=True) if pair[0] not in source.geo]
    keys = [json.dumps(name) for name, _encode in encoders]
    yield '{"type":"FeatureCollection","features":['
    block: list[str] = []
    first = True
    for row in _rows(source, municipality):
        lat, lng = row.get(lat_name), row.get(lng_name)
        geometry = (
            "null"
            if lat is None or lng is None
            else '{"type":"Point","coordinates":[' + f"{lng},{lat}" + "]}"
        )
        block.append(
            '{"type":"Feature","geometry":'
            + geometry
            + ',"properties":'
            + _json_row(row, encoders, keys)
            + "}"
        )
        if len(block) == BLOCK_ROWS:
            yield ("" if first else ",") + ",\n".join(block)
            first = False
            block = []
    if block:
        yield ("" if first else ",") + ",\n".join(block)
    yield "]}\n"


WRITERS = {
    "CSV": (stream_csv, "text/csv; charset=utf-8", "csv"),
    "JSON": (stream_json, "application/json", "json"),
    "GeoJSON": (stream_geojson, "application/geo+json", "geojson"),
}


# -- the platform's own sources ----------------------------------------------------------------

COORDINATE_DECIMALS = 4  # about 11 m: the street, not the house door (docs/opendata.md)


def _round_coordinates(row: dict[str, Any]) -> dict[str, Any]:
    for name in ("lat", "lng"):
        if row.get(name) is not None:
            row[name] = round(row[name], COORDINATE_DECIMALS)
    return row


def _reports(municipality) -> QuerySet:
    from thesaban.reports.models import Report

    return (
        Report.objects.filter(municipality=municipality)
        .order_by("id")
        .values(
            "tracking_code",
            "status",
            "channel",
            "submitted_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "sla_due_at",
            "support_count",
            "lat",
            "lng",
            _id=F("id"),
            category_code=F("category__code"),
            category_th=F("category__name_th"),
            category_en=F("category__name_en"),
            community_code=F("community__code"),
            community_th=F("community__name_th"),
            department_code=F("department__code"),
            department_th=F("department__name_th"),
        )
    )


REPORT_FIELDS = [
    Field("tracking_code", searchable=True),
    Field("category_code"),
    Field("category_th", searchable=True),
    Field("category_en", searchable=True),
    Field("status"),
    Field("channel"),
    Field("community_code"),
    Field("community_th", searchable=True),
    Field("department_code"),
    Field("department_th", searchable=True),
    Field("submitted_at", "timestamp"),
    Field("first_response_at", "timestamp"),
    Field("resolved_at", "timestamp"),
    Field("closed_at", "timestamp"),
    Field("sla_due_at", "timestamp"),
    Field("support_count", "int"),
    Field("lat", "float", filterable=False, sortable=False),
    Field("lng", "float", filterable=False, sortable=False),
]


def _current_lines(municipality) -> QuerySet:
    from thesaban.opendata.models import BudgetLine, BudgetVersion

    latest = (
        BudgetVersion.objects.filter(budget=OuterRef("version__budget"))
        .order_by()
        .values("budget")
        .annotate(n=Max("number"))
        .values("n")
    )
    return (
        BudgetLine.objects.filter(municipality=municipality, version__number=Subquery(latest))
        .order_by("-version__budget__fiscal_year", "item__position", "item_id")
        .values(
            "amount",
            _id=F("id"),
            fiscal_year=F("version__budget__fiscal_year"),
            version_number=F("version__number"),
            plan=F("item__plan"),
            work=F("item__work"),
            budget_group=F("item__budget_group"),
            expense_category=F("item__expense_category"),
            item_name=F("item__item"),
        )
    )


def _with_group_th(row: dict[str, Any]) -> dict[str, Any]:
    from thesaban.opendata.budget import GROUP_THAI

    row["budget_group_th"] = GROUP_THAI.get(row.get("budget_group"), "")
    return row


BUDGET_FIELDS = [
    Field("fiscal_year", "int"),
    Field("version_number", "int"),
    Field("plan", searchable=True),
    Field("work", searchable=True),
    Field("budget_group"),
    Field("budget_group_th", filterable=False, sortable=False),
    Field("expense_category", searchable=True),
    Field("item_name", searchable=True),
    Field("amount", "numeric"),
]


def _disbursements(municipality) -> QuerySet:
    from thesaban.opendata.models import Disbursement

    return (
        Disbursement.objects.filter(municipality=municipality)
        .order_by("paid_on", "id")
        .values(
            "reference",
            "paid_on",
            "amount",
            _id=F("id"),
            fiscal_year=F("budget__fiscal_year"),
            plan=F("item__plan"),
            work=F("item__work"),
            budget_group=F("item__budget_group"),
            expense_category=F("item__expense_category"),
            item_name=F("item__item"),
            project_code=F("project__code"),
        )
    )


DISBURSEMENT_FIELDS = [
    Field("fiscal_year", "int"),
    Field("reference", searchable=True),
    Field("paid_on", "date"),
    Field("plan", searchable=True),
    Field("work", searchable=True),
    Field("budget_group"),
    Field("expense_category", searchable=True),
    Field("item_name", searchable=True),
    Field("project_code"),
    Field("amount", "numeric"),
]


def _procurement(municipality) -> QuerySet:
    from thesaban.opendata.models import ProcurementAward

    return (
        ProcurementAward.objects.filter(municipality=municipality)
        .order_by("awarded_on", "id")
        .values(
            "reference",
            "title",
            "method",
            "winner_kind",
            "amount",
            "awarded_on",
            _id=F("id"),
            fiscal_year=F("budget__fiscal_year"),
            project_code=F("project__code"),
            # A natural person's name never leaves the database (masked in SQL, so no filter
            # or search can probe it either).
            winner=Case(
                When(winner_kind=ProcurementAward.WinnerKind.JURISTIC, then=F("winner_name")),
                default=Value(""),
                output_field=CharField(),
            ),
        )
    )


PROCUREMENT_FIELDS = [
    Field("fiscal_year", "int"),
    Field("reference", searchable=True),
    Field("title", searchable=True),
    Field("method"),
    Field("winner_kind"),
    Field("winner", searchable=True),
    Field("amount", "numeric"),
    Field("awarded_on", "date"),
    Field("project_code"),
]


def _projects(municipality) -> QuerySet:
    from thesaban.opendata.models import Disbursement, Project

    spent = (
        Disbursement.objects.filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Project.objects.filter(municipality=municipality)
        .order_by("code")
        .values(
            "code",
            "name_th",
            "name_en",
            "status",
            "progress",
            "planned_amount",
            "starts_on",
            "ends_on",
            "lat",
            "lng",
            _id=F("id"),
            disbursed=Coalesce(
                Subquery(spent, output_field=DecimalField(max_digits=16, decimal_places=2)),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=16, decimal_places=2),
            ),
            fiscal_year=F("budget_item__budget__fiscal_year"),
            plan=F("budget_item__plan"),
            community_code=F("community__code"),
        )
    )


PROJECT_FIELDS = [
    Field("code", searchable=True),
    Field("name_th", searchable=True),
    Field("name_en", searchable=True),
    Field("status"),
    Field("progress", "int"),
    Field("planned_amount", "numeric"),
    Field("disbursed", "numeric"),
    Field("fiscal_year", "int"),
    Field("plan", searchable=True),
    Field("community_code"),
    Field("starts_on", "date"),
    Field("ends_on", "date"),
    Field("lat", "float"),
    Field("lng", "float"),
]


def _money(row: dict[str, Any]) -> dict[str, Any]:
    for name in ("planned_amount", "disbursed"):
        if row.get(name) is not None:
            row[name] = Decimal(row[name]).quantize(Decimal("0.01"))
    return row


def _top(queryset, label: str, value: str, limit: int = 12) -> list[tuple[str, Decimal]]:
    return [
        (str(name or "–"), Decimal(total or 0))
        for name, total in queryset.values_list(label).annotate(v=value).order_by("-v")[:limit]
    ]


def _chart_reports(municipality):
    from django.db.models import Count

    from thesaban.reports.models import Report

    rows = Report.objects.filter(municipality=municipality)
    return str(_("Reports by category")), _top(rows, "category__name_th", Count("id"))


def _chart_budget(municipality):
    from thesaban.opendata.models import BudgetLine, BudgetVersion

    version = (
        BudgetVersion.objects.filter(municipality=municipality)
        .order_by("-budget__fiscal_year", "-number")
        .select_related("budget")
        .first()
    )
    if version is None:
        return str(_("Budget by plan")), []
    lines = BudgetLine.objects.filter(municipality=municipality, version=version)
    title = _("Budget %(year)s by plan") % {"year": version.budget.fiscal_year}
    return str(title), _top(lines, "item__plan", Sum("amount"))


def _chart_disbursements(municipality):
    from thesaban.opendata.models import Disbursement

    rows = Disbursement.objects.filter(municipality=municipality)
    return str(_("Disbursed by plan")), _top(rows, "item__plan", Sum("amount"))


def _chart_procurement(municipality):
    from thesaban.opendata.models import ProcurementAward

    rows = ProcurementAward.objects.filter(municipality=municipality)
    labels = dict(ProcurementAward.Method.choices)
    return str(_("Awarded by procurement method")), [
        (str(labels.get(code, code)), value) for code, value in _top(rows, "method", Sum("amount"))
    ]


def _chart_projects(municipality):
    from thesaban.opendata.models import Project

    rows = Project.objects.filter(municipality=municipality).order_by("-planned_amount")[:12]
    return str(_("Planned amount of the largest projects")), [
        (p.name_th, p.planned_amount) for p in rows
    ]


def register_builtin_sources() -> None:
    sources.register(
        Source(
            key="reports",
            chart=_chart_reports,
            title_th="เรื่องร้องเรียนและแจ้งปัญหา",
            title_en="Problem reports",
            description_th=(
                "เรื่องที่ประชาชนแจ้ง (ถนน ไฟฟ้า ขยะ น้ำท่วม ฯลฯ) และการดำเนินการ ไม่มีข้อมูลส่วนบุคคล: "
                "ไม่มีชื่อ อีเมล โทรศัพท์ หรือข้อความที่ผู้แจ้งเขียน พิกัดปัดเศษเหลือทศนิยม 4 ตำแหน่ง (ประมาณ 11 เมตร)"
            ),
            description_en=(
                "Problems residents reported (roads, lights, garbage, flooding…) and how they were "
                "handled. No personal data: no names, e-mails, phones or the reporter's own text; "
                "coordinates rounded to 4 decimals (about 11 m)."
            ),
            fields=REPORT_FIELDS,
            rows=_reports,
            keywords="reports,complaints,311,เรื่องร้องเรียน,แจ้งปัญหา",
            frequency="continuous",
            geo=("lat", "lng"),
            publish=_round_coordinates,
            formats=("CSV", "JSON", "GeoJSON"),
        )
    )
    sources.register(
        Source(
            key="budget",
            chart=_chart_budget,
            title_th="งบประมาณรายจ่ายประจำปี",
            title_en="Annual expenditure budget",
            description_th="งบประมาณรายจ่ายตามแผนงาน งาน งบ หมวด และรายการ ฉบับล่าสุดของทุกปี (รวมการโอนงบแล้ว)",
            description_en=(
                "The expenditure budget by plan, work, budget group, expense category and item: "
                "the latest version of every fiscal year (transfers included)."
            ),
            fields=BUDGET_FIELDS,
            rows=_current_lines,
            keywords="budget,งบประมาณ,open budget,finance",
            frequency="annual",
            publish=_with_group_th,
        )
    )
    sources.register(
        Source(
            key="disbursements",
            chart=_chart_disbursements,
            title_th="การเบิกจ่ายงบประมาณ",
            title_en="Disbursements",
            description_th="รายการเบิกจ่ายตามฎีกา แยกตามรายการงบประมาณและโครงการ",
            description_en="Payments by voucher, against budget items and projects.",
            fields=DISBURSEMENT_FIELDS,
            rows=_disbursements,
            keywords="spending,disbursement,การเบิกจ่าย,งบประมาณ",
            frequency="monthly",
        )
    )
    sources.register(
        Source(
            key="procurement",
            chart=_chart_procurement,
            title_th="ผลการจัดซื้อจัดจ้าง",
            title_en="Procurement awards",
            description_th="ผู้ชนะการจัดซื้อจัดจ้าง วิธีการ และวงเงิน ผู้ชนะที่เป็นบุคคลธรรมดาไม่เปิดเผยชื่อ (พ.ร.บ. คุ้มครองข้อมูลส่วนบุคคล)",
            description_en=(
                "Procurement awards: method, winner and amount. A winner who is a natural "
                "person is not named (PDPA)."
            ),
            fields=PROCUREMENT_FIELDS,
            rows=_procurement,
            keywords="procurement,e-GP,จัดซื้อจัดจ้าง",
            frequency="monthly",
        )
    )
    sources.register(
        Source(
            key="projects",
            chart=_chart_projects,
            title_th="โครงการและความก้าวหน้า",
            title_en="Projects and progress",
            description_th="โครงการของเทศบาล ความก้าวหน้า วงเงิน และยอดเบิกจ่าย",
            description_en="The municipality's projects: progress, planned amount and spending.",
            fields=PROJECT_FIELDS,
            rows=_projects,
            keywords="projects,โครงการ,accountability",
            frequency="monthly",
            geo=("lat", "lng"),
            publish=_money,
            formats=("CSV", "JSON", "GeoJSON"),
        )
    )
