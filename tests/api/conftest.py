import json

import pytest
from django.core.cache import cache
from django.test import Client

from tests import factories
from thesaban.accounts.tokens import access_token_create
from thesaban.reports import services


class ApiClient:
    """A thin JSON client for /api/v1/ with optional Bearer token or X-Api-Key."""

    def __init__(self, token: str = "", api_key: str = "", language: str = ""):
        self.client = Client()
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if api_key:
            self.headers["X-Api-Key"] = api_key
        if language:
            self.headers["Accept-Language"] = language

    def _url(self, path: str) -> str:
        if path.startswith("http://testserver/"):
            return path.removeprefix("http://testserver")
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path, params=None, headers=None):
        return self.client.get(
            self._url(path), params or {}, headers={**self.headers, **(headers or {})}
        )

    def post(self, path, body=None, headers=None):
        return self.client.post(
            self._url(path),
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def delete(self, path, params=None, headers=None):
        url = self._url(path)
        if params:
            from urllib.parse import urlencode

            url += "?" + urlencode(params)
        return self.client.delete(url, headers={**self.headers, **(headers or {})})


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return ApiClient()


@pytest.fixture
def client_for():
    def make(user=None, *, api_key: str = "", language: str = "") -> ApiClient:
        token = access_token_create(user=user, name="tests")[1] if user is not None else ""
        return ApiClient(token=token, api_key=api_key, language=language)

    return make


@pytest.fixture
def make_report(municipality, category):
    def make(**kwargs):
        values = {
            "municipality": municipality,
            "category": category,
            "description": "ถนนเป็นหลุม",
            "lat": 13.005,
            "lng": 100.005,
        }
        values.update(kwargs)
        return services.report_create(**values)

    return make


@pytest.fixture
def reporter(db):
    return factories.UserFactory(display_name="Reporter Publicname")
