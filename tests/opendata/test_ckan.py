"""The CKAN Action API, driven by CKAN's own client library against a live test server."""

import datetime as dt
from decimal import Decimal

import pytest
from ckanapi import NotFound, RemoteCKAN, ValidationError
from ckanapi.errors import CKANAPIError, SearchQueryError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.opendata.conftest import csv_sum, sample_bytes
from thesaban.opendata import importers, services
from thesaban.opendata.models import Budget, Dataset, ProcurementAward, Resource


@pytest.fixture
def portal(transactional_db, municipality, other_municipality):
    importers.import_budget(
        municipality=municipality, name="b.csv", data=sample_bytes("budget-2570.csv")
    )
    budget = Budget.objects.get(municipality=municipality)
    services.procurement_award_create(
        budget=budget,
        reference="69097123456",
        title="ก่อสร้างถนน",
        method=ProcurementAward.Method.E_BIDDING,
        winner_name="บริษัท ทดสอบการโยธา จำกัด",
        winner_kind=ProcurementAward.WinnerKind.JURISTIC,
        amount=Decimal("2315000.00"),
        awarded_on=dt.date(2026, 10, 1),
    )
    services.procurement_award_create(
        budget=budget,
        reference="69097678901",
        title="จ้างพัฒนาระบบ",
        method=ProcurementAward.Method.SPECIFIC,
        winner_name="นายสมชาย ลับเฉพาะ",
        winner_kind=ProcurementAward.WinnerKind.NATURAL,
        amount=Decimal("98000.00"),
        awarded_on=dt.date(2026, 10, 2),
    )
    services.datasets_publish_standard(municipality=municipality)
    services.datasets_publish_standard(municipality=other_municipality)
    extra = services.dataset_save(
        municipality=municipality,
        slug="water-quality",
        title_th="คุณภาพน้ำ",
        title_en="Water quality",
        description_th="ผลตรวจคุณภาพน้ำคลอง",
        description_en="Canal water tests",
        keywords="water,น้ำ,environment",
        license_id="CC0-1.0",
    )
    services.resource_upload(
        dataset=extra,
        upload=SimpleUploadedFile(
            "water.csv", b"station,ph,month\nA,7.1,1\nB,6.5,1\nA,7.3,2\nC,8.0,2\n", "text/csv"
        ),
        name_th="ผลตรวจ",
        name_en="Tests",
    )
    services.dataset_save(
        municipality=municipality,
        slug="draft",
        title_th="ร่าง",
        title_en="Draft",
        is_published=False,
    )
    return municipality


@pytest.fixture
def ckan(live_server):
    with RemoteCKAN(live_server.url, user_agent="thesaban-tests") as client:
        yield client


@pytest.fixture
def ckan_get(live_server):
    with RemoteCKAN(live_server.url, get_only=True, user_agent="thesaban-tests") as client:
        yield client


def test_package_list_show_and_organizations(portal, ckan, ckan_get):
    names = ckan.action.package_list()
    assert "alpha-budget" in names and "beta-budget" in names and "alpha-water-quality" in names
    assert "alpha-draft" not in names  # unpublished
    assert names == sorted(names)
    assert ckan_get.action.package_list(limit=2, offset=1) == names[1:3]

    package = ckan.action.package_show(id="alpha-budget")
    assert package["name"] == "alpha-budget" and package["title"] == "งบประมาณรายจ่ายประจำปี"
    assert package["title_translated"]["en"] == "Annual expenditure budget"
    assert package["organization"]["name"] == "alpha" and package["license_id"] == "cc-by"
    assert {r["format"] for r in package["resources"]} == {"CSV", "JSON"}
    assert ckan_get.action.package_show(id=package["id"])["name"] == "alpha-budget"  # by uuid

    orgs = ckan.action.organization_list()
    assert orgs == ["alpha", "beta"]
    full = ckan_get.action.organization_list(all_fields=True)
    assert {o["name"]: o["package_count"] for o in full} == {"alpha": 6, "beta": 5}
    org = ckan.action.organization_show(id="alpha", include_datasets=True)
    assert org["is_organization"] and len(org["packages"]) == 6
    assert ckan_get.action.organization_show(id=org["id"])["name"] == "alpha"
    assert ckan.action.status_show()["ckan_version"].startswith("2.")


