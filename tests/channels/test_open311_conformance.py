"""Open311 GeoReport v2 conformance: every endpoint, in XML and JSON, including the errors and
the 90-day / 1,000-result defaults of GET requests.

The XML is parsed with the standard library's ElementTree and checked element by element
against the spec's examples (http://wiki.open311.org/GeoReport_v2); the JSON is checked the
same way against the spec's JSON examples (the Spark convention: lists are arrays).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from tests import factories
from thesaban.channels.open311 import params
from thesaban.channels.open311.services import open311_request_create
from thesaban.channels.services import api_key_create, api_key_revoke
from thesaban.reports import services as report_services
from thesaban.reports.models import Report

BASE = "/open311/v2"
FORMATS = ["xml", "json"]
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
CREATED_FIELDS = ["service_request_id", "service_notice", "account_id"]
TOKEN_FIELDS = ["service_request_id", "token"]
ERROR_FIELDS = ["code", "description"]

QUESTIONS = [
    {
        "code": "depth",
        "datatype": "singlevaluelist",
        "required": True,
        "label_th": "หลุมลึกแค่ไหน",
        "label_en": "How deep is the hole?",
        "order": 1,
        "values": [
            {"key": "shallow", "name_th": "ตื้น", "name_en": "Shallow"},
            {"key": "deep", "name_th": "ลึก", "name_en": "Deep"},
        ],
    },
    {
        "code": "hazards",
        "datatype": "multivaluelist",
        "required": False,
        "label_th": "อันตรายอะไรบ้าง",
        "label_en": "Which hazards?",
        "order": 2,
        "values": [
            {"key": "water", "name_th": "น้ำขัง", "name_en": "Standing water"},
            {"key": "night", "name_th": "มืดตอนกลางคืน", "name_en": "Dark at night"},
        ],
    },
    {
        "code": "width_m",
        "datatype": "number",
        "required": False,
        "label_th": "กว้างกี่เมตร",
        "label_en": "How wide, in metres?",
        "order": 3,
    },
]


# -- parsing the two formats ---------------------------------------------------------------


def parse(response, fmt):
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    body = response.content
    if fmt == "xml":
        assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        return ElementTree.fromstring(body)
    return json.loads(body.decode("utf-8"))


def children(element) -> list[str]:
    return [child.tag for child in element]


def xml_record(element, fields) -> dict:
    """An element whose children are exactly `fields`, in the spec's order, as a dict."""
    assert children(element) == fields, f"<{element.tag}> children {children(element)}"
    return {child.tag: child for child in element}


def json_record(item, fields) -> dict:
    assert isinstance(item, dict)
    assert list(item) == fields, f"keys {list(item)}"
    return item


def records(response, fmt, root, item, fields) -> list[dict]:
    """The list document (<root><item>…</item></root> or a JSON array) as plain dicts of text."""
    document = parse(response, fmt)
    if fmt == "xml":
        assert document.tag == root
        assert set(children(document)) <= {item}
        return [
            {tag: element.text for tag, element in xml_record(entry, fields).items()}
            for entry in document
        ]
    assert isinstance(document, list)
    return [json_record(entry, fields) for entry in document]


def errors_of(response, fmt) -> list[dict]:
    found = records(response, fmt, "errors", "error", ERROR_FIELDS)
    assert found, "an error response lists at least one error"
    for error in found:
        assert int(error["code"]) >= 400
        assert error["description"]
    return found


def assert_error(response, fmt, status, *, says: str | None = None) -> None:
    assert response.status_code == status, response.content[:300]
    found = errors_of(response, fmt)
    assert int(found[0]["code"]) == status
    if says is not None:
        assert any(says in error["description"] for error in found), found


