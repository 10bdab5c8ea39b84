"""Municipalities, categories, the OpenAPI document and the offline docs page."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def test_municipalities_list_and_detail(api, municipality, other_municipality):
    factories.MunicipalityFactory(slug="closed", is_active=False)
    listed = api.get("municipalities").json()
    assert {m["slug"] for m in listed} == {"alpha", "beta"}
    detail = api.get("municipalities/alpha", headers={"Accept-Language": "en"}).json()
    assert detail["name"] == municipality.name_en and detail["tracking_prefix"] == "ALPHA"
    assert detail["reports_url"] == "http://testserver/api/v1/municipalities/alpha/reports"
    assert api.get("municipalities/closed").status_code == 404
    assert api.get("municipalities/no-such-town").status_code == 404
    assert api.get("municipalities/bad%20slug").status_code == 422


def test_categories_with_their_questions_in_the_requested_language(api, category, municipality):
    category.questions = [
        {
            "code": "colour",
            "datatype": "singlevaluelist",
            "required": True,
            "label_th": "สีอะไร",
            "label_en": "What colour?",
            "order": 1,
            "values": [{"key": "brown", "name_th": "น้ำตาล", "name_en": "Brown"}],
        }
    ]
    category.save()
    factories.CategoryFactory(municipality=municipality, is_active=False)
    thai = api.get("municipalities/alpha/categories").json()
    english = api.get("municipalities/alpha/categories", headers={"Accept-Language": "en"}).json()
    assert len(thai) == 1
    question = english[0]["questions"][0]
    assert question["label"] == "What colour?" and question["values"][0]["name"] == "Brown"
    assert thai[0]["questions"][0]["label"] == "สีอะไร"
    assert english[0]["name"] == "Road" and thai[0]["name"] == "ถนน"


def test_communities_and_departments(api, municipality, department):
    factories.CommunityFactory(municipality=municipality, name_en="Market")
    assert [c["name_en"] for c in api.get("municipalities/alpha/communities").json()] == ["Market"]
    assert [d["id"] for d in api.get("municipalities/alpha/departments").json()] == [department.pk]


def test_the_openapi_document_describes_every_operation(api):
    document = api.get("openapi.json").json()
    assert document["info"]["title"] == "Thesaban JSON API"
    assert "Idempotency-Key" in document["info"]["description"]
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) >= 20
    assert all(op.get("summary") for op in operations)
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["IntegratorKey"]["name"] == "X-Api-Key"
    # Every operation documents its error answers with the common error shape.
    for op in operations:
        for status, answer in op["responses"].items():
            if status.startswith("4"):
                assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_the_docs_page_works_offline(api):
    page = api.get("docs")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/static/") for url in assets), assets
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), url
    script = Client().get("/static/ninja/swagger-ui-bundle.js")
    assert script.status_code == 200
    # Swagger UI's online validator badge is off: nothing is fetched from elsewhere.
    assert '"validatorUrl": null' in html


def test_unknown_api_urls_are_json_404(api):
    response = api.get("no/such/thing", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


def test_a_wrong_method_is_405(api, municipality):
    response = api.client.put("/api/v1/municipalities/alpha")
    assert response.status_code == 405