def test_package_search(portal, ckan, ckan_get):
    everything = ckan.action.package_search(rows=100)
    assert everything["count"] == 11
    alpha = ckan.action.package_search(fq="organization:alpha", rows=3, start=0, sort="name asc")
    assert alpha["count"] == 6
    assert [p["name"] for p in alpha["results"]] == [
        "alpha-budget",
        "alpha-disbursements",
        "alpha-procurement",
    ]
    second = ckan_get.action.package_search(
        fq="organization:alpha", rows=3, start=3, sort="name asc"
    )
    assert [p["name"] for p in second["results"]] == [
        "alpha-projects",
        "alpha-reports",
        "alpha-water-quality",
    ]

    water = ckan.action.package_search(q="คุณภาพน้ำ")
    assert [p["name"] for p in water["results"]] == ["alpha-water-quality"]
    assert ckan.action.package_search(q="water")["count"] == 1
    assert ckan.action.package_search(fq='tags:"น้ำ"')["count"] == 1
    geo = ckan.action.package_search(fq="res_format:GeoJSON AND organization:beta")
    assert sorted(p["name"] for p in geo["results"]) == ["beta-projects", "beta-reports"]

    faceted = ckan.action.package_search(
        fq="organization:alpha", **{"facet.field": ["res_format", "organization"]}, rows=0
    )
    assert faceted["results"] == []
    assert faceted["facets"]["res_format"] == {"CSV": 6, "JSON": 5, "GeoJSON": 2}
    assert faceted["search_facets"]["organization"]["items"] == [
        {"name": "alpha", "display_name": "alpha", "count": 6}
    ]
    by_get = ckan_get.action.package_search(
        **{"facet.field": '["license_id"]', "fq": "organization:alpha"}
    )
    assert by_get["facets"]["license_id"] == {"cc-by": 5, "cc-zero": 1}
    newest = ckan.action.package_search(sort="metadata_modified desc", rows=1)
    assert newest["results"][0]["name"] == "alpha-water-quality"


def test_resource_show_and_datastore_search(portal, ckan, ckan_get):
    package = ckan.action.package_show(id="alpha-budget")
    csv_resource = next(r for r in package["resources"] if r["format"] == "CSV")
    resource = ckan.action.resource_show(id=csv_resource["id"])
    assert resource["package_id"] == package["id"] and resource["datastore_active"] is True
    assert resource["url"].endswith("/download")

    page = ckan.action.datastore_search(resource_id=resource["id"], limit=5)
    assert page["total"] == 197 and len(page["records"]) == 5
    assert [f["id"] for f in page["fields"]][:3] == ["_id", "fiscal_year", "version_number"]
    everything = ckan.action.datastore_search(resource_id=resource["id"], limit=1000)
    total = sum(Decimal(str(r["amount"])) for r in everything["records"])
    assert total == csv_sum(sample_bytes("budget-2570.csv"))

    central = ckan.action.datastore_search(
        resource_id=resource["id"],
        filters={"plan": "แผนงานงบกลาง"},
        sort="amount desc",
        fields=["item_name", "amount"],
    )
    assert central["total"] == 10
    assert central["records"][0]["item_name"] == "เบี้ยยังชีพผู้สูงอายุ"
    assert set(central["records"][0]) == {"_id", "item_name", "amount"}
    offset = ckan_get.action.datastore_search(
        resource_id=resource["id"],
        filters='{"plan": "แผนงานงบกลาง"}',
        sort="amount desc",
        limit=2,
        offset=1,
    )
    assert [r["_id"] for r in offset["records"]] == [r["_id"] for r in central["records"][1:3]]
    searched = ckan.action.datastore_search(resource_id=resource["id"], q="เบี้ยยังชีพ")
    assert searched["total"] == 3
    by_field = ckan.action.datastore_search(resource_id=resource["id"], q={"item_name": "(นม)"})
    assert by_field["total"] == 1

    procurement = ckan.action.package_show(id="alpha-procurement")["resources"][0]
    awards = ckan.action.datastore_search(resource_id=procurement["id"])
    assert sorted(r["winner"] for r in awards["records"]) == ["", "บริษัท ทดสอบการโยธา จำกัด"]
    # the masked name cannot be probed by search or filter either
    assert ckan.action.datastore_search(resource_id=procurement["id"], q="สมชาย")["total"] == 0
    assert (
        ckan.action.datastore_search(
            resource_id=procurement["id"], filters={"winner": "นายสมชาย ลับเฉพาะ"}
        )["total"]
        == 0
    )

    water = ckan.action.package_show(id="alpha-water-quality")["resources"][0]
    rows = ckan.action.datastore_search(
        resource_id=water["id"], filters={"station": "A"}, sort="ph desc"
    )
    assert [r["ph"] for r in rows["records"]] == ["7.3", "7.1"]