def w3c(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"{value} has no time zone"
    return parsed


# -- the jurisdiction ------------------------------------------------------------------------


@pytest.fixture
def town(municipality, department):
    municipality.contact_email = "dto@alpha.example"
    municipality.save(update_fields=["contact_email"])
    road = factories.CategoryFactory(
        municipality=municipality,
        department=department,
        code="pothole",
        name_th="หลุมบนถนน",
        name_en="Pothole",
        questions=QUESTIONS,
        notice_th="กองช่างจะตรวจภายใน 3 วัน",
        notice_en="Engineering inspects within 3 days",
    )
    light = factories.CategoryFactory(
        municipality=municipality,
        department=department,
        code="streetlight",
        name_th="ไฟถนนดับ",
        name_en="Street light out",
        order=1,
    )
    factories.CategoryFactory(municipality=municipality, code="retired", is_active=False)
    api_key, raw = api_key_create(municipality=municipality, name="City app")
    return {
        "municipality": municipality,
        "road": road,
        "light": light,
        "api_key": api_key,
        "raw": raw,
    }


@pytest.fixture
def client():
    return Client()


def post(client, fmt, data, **headers):
    return client.post(f"{BASE}/requests.{fmt}", data, headers=headers)


def valid_post(town, **extra) -> dict:
    data = {
        "api_key": town["raw"],
        "service_code": "pothole",
        "lat": "13.005",
        "long": "100.005",
        "description": "หลุมลึกหน้าตลาด",
        "attribute[depth]": "deep",
        "email": "somchai.private@example.org",
        "first_name": "สมชาย",
        "last_name": "ลับมาก",
        "phone": "0812223333",
        "device_id": "DEVICE-SECRET-1",
        "account_id": "ACCOUNT-SECRET-1",
    }
    data.update(extra)
    return data


# -- discovery -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, town, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    document = parse(response, fmt)
    if fmt == "xml":
        assert document.tag == "discovery"
        fields = xml_record(document, DISCOVERY_FIELDS)
        assert children(fields["endpoints"]) == ["endpoint"]
        endpoint = xml_record(fields["endpoints"][0], ENDPOINT_FIELDS)
        formats = [f.text for f in endpoint["formats"]]
        assert children(endpoint["formats"]) == ["format", "format"]
        spec, url, kind = (endpoint[n].text for n in ("specification", "url", "type"))
        contact = fields["contact"].text
    else:
        json_record(document, DISCOVERY_FIELDS)
        endpoint = json_record(document["endpoints"][0], ENDPOINT_FIELDS)
        formats = endpoint["formats"]
        spec, url, kind = endpoint["specification"], endpoint["url"], endpoint["type"]
        contact = document["contact"]
    assert spec == "http://wiki.open311.org/GeoReport_v2"
    assert url == "http://testserver/open311/v2"
    assert kind == "production"
    assert formats == ["text/xml", "application/json"]
    assert "dto@alpha.example" in contact


@pytest.mark.django_db
def test_the_root_serves_the_discovery_document(client, town):
    response = client.get(f"{BASE}/")
    assert parse(response, "xml").tag == "discovery"


# -- services ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_service_list(client, town, fmt):
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    services = records(response, fmt, "services", "service", SERVICE_FIELDS)
    by_code = {s["service_code"]: s for s in services}
    assert list(by_code) == ["streetlight", "pothole"]  # the categories' order; no inactive one
    pothole, light = by_code["pothole"], by_code["streetlight"]
    assert pothole["service_name"] == "หลุมบนถนน"  # Thai first
    assert str(pothole["metadata"]).lower() == "true"
    assert str(light["metadata"]).lower() == "false"
    assert pothole["type"] == "realtime"
    assert "Pothole" in pothole["keywords"] and "pothole" in pothole["keywords"]
    assert pothole["group"] == town["road"].department.name_th
    assert pothole["description"]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, town, fmt):
    response = client.get(f"{BASE}/services/pothole.{fmt}")
    assert response.status_code == 200
    document = parse(response, fmt)
    if fmt == "xml":
        assert document.tag == "service_definition"
        fields = xml_record(document, ["service_code", "attributes"])
        assert fields["service_code"].text == "pothole"
        assert children(fields["attributes"]) == ["attribute"] * 3
        attributes = []
        for element in fields["attributes"]:
            attribute = xml_record(element, ATTRIBUTE_FIELDS)
            assert set(children(attribute["values"])) <= {"value"}
            values = [
                {k: e.text for k, e in xml_record(v, ["key", "name"]).items()}
                for v in attribute["values"]
            ]
            attributes.append({k: e.text for k, e in attribute.items()} | {"values": values})
    else:
        json_record(document, ["service_code", "attributes"])
        assert document["service_code"] == "pothole"
        attributes = [json_record(a, ATTRIBUTE_FIELDS) for a in document["attributes"]]
        for attribute in attributes:
            for value in attribute["values"]:
                json_record(value, ["key", "name"])
    depth, hazards, width = attributes
    assert [a["code"] for a in attributes] == ["depth", "hazards", "width_m"]
    assert [str(a["order"]) for a in attributes] == ["1", "2", "3"]
    assert str(depth["variable"]).lower() == "true"
    assert str(depth["required"]).lower() == "true"
    assert str(hazards["required"]).lower() == "false"
    assert depth["datatype"] == "singlevaluelist" and hazards["datatype"] == "multivaluelist"
    assert depth["description"] == "หลุมลึกแค่ไหน"
    assert depth["values"] == [{"key": "shallow", "name": "ตื้น"}, {"key": "deep", "name": "ลึก"}]
    assert width["datatype"] == "number" and width["values"] == []
    assert all(a["datatype_description"] for a in attributes)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_without_questions_has_an_empty_definition(client, town, fmt):
    response = client.get(f"{BASE}/services/streetlight.{fmt}")
    document = parse(response, fmt)
    if fmt == "xml":
        assert children(document) == ["service_code", "attributes"]
        assert children(document.find("attributes")) == []
    else:
        assert document == {"service_code": "streetlight", "attributes": []}


