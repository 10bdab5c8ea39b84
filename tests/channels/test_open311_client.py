"""Open311 read by a real third-party client: the `georeport` package (a Python wrapper for the
GeoReport v2 API, over HTTP with `requests`, XML parsed by `xmltodict`) against a live server.
Creating requests is not part of that client, so the POST goes over HTTP with `requests` as
the spec describes it (application/x-www-form-urlencoded)."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from tests import factories
from thesaban.channels.services import api_key_create
from thesaban.reports.models import Report

QUESTIONS = [
    {
        "code": "depth",
        "datatype": "singlevaluelist",
        "required": True,
        "label_th": "หลุมลึกแค่ไหน",
        "label_en": "How deep is the hole?",
        "values": [
            {"key": "shallow", "name_th": "ตื้น", "name_en": "Shallow"},
            {"key": "deep", "name_th": "ลึก", "name_en": "Deep"},
        ],
    }
]


@pytest.fixture
def endpoint(live_server, transactional_db):
    municipality = factories.MunicipalityFactory(slug="alpha", tracking_prefix="ALPHA")
    factories.MunicipalityFactory(slug="beta", tracking_prefix="BETA")
    factories.CategoryFactory(
        municipality=municipality, code="pothole", name_en="Pothole", questions=QUESTIONS
    )
    _api_key, raw = api_key_create(municipality=municipality, name="Client test")
    return f"{live_server.url}/open311/v2", raw


@pytest.mark.parametrize("output_format", ["xml", "json"])
def test_the_georeport_client_reads_every_resource(endpoint, output_format):
    root, raw = endpoint
    # The spec's form POST, as any integrator sends it.
    created = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": raw,
            "jurisdiction_id": "alpha",
            "service_code": "pothole",
            "lat": "13.005",
            "long": "100.005",
            "description": "A deep pothole",
            "attribute[depth]": "deep",
            "email": "private.person@example.org",
        },
        headers={"Accept-Language": "en"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    code = created.json()[0]["service_request_id"]

    client = GeoReport(root, jurisdiction="alpha", output_format=output_format)
    services = client.get_service_list()
    # xmltodict gives a single <service> as a dict, several as a list.
    services = services if isinstance(services, list) else [services]
    assert [s["service_code"] for s in services] == ["pothole"]

    definition = client.get_service_definition("pothole")
    assert definition["service_code"] == "pothole"
    attributes = definition["attributes"]
    attribute = attributes[0] if output_format == "json" else attributes["attribute"]
    assert attribute["code"] == "depth"

    listed = client.get_service_requests(status="open", service_code="pothole")
    listed = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in listed] == [code]

    one = client.get_service_request(code)
    assert one["service_request_id"] == code
    assert one["status"] == "open"
    assert "private.person" not in str(one)

    # A missing jurisdiction on a two-municipality server is the spec's 400.
    with pytest.raises(requests.HTTPError) as error:
        GeoReport(root, output_format=output_format).get_service_list()
    assert error.value.response.status_code == 400
    assert Report.objects.get(tracking_code=code).channel == Report.Channel.OPEN311
