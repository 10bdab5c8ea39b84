"""Live-data downloads (streamed, constant memory), DCAT JSON-LD, privacy and tenant isolation."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.db.models.query import QuerySet
from django.http import StreamingHttpResponse
from django.urls import reverse

from tests.opendata.conftest import csv_sum
from tests.test_privacy import people, secrets_of  # noqa: F401 - the fixture is used below
from thesaban.opendata import services, sources
from thesaban.reports import services as report_services

pytestmark = pytest.mark.django_db


def download(client, municipality, dataset: str, fmt: str):
    from thesaban.opendata.models import Resource

    resource = Resource.objects.get(municipality=municipality, dataset__slug=dataset, format=fmt)
    url = reverse(
        "opendata:download",
        kwargs={"municipality": municipality.slug, "dataset": dataset, "resource": resource.pk},
    )
    return client.get(url)


@pytest.fixture
def published(municipality, category, budget_2570):
    services.datasets_publish_standard(municipality=municipality)
    return municipality


def test_downloads_are_streamed_in_chunks_from_an_iterator(published, client, monkeypatch):
    for n in range(1200):
        report_services.report_create(
            municipality=published,
            category=category_of(published),
            description=f"หลุม {n}",
            lat=13.005,
            lng=100.005,
        )
    chunk_sizes = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    response = download(client, published, "reports", "CSV")
    assert isinstance(response, StreamingHttpResponse) and response.streaming
    chunks = list(response.streaming_content)
    assert chunk_sizes == [sources.CHUNK_SIZE]  # rows come from a cursor, not a list
    # the header, then blocks of BLOCK_ROWS rows: never the whole file at once
    assert len(chunks) == 1 + 1200 // sources.BLOCK_ROWS + 1
    assert max(len(c) for c in chunks) < 200 * sources.BLOCK_ROWS
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == 1200
    assert response["Content-Type"].startswith("text/csv")


def category_of(municipality):
    from thesaban.reports.models import Category

    return Category.objects.filter(municipality=municipality).first()


def test_budget_csv_json_round_trip_the_file(published, client):
    body = b"".join(download(client, published, "budget", "CSV").streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 197
    assert sum(Decimal(r["amount"]) for r in rows) == csv_sum(budget_bytes())
    data = json.loads(b"".join(download(client, published, "budget", "JSON").streaming_content))
    assert [f["id"] for f in data["fields"]][:2] == ["fiscal_year", "version_number"]
    assert sum(Decimal(str(r["amount"])) for r in data["records"]) == csv_sum(budget_bytes())
    # amounts are exact JSON numbers (never through float)
    assert b'"amount":1528000.00' in b"".join(
        download(client, published, "budget", "JSON").streaming_content
    )


def budget_bytes():
    from tests.opendata.conftest import sample_bytes

    return sample_bytes("budget-2570.csv")


def test_reports_geojson_rounds_coordinates(published, client):
    report_services.report_create(
        municipality=published,
        category=category_of(published),
        description="ไฟดับ",
        lat=13.0051234,
        lng=100.0056789,
    )
    data = json.loads(b"".join(download(client, published, "reports", "GeoJSON").streaming_content))
    assert data["type"] == "FeatureCollection"
    feature = data["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [100.0057, 13.0051]}
    assert "lat" not in feature["properties"] and feature["properties"]["status"] == "submitted"


def test_no_personal_data_in_any_export_or_api(people, municipality, client):  # noqa: F811
    account, reports = people
    services.datasets_publish_standard(municipality=municipality)
    bodies = []
    for dataset in ("reports", "budget", "disbursements", "procurement", "projects"):
        for fmt in ("CSV", "JSON", "GeoJSON"):
            from thesaban.opendata.models import Resource

            if Resource.objects.filter(
                municipality=municipality, dataset__slug=dataset, format=fmt
            ).exists():
                response = download(client, municipality, dataset, fmt)
                assert response.status_code == 200
                bodies.append(b"".join(response.streaming_content).decode("utf-8-sig"))
    resource = Resource.objects.get(
        municipality=municipality, dataset__slug="reports", format="CSV"
    )
    bodies.append(
        client.get(
            "/api/3/action/datastore_search", {"resource_id": str(resource.pk), "limit": 100}
        ).content.decode()
    )
    bodies.append(
        client.get("/api/3/action/package_show", {"id": "alpha-reports"}).content.decode()
    )
    bodies.append(
        client.get(
            reverse("opendata:dataset", kwargs={"municipality": "alpha", "dataset": "reports"})
        ).content.decode()
    )
    reports_csv = bodies[0]
    assert all(r.tracking_code in reports_csv for r in reports.values())
    for body in bodies:
        for secret in secrets_of(account, reports):
            assert secret not in body
        for report in reports.values():
            assert report.description not in body  # free text may name people
    header = reports_csv.splitlines()[0]
    for column in ("reporter", "email", "phone", "description", "address", "name"):
        assert column not in header.split(",")


def test_dcat_catalogue_is_json_ld_with_the_dcat_terms(published, client):
    services.dataset_save(
        municipality=published, slug="budget", temporal_start=dt.date(2025, 10, 1)
    )
    response = client.get(reverse("opendata:dcat", kwargs={"municipality": published.slug}))
    assert response["Content-Type"].startswith("application/ld+json")
    catalog = response.json()
    assert catalog["@type"] == "dcat:Catalog"
    assert catalog["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert catalog["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert {t["@language"] for t in catalog["dct:title"]} == {"th", "en"}
    datasets = {d["dct:identifier"]: d for d in catalog["dcat:dataset"]}
    assert len(datasets) == 5
    budget = next(d for d in catalog["dcat:dataset"] if d["@id"].endswith("/datasets/budget/"))
    assert budget["@type"] == "dcat:Dataset"
    assert {t["@value"] for t in budget["dct:title"]} == {
        "งบประมาณรายจ่ายประจำปี",
        "Annual expenditure budget",
    }
    assert budget["dct:license"] == {"@id": "https://creativecommons.org/licenses/by/4.0/"}
    assert budget["dct:publisher"]["@type"] == "foaf:Organization"
    assert budget["dct:accrualPeriodicity"] == {"@id": "http://purl.org/cld/freq/annual"}
    assert budget["dct:temporal"]["dcat:startDate"]["@value"] == "2025-10-01"
    assert budget["dct:spatial"]["@type"] == "dct:Location"
    assert "budget" in budget["dcat:keyword"]
    distribution = budget["dcat:distribution"][0]
    assert distribution["@type"] == "dcat:Distribution"
    assert distribution["dcat:mediaType"]["@id"].endswith("text/csv")
    assert client.get(distribution["dcat:downloadURL"]["@id"]).status_code == 200


def test_dataset_page_has_a_preview_table_and_a_chart(published, client):
    page = client.get(
        reverse("opendata:dataset", kwargs={"municipality": published.slug, "dataset": "budget"})
    )
    html = page.content.decode()
    assert 'data-testid="preview"' in html and "แผนงานบริหารงานทั่วไป" in html
    assert (
        '<svg class="od-chart"' in html
        and "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    )


def test_tenant_isolation_of_downloads_and_api(published, other_municipality, client):
    from thesaban.opendata.models import Resource

    services.datasets_publish_standard(municipality=other_municipality)
    theirs = Resource.objects.get(
        municipality=other_municipality, dataset__slug="budget", format="CSV"
    )
    # B's resource under A's slug is a 404
    url = reverse(
        "opendata:download",
        kwargs={"municipality": published.slug, "dataset": "budget", "resource": theirs.pk},
    )
    assert client.get(url).status_code == 404
    # B's own budget export holds none of A's lines
    body = b"".join(download(client, other_municipality, "budget", "CSV").streaming_content).decode(
        "utf-8-sig"
    )
    assert body.strip().count("\n") == 0
    assert (
        client.get(
            reverse(
                "opendata:budget", kwargs={"municipality": other_municipality.slug, "year": 2570}
            )
        ).status_code
        == 404
    )
    result = client.get("/api/3/action/datastore_search", {"resource_id": str(theirs.pk)}).json()[
        "result"
    ]
    assert result["total"] == 0
    alpha = client.get(
        "/api/3/action/package_search", {"fq": "organization:beta", "rows": 100}
    ).json()["result"]
    assert all(p["organization"]["name"] == "beta" for p in alpha["results"])


def test_uploaded_file_is_served_and_previewed(published, client, admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    dataset = services.dataset_save(
        municipality=published, slug="markets", title_th="ตลาด", title_en="Markets"
    )
    response = client.post(
        reverse(
            "staff:opendata:resource_upload",
            kwargs={"municipality": published.slug, "dataset": "markets"},
        ),
        {
            "file": SimpleUploadedFile(
                "m.csv", "ตลาด,แผง\nตลาดสด,120\nตลาดนัด,80\n".encode(), "text/csv"
            ),
            "name_th": "จำนวนแผง",
        },
    )
    assert response.status_code == 302
    resource = dataset.resources.get()
    page = client.get(
        reverse("opendata:dataset", kwargs={"municipality": published.slug, "dataset": "markets"})
    )
    assert "ตลาดนัด" in page.content.decode() and '<svg class="od-chart"' in page.content.decode()
    file_response = client.get(
        reverse(
            "opendata:download",
            kwargs={"municipality": published.slug, "dataset": "markets", "resource": resource.pk},
        )
    )
    assert b"".join(file_response.streaming_content).decode() == "ตลาด,แผง\nตลาดสด,120\nตลาดนัด,80\n"
    bad = client.post(
        reverse(
            "staff:opendata:resource_upload",
            kwargs={"municipality": published.slug, "dataset": "markets"},
        ),
        {"file": SimpleUploadedFile("m.exe", b"MZ", "application/octet-stream"), "name_th": "x"},
    )
    assert bad.status_code == 200 and dataset.resources.count() == 1