# -- POST requests ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_request_and_get_shows_it_without_personal_data(client, town, fmt):
    data = valid_post(
        town,
        **{"attribute[hazards][]": ["water", "night"], "media_url": "https://img.example/1.jpg"},
    )
    response = post(client, fmt, data)
    assert response.status_code == 201, response.content
    (created,) = records(response, fmt, "service_requests", "request", CREATED_FIELDS)
    code = created["service_request_id"]
    assert code.startswith("ALPHA-")
    assert created["service_notice"] == "กองช่างจะตรวจภายใน 3 วัน"
    assert created["account_id"] == "ACCOUNT-SECRET-1"  # the caller's own account id, echoed

    report = Report.objects.get(tracking_code=code)
    assert report.channel == Report.Channel.OPEN311
    assert report.api_key == town["api_key"]
    assert report.answers == {"depth": "deep", "hazards": ["water", "night"]}
    assert report.reporter_name == "สมชาย ลับมาก"
    assert report.reporter_email == "somchai.private@example.org"
    assert report.reporter_phone == "0812223333"
    assert report.external_ref == {"device_id": "DEVICE-SECRET-1", "account_id": "ACCOUNT-SECRET-1"}
    assert report.media_url == "https://img.example/1.jpg"

    for url in (f"{BASE}/requests/{code}.{fmt}", f"{BASE}/requests.{fmt}"):
        response = client.get(url)
        assert response.status_code == 200
        for secret in (
            "somchai.private",
            "สมชาย",
            "ลับมาก",
            "0812223333",
            "DEVICE-SECRET-1",
            "ACCOUNT-SECRET-1",
            town["raw"],
        ):
            assert secret.encode() not in response.content, f"{url} shows {secret}"
        (shown,) = records(response, fmt, "service_requests", "request", REQUEST_FIELDS)
        assert shown["service_request_id"] == code
        assert shown["status"] == "open"
        assert shown["service_code"] == "pothole"
        assert shown["service_name"] == "หลุมบนถนน"
        assert shown["description"] == "หลุมลึกหน้าตลาด"
        assert shown["agency_responsible"] == report.department.name_th
        assert shown["service_notice"] == "กองช่างจะตรวจภายใน 3 วัน"
        assert w3c(shown["requested_datetime"]) == report.submitted_at.replace(microsecond=0)
        assert w3c(shown["updated_datetime"]) == report.updated_at.replace(microsecond=0)
        assert w3c(shown["expected_datetime"]) == report.sla_due_at.replace(
            microsecond=0
        )  # from the SLA
        assert shown["requested_datetime"].endswith("+07:00")
        assert float(shown["lat"]) == 13.005 and float(shown["long"]) == 100.005
        assert shown["media_url"] == "https://img.example/1.jpg"
        for unknown in ("status_notes", "address", "address_id", "zipcode"):
            assert shown[unknown] in (None, ""), unknown  # present, empty: not known


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_post_with_an_address_only_and_an_address_id(client, town, fmt):
    data = valid_post(town, lat="", long="", address_string="ซอย 5 ถนนมิตรภาพ", address_id="A-77")
    response = post(client, fmt, data)
    assert response.status_code == 201
    (created,) = records(response, fmt, "service_requests", "request", CREATED_FIELDS)
    (shown,) = records(
        client.get(f"{BASE}/requests/{created['service_request_id']}.{fmt}"),
        fmt,
        "service_requests",
        "request",
        REQUEST_FIELDS,
    )
    assert shown["address"] == "ซอย 5 ถนนมิตรภาพ"
    assert shown["address_id"] == "A-77"
    assert shown["lat"] in (None, "") and shown["long"] in (None, "")