def test_errors_come_in_ckans_format(portal, ckan, ckan_get, live_server):
    import requests

    with pytest.raises(NotFound):
        ckan.action.package_show(id="alpha-nothing")
    with pytest.raises(NotFound):
        ckan.action.package_show(id="alpha-draft")
    with pytest.raises(NotFound):
        ckan_get.action.organization_show(id="gamma")
    with pytest.raises(NotFound):
        ckan.action.resource_show(id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(NotFound):
        ckan.action.datastore_search(resource_id="not-a-uuid")
    with pytest.raises(ValidationError) as missing:
        ckan.action.package_show()
    assert missing.value.error_dict["id"] == ["Missing value"]
    with pytest.raises(ValidationError):
        ckan.action.package_search(rows="many")
    resource = ckan.action.package_show(id="alpha-reports")["resources"][0]["id"]
    with pytest.raises(ValidationError) as bad_filter:
        ckan.action.datastore_search(resource_id=resource, filters={"lat": 13.0})
    assert "filters" in bad_filter.value.error_dict
    with pytest.raises(ValidationError):
        ckan.action.datastore_search(resource_id=resource, sort="reporter_email asc")
    with pytest.raises(ValidationError):
        ckan.action.datastore_search(resource_id=resource, fields="reporter_name")
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(fq="reporter:someone")
    with pytest.raises(CKANAPIError):
        ckan.action.package_create(name="x")  # not an action here: 400, "Bad Request"

    response = requests.get(f"{live_server.url}/api/3/action/package_show", params={"id": "nope"})
    assert response.status_code == 404
    assert response.json() == {
        "help": f"{live_server.url}/api/3/action/help_show?name=package_show",
        "success": False,
        "error": {"__type": "Not Found Error", "message": "Not found"},
    }
    response = requests.post(f"{live_server.url}/api/3/action/package_show", json={})
    assert response.status_code == 409
    assert response.json()["error"] == {"__type": "Validation Error", "id": ["Missing value"]}
    response = requests.post(
        f"{live_server.url}/api/3/action/package_list",
        data="[1]",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400 and response.json()["error"]["__type"] == "Bad Request"
    response = requests.get(f"{live_server.url}/api/3/action/no_such_action")
    assert response.status_code == 400
    assert (
        response.json()["error"]["message"] == "Bad request - Action name not known: no_such_action"
    )
    ok = requests.get(f"{live_server.url}/api/3/action/package_list").json()
    assert ok["success"] is True and set(ok) == {"help", "success", "result"}


def test_unpublished_dataset_resources_are_hidden(portal, ckan):
    draft = Dataset.objects.get(slug="draft")
    hidden = Resource.objects.create(
        municipality=portal, dataset=draft, name_th="x", format="CSV", is_live=False
    )
    with pytest.raises(NotFound):
        ckan.action.resource_show(id=str(hidden.pk))
