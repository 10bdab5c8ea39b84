"""Tenant isolation, walked over every operation of the OpenAPI document: an operation added
later is tested without anyone remembering to."""

import json

import pytest

from tests import factories
from thesaban.channels.services import api_key_create
from thesaban.reports import services
from thesaban.reports.models import Report, ReportEvent

from .conftest import ApiClient

pytestmark = pytest.mark.django_db
METHODS = {"get", "post", "delete", "put", "patch"}


def operations():
    from thesaban.channels.api.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, items in document["paths"].items():
        for method, operation in items.items():
            if method in METHODS:
                yield method, path, operation


OPERATIONS = list(operations())
TENANT_OPERATIONS = [(m, p, o) for m, p, o in OPERATIONS if "{slug}" in p]
OBJECT_OPERATIONS = [(m, p, o) for m, p, o in TENANT_OPERATIONS if "{code}" in p]


def label(item):
    return f"{item[0].upper()} {item[1]}"


class Tenant:
    def __init__(self, municipality, make_staff):
        self.municipality = municipality
        self.department = factories.DepartmentFactory(municipality=municipality, code="eng")
        self.category = factories.CategoryFactory(
            municipality=municipality, department=self.department
        )
        self.admin = make_staff(municipality, "administrator")
        self.officer = make_staff(municipality, "officer", self.department)
        self.report = services.report_create(
            municipality=municipality,
            category=self.category,
            description=f"หลุม {municipality.slug}",
            lat=13.005,
            lng=100.005,
            reporter_email=f"someone@{municipality.slug}.example",
            contact_consent=True,
        )
        self.internal = f"INTERNAL-{municipality.slug}"
        services.report_note_add(
            report=self.report, actor=self.officer, note=self.internal, is_public=False
        )

    def state(self):
        return {
            "reports": list(
                # The existing report: anyone may add a new one, which is the public's right.
                Report.objects.filter(municipality=self.municipality, pk=self.report.pk).values(
                    "pk", "status", "department_id", "assigned_to_id", "satisfaction", "updated_at"
                )
            ),
            "staff_events": ReportEvent.objects.filter(
                municipality=self.municipality, kind__in=["status", "note", "assigned"]
            ).count(),
        }


@pytest.fixture
def tenants(municipality, other_municipality, make_staff):
    return Tenant(municipality, make_staff), Tenant(other_municipality, make_staff)


def body_for(b: Tenant) -> dict:
    """Every field any operation reads, filled with B's ids and secrets."""
    return {
        "to_status": "accepted",
        "public_note": "cross-tenant",
        "internal_note": "cross-tenant",
        "note": "cross-tenant",
        "is_public": True,
        "department": b.department.pk,
        "officer": b.officer.pk,
        "body": "cross-tenant",
        "score": 1,
        "follow_token": b.report.follow_token,
        "email": "intruder@example.org",
        "category": b.category.pk,
        "description": "cross-tenant",
        "lat": 13.005,
        "lng": 100.005,
    }


def call(client: ApiClient, method: str, path: str, *, slug: str, code: str, body: dict):
    url = path.replace("{slug}", slug).replace("{code}", code)
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    operation = next(op for m, p, op in OPERATIONS if (m, p) == (method, path))
    if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
        return client.client.post(url, {"report": json.dumps(body)}, headers=client.headers)
    return client.post(url, body)


def test_the_walk_finds_the_operations():
    labels = {label(item) for item in OPERATIONS}
    assert "POST /api/v1/municipalities/{slug}/staff/reports/{code}/transition" in labels
    assert len(TENANT_OPERATIONS) >= 15 and len(OBJECT_OPERATIONS) >= 10


@pytest.mark.parametrize("item", OBJECT_OPERATIONS, ids=label)
@pytest.mark.parametrize("role", ["admin", "officer"])
def test_bs_report_under_as_slug_is_404(tenants, client_for, item, role):
    a, b = tenants
    client = client_for(getattr(a, role))
    before = b.state()
    method, path, _operation = item
    response = call(
        client, method, path, slug="alpha", code=b.report.tracking_code, body=body_for(b)
    )
    assert response.status_code == 404, f"{label(item)} -> {response.status_code}"
    assert b.report.tracking_code not in response.content.decode()
    assert b.state() == before


@pytest.mark.parametrize("item", TENANT_OPERATIONS, ids=label)
def test_as_staff_are_only_the_public_on_bs_slug(tenants, client_for, item):
    a, b = tenants
    client = client_for(a.admin)
    before = b.state()
    method, path, _operation = item
    response = call(
        client, method, path, slug="beta", code=b.report.tracking_code, body=body_for(b)
    )
    assert response.status_code < 500
    if "/staff/" in path:
        assert response.status_code == 403, f"{label(item)} -> {response.status_code}"
    assert b.internal not in response.content.decode()
    assert "someone@beta.example" not in response.content.decode()
    assert b.state() == before


@pytest.mark.parametrize(
    "item", [i for i in TENANT_OPERATIONS if {} in i[2].get("security", [])], ids=label
)
def test_as_integrator_key_is_refused_on_bs_operations(tenants, item):
    a, b = tenants
    _key, raw = api_key_create(municipality=a.municipality, name="A's app")
    before = b.state()
    method, path, _operation = item
    response = call(
        ApiClient(api_key=raw),
        method,
        path,
        slug="beta",
        code=b.report.tracking_code,
        body=body_for(b),
    )
    assert response.status_code == 403, f"{label(item)} -> {response.status_code}"
    assert b.state() == before
    assert Report.objects.filter(municipality=b.municipality).count() == 1


def test_lists_never_contain_the_other_municipalitys_reports(tenants, client_for):
    a, b = tenants
    public = ApiClient().get("municipalities/alpha/reports", {"q": b.report.tracking_code}).json()
    assert public["count"] == 0
    everything = ApiClient().get("municipalities/alpha/reports").json()
    assert [r["tracking_code"] for r in everything["results"]] == [a.report.tracking_code]
    queue = (
        client_for(a.admin).get("municipalities/alpha/staff/queue", {"department": "all"}).json()
    )
    assert [r["tracking_code"] for r in queue["results"]] == [a.report.tracking_code]
    searched = (
        client_for(a.admin)
        .get("municipalities/alpha/staff/queue", {"q": b.report.tracking_code})
        .json()
    )
    assert searched["count"] == 0