@pytest.mark.django_db
def test_post_without_a_description_files_the_service_name(client, town):
    response = post(client, "json", valid_post(town, description=""))
    assert response.status_code == 201
    code = response.json()[0]["service_request_id"]
    assert Report.objects.get(tracking_code=code).description == "หลุมบนถนน"


@pytest.mark.django_db
def test_a_report_photo_is_the_public_media_url(client, town, jpeg_upload):
    report = report_services.report_create(
        municipality=town["municipality"],
        category=town["light"],
        description="ไฟดับ",
        lat=13.0,
        lng=100.0,
        photos=[jpeg_upload()],
        media_url="https://elsewhere.example/x.jpg",
    )
    shown = client.get(f"{BASE}/requests/{report.tracking_code}.json").json()[0]
    photo = report.photos.get()
    assert shown["media_url"] == f"http://testserver{photo.image.url}"
    assert client.get(photo.image.url).status_code == 200


# -- retries ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_post_twice_is_one_request(client, town):
    first = post(client, "json", valid_post(town))
    again = post(client, "json", valid_post(town))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Report.objects.count() == 1
    different = post(client, "json", valid_post(town, description="อีกหลุมหนึ่ง"))
    assert different.status_code == 201
    assert Report.objects.count() == 2


@pytest.mark.django_db
def test_a_content_retry_counts_within_24_hours_only(town):
    new = params.new_request(QueryDict(urlencode(valid_post(town))))
    common = {
        "municipality": town["municipality"],
        "api_key": town["api_key"],
        "category": town["road"],
        "new": new,
    }
    # 23:50 local time, then 10 minutes later (the next day), then 25 hours after the first.
    first_at = timezone.make_aware(datetime(2026, 11, 20, 23, 50))
    first = open311_request_create(**common, now=first_at)
    retry = open311_request_create(**common, now=first_at + timedelta(minutes=10))
    later = open311_request_create(**common, now=first_at + timedelta(hours=25))
    assert (first.created, retry.created, later.created) == (True, False, True)
    assert retry.report == first.report != later.report


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_idempotency_key_and_the_token_resource(client, town, fmt):
    first = post(client, fmt, valid_post(town), **{"Idempotency-Key": "app-7f3a"})
    # A retry with the same key returns the same request even if the body changed in transit.
    again = post(
        client, fmt, valid_post(town, description="changed"), **{"Idempotency-Key": "app-7f3a"}
    )
    assert (first.status_code, again.status_code) == (201, 200)
    (created,) = records(first, fmt, "service_requests", "request", CREATED_FIELDS)
    (replayed,) = records(again, fmt, "service_requests", "request", CREATED_FIELDS)
    assert created["service_request_id"] == replayed["service_request_id"]
    assert Report.objects.count() == 1

    response = client.get(f"{BASE}/tokens/app-7f3a.{fmt}")
    assert response.status_code == 200
    (resolved,) = records(response, fmt, "service_requests", "request", TOKEN_FIELDS)
    assert resolved == {"service_request_id": created["service_request_id"], "token": "app-7f3a"}

    assert_error(client.get(f"{BASE}/tokens/never-issued.{fmt}"), fmt, 404, says="never-issued")


@pytest.mark.django_db
def test_another_integrator_may_use_the_same_idempotency_key(client, town):
    _other, other_raw = api_key_create(municipality=town["municipality"], name="Other app")
    post(client, "json", valid_post(town), **{"Idempotency-Key": "k1"})
    second = post(client, "json", valid_post(town, api_key=other_raw), **{"Idempotency-Key": "k1"})
    assert second.status_code == 201
    assert Report.objects.count() == 2
    assert len(client.get(f"{BASE}/tokens/k1.json").json()) == 2


# -- GET requests: filters and the defaults ------------------------------------------------


def _rows(town, count, *, age: timedelta, status="submitted", category=None) -> list[Report]:
    now = timezone.now()
    category = category or town["light"]
    rows = []
    for n in range(count):
        when = now - age - timedelta(seconds=n)
        rows.append(
            factories.ReportFactory.build(
                municipality=town["municipality"],
                category=category,
                department=category.department,
                status=status,
                submitted_at=when,
                updated_at=when,
                sla_due_at=when + timedelta(hours=72),
            )
        )
    return Report.objects.bulk_create(rows)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_defaults_to_the_last_90_days(client, town, fmt):
    (inside,) = _rows(town, 1, age=timedelta(days=89))
    (outside,) = _rows(town, 1, age=timedelta(days=91))
    (recent,) = _rows(town, 1, age=timedelta(hours=1))
    found = records(
        client.get(f"{BASE}/requests.{fmt}"), fmt, "service_requests", "request", REQUEST_FIELDS
    )
    assert [r["service_request_id"] for r in found] == [recent.tracking_code, inside.tracking_code]
    # The older one is there for a window that covers it.
    start = (timezone.now() - timedelta(days=100)).isoformat()
    end = (timezone.now() - timedelta(days=20)).isoformat()
    found = records(
        client.get(f"{BASE}/requests.{fmt}", {"start_date": start, "end_date": end}),
        fmt,
        "service_requests",
        "request",
        REQUEST_FIELDS,
    )
    assert [r["service_request_id"] for r in found] == [inside.tracking_code, outside.tracking_code]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_returns_at_most_1000_newest_first(
    client, town, fmt, django_assert_max_num_queries
):
    rows = _rows(town, 1003, age=timedelta(minutes=5))
    with django_assert_max_num_queries(4):
        response = client.get(f"{BASE}/requests.{fmt}")
    found = records(response, fmt, "service_requests", "request", REQUEST_FIELDS)
    assert len(found) == 1000
    newest_first = sorted(rows, key=lambda r: r.submitted_at, reverse=True)
    assert [r["service_request_id"] for r in found] == [
        r.tracking_code for r in newest_first[:1000]
    ]
    times = [w3c(r["requested_datetime"]) for r in found]
    assert times == sorted(times, reverse=True)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters(client, town, fmt):
    (old_road,) = _rows(town, 1, age=timedelta(days=200), category=town["road"])
    (road,) = _rows(town, 1, age=timedelta(days=2), category=town["road"])
    (light_open,) = _rows(town, 1, age=timedelta(days=1))
    (light_closed,) = _rows(town, 1, age=timedelta(days=3), status="resolved")
    (rejected,) = _rows(town, 1, age=timedelta(days=4), status="rejected")
    (duplicate,) = _rows(town, 1, age=timedelta(days=5), status="duplicate")

    def ids(**params):
        response = client.get(f"{BASE}/requests.{fmt}", params)
        assert response.status_code == 200, response.content
        return [
            r["service_request_id"]
            for r in records(response, fmt, "service_requests", "request", REQUEST_FIELDS)
        ]

    assert ids() == [
        light_open.tracking_code,
        road.tracking_code,
        light_closed.tracking_code,
        rejected.tracking_code,
    ]
    assert ids(service_code="pothole") == [road.tracking_code]
    assert ids(service_code="pothole,streetlight", status="open") == [
        light_open.tracking_code,
        road.tracking_code,
    ]
    assert ids(status="closed") == [light_closed.tracking_code, rejected.tracking_code]
    assert ids(status="open,closed") == ids()
    # service_request_id overrides every other argument (the 200-day-old one, a duplicate).
    wanted = f"{old_road.tracking_code},{duplicate.tracking_code},NOPE-1"
    assert ids(service_request_id=wanted, status="open", service_code="streetlight") == [
        duplicate.tracking_code,
        old_road.tracking_code,
    ]
    statuses = {
        r["service_request_id"]: r["status"]
        for r in records(
            client.get(f"{BASE}/requests.{fmt}", {"service_request_id": wanted}),
            fmt,
            "service_requests",
            "request",
            REQUEST_FIELDS,
        )
    }
    assert statuses == {old_road.tracking_code: "open", duplicate.tracking_code: "closed"}
    assert ids(start_date=(timezone.now() - timedelta(days=2, hours=12)).isoformat()) == [
        light_open.tracking_code,
        road.tracking_code,
    ]
    day = (timezone.localtime() - timedelta(days=3)).date().isoformat()
    assert ids(start_date=day, end_date=f"{day}T23:59:59+07:00") == [light_closed.tracking_code]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_status_notes_is_the_latest_public_note(client, town, fmt, admin_user):
    report = report_services.report_create(
        municipality=town["municipality"],
        category=town["light"],
        description="ไฟดับ",
        lat=13.0,
        lng=100.0,
    )
    report_services.report_transition(
        report=report, actor=admin_user, to_status="in_progress", public_note="ช่างกำลังไป"
    )
    report_services.report_note_add(
        report=report, actor=admin_user, note="INTERNAL-ONLY", is_public=False
    )
    report_services.report_transition(
        report=report, actor=admin_user, to_status="resolved", public_note="เปลี่ยนหลอดแล้ว"
    )
    response = client.get(f"{BASE}/requests/{report.tracking_code}.{fmt}")
    assert b"INTERNAL-ONLY" not in response.content
    (shown,) = records(response, fmt, "service_requests", "request", REQUEST_FIELDS)
    assert shown["status"] == "closed"
    assert shown["status_notes"] == "เปลี่ยนหลอดแล้ว"


# -- language ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "headers", "expected"),
    [
        ({}, {}, "หลุมบนถนน"),
        ({}, {"Accept-Language": "en-US,en;q=0.9"}, "Pothole"),
        ({}, {"Accept-Language": "th,en;q=0.5"}, "หลุมบนถนน"),
        ({"locale": "en"}, {}, "Pothole"),
        ({"locale": "th"}, {"Accept-Language": "en"}, "หลุมบนถนน"),
        ({}, {"Accept-Language": "fr-FR,*;q=0.1"}, "หลุมบนถนน"),
    ],
)
def test_thai_by_default_english_on_request(client, town, params, headers, expected):
    response = client.get(f"{BASE}/services.json", params, headers=headers)
    assert {s["service_code"]: s["service_name"] for s in response.json()}["pothole"] == expected
    assert response["Content-Language"] == ("en" if expected == "Pothole" else "th")
    definition = client.get(f"{BASE}/services/pothole.json", params, headers=headers).json()
    label = definition["attributes"][0]["description"]
    assert label == ("How deep is the hole?" if expected == "Pothole" else "หลุมลึกแค่ไหน")


@pytest.mark.django_db
def test_errors_speak_the_requested_language(client, town):
    thai = client.get(f"{BASE}/services/nope.json")
    english = client.get(f"{BASE}/services/nope.json", {"locale": "en"})
    assert english.json()[0]["description"] == "service_code nope was not found."
    assert (thai["Content-Language"], english["Content-Language"]) == ("th", "en")


# -- errors, every endpoint, both formats ----------------------------------------------------


@pytest.fixture
def two_towns(town, other_municipality):
    factories.CategoryFactory(municipality=other_municipality, code="pothole")
    return town, other_municipality


ENDPOINTS = [
    "discovery",
    "services",
    "services/pothole",
    "requests",
    "requests/ALPHA-2569-000001",
    "tokens/t1",
]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("endpoint", ENDPOINTS[1:])
def test_jurisdiction_is_required_when_several_municipalities(client, two_towns, endpoint, fmt):
    assert_error(client.get(f"{BASE}/{endpoint}.{fmt}"), fmt, 400, says="jurisdiction_id")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_unknown_jurisdiction_is_404(client, town, endpoint, fmt):
    response = client.get(f"{BASE}/{endpoint}.{fmt}", {"jurisdiction_id": "atlantis"})
    assert_error(response, fmt, 404, says="atlantis")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_post_needs_the_jurisdiction_when_several_municipalities(client, two_towns, fmt):
    town, _beta = two_towns
    assert_error(post(client, fmt, valid_post(town)), fmt, 400, says="jurisdiction_id")
    ok = post(client, fmt, valid_post(town, jurisdiction_id="alpha"))
    assert ok.status_code == 201


@pytest.mark.django_db
def test_each_jurisdiction_sees_only_its_own(client, two_towns):
    town, beta = two_towns
    _rows(town, 2, age=timedelta(days=1))
    beta_category = beta.categories.get()
    beta_reports = Report.objects.bulk_create(
        [
            factories.ReportFactory.build(
                municipality=beta, category=beta_category, department=beta_category.department
            )
        ]
    )
    alpha = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "alpha"}).json()
    beta_json = client.get(f"{BASE}/requests.json", {"jurisdiction_id": "beta"}).json()
    assert len(alpha) == 2
    assert [r["service_request_id"] for r in beta_json] == [beta_reports[0].tracking_code]
    other = client.get(
        f"{BASE}/requests/{beta_reports[0].tracking_code}.json", {"jurisdiction_id": "alpha"}
    )
    assert other.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_not_found_errors(client, town, fmt):
    assert_error(client.get(f"{BASE}/services/nope.{fmt}"), fmt, 404, says="nope")
    assert_error(client.get(f"{BASE}/services/retired.{fmt}"), fmt, 404, says="retired")
    assert_error(client.get(f"{BASE}/requests/NOPE-2569-000001.{fmt}"), fmt, 404, says="NOPE")
    assert_error(client.get(f"{BASE}/requests.{fmt}", {"service_code": "nope"}), fmt, 404)
    assert_error(post(client, fmt, valid_post(town, service_code="nope")), fmt, 404, says="nope")
    assert_error(client.get(f"{BASE}/no-such-thing.{fmt}"), fmt, 404)


@pytest.mark.django_db
def test_unknown_paths_answer_in_xml_unless_json(client, town):
    assert_error(client.get(f"{BASE}/nothing/here"), "xml", 404)
    assert_error(client.get(f"{BASE}/services.html"), "xml", 404)
    assert_error(client.get(f"{BASE}/services.yaml"), "xml", 404)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_api_key_errors_are_403(client, town, fmt):
    data = valid_post(town)
    data.pop("api_key")
    assert_error(post(client, fmt, data), fmt, 403, says="api_key")
    assert_error(post(client, fmt, valid_post(town, api_key="ths_wrong")), fmt, 403)
    _beta_key, beta_raw = api_key_create(
        municipality=factories.MunicipalityFactory(slug="gamma", is_active=False), name="x"
    )
    assert_error(post(client, fmt, valid_post(town, api_key=beta_raw)), fmt, 403)
    api_key_revoke(api_key=town["api_key"])
    assert_error(post(client, fmt, valid_post(town)), fmt, 403)
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_a_key_of_another_jurisdiction_is_refused(client, two_towns):
    town, beta = two_towns
    _key, beta_raw = api_key_create(municipality=beta, name="Beta app")
    response = post(client, "json", valid_post(town, api_key=beta_raw, jurisdiction_id="alpha"))
    assert_error(response, "json", 403)
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_input_to_post_is_400_with_every_problem_listed(client, town, fmt):
    data = valid_post(
        town,
        lat="13.5",
        long="",
        email="not-an-email",
        media_url="javascript:alert(1)",
        **{"attribute[depth]": "bottomless"},
    )
    data.pop("service_code")
    response = post(client, fmt, data)
    assert_error(response, fmt, 400)
    text = " ".join(e["description"] for e in errors_of(response, fmt))
    for field in ("service_code", "lat", "email", "media_url"):
        assert field in text, field
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"lat": "", "long": ""}, "location"),
        ({"attribute[depth]": ""}, "attribute[depth]"),
        ({"attribute[depth]": "bottomless"}, "attribute[depth]"),
        ({"attribute[colour]": "red"}, "attribute[colour]"),
        ({"attribute[width_m]": "wide"}, "attribute[width_m]"),
        ({"attribute[hazards][]": ["water", "lava"]}, "attribute[hazards]"),
        ({"description": "x" * 4001}, "description"),
        ({"phone": "0" * 21}, "phone"),
        ({"lat": "91", "long": "100"}, "lat"),
        ({"lat": "13", "long": "-181"}, "long"),
        ({"lat": "nan", "long": "100"}, "lat"),
        ({"lat": "1e999", "long": "100"}, "lat"),
        ({"attribute": "x"}, "attribute"),
        ({"media_url": "ftp://example.org/x.jpg"}, "media_url"),
    ],
)
def test_post_validation(client, town, change, says):
    # English, so that words such as "location" in `says` are found; Thai is the default.
    response = post(client, "json", valid_post(town, **change), **{"Accept-Language": "en"})
    assert_error(response, "json", 400, says=says)
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-01-01T25:00:00Z"}, "start_date"),
        ({"start_date": "2026-01-01T00:00:00+99:00"}, "start_date"),
        ({"start_date": "2026-01-01", "end_date": "2025-01-01"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "90 days"),
        ({"status": "pending"}, "status"),
        ({"status": "open,closed,open,x"}, "status"),
        ({"service_request_id": ",".join(f"X-{n}" for n in range(1001))}, "1000"),
        ({"start_date": "\x00"}, "start_date"),
    ],
)
def test_bad_input_to_get_requests_is_400(client, town, fmt, params, says):
    response = client.get(f"{BASE}/requests.{fmt}", params, headers={"Accept-Language": "en"})
    assert_error(response, fmt, 400, says=says)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_too_many_fields_is_400_not_500(client, town, fmt):
    data = valid_post(town) | {f"attribute[a{n}]": "x" for n in range(1200)}
    assert_error(post(client, fmt, data), fmt, 400)
    # A query string that long is refused by Django itself before any Open311 code runs (the
    # locale middleware reads it): a plain 400, never a 500.
    query = "&".join(f"f{n}=1" for n in range(1200))
    assert client.get(f"{BASE}/requests.{fmt}?{query}").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_methods_are_refused_with_an_error_list(client, town, fmt):
    response = client.post(f"{BASE}/services.{fmt}", {})
    assert_error(response, fmt, 405)
    assert response["Allow"] == "GET, HEAD"
    assert_error(client.delete(f"{BASE}/requests.{fmt}"), fmt, 405)
    assert_error(client.put(f"{BASE}/requests/X.{fmt}"), fmt, 405)


@pytest.mark.django_db
def test_get_responses_may_be_read_by_browser_apps(client, town):
    assert client.get(f"{BASE}/services.json")["Access-Control-Allow-Origin"] == "*"
