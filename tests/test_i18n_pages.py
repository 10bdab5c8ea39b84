"""Thai first: pages are Thai with Buddhist-era dates unless the visitor chose English."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

THAI_MO = Path(settings.LOCALE_PATHS[0]) / "th" / "LC_MESSAGES" / "django.mo"
# 03:00 UTC on 21 Nov 2026 is 10:00 in Bangkok.
SUBMITTED = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)


@pytest.fixture
def report(municipality, category):
    return factories.ReportFactory(
        municipality=municipality, category=category, submitted_at=SUBMITTED
    )


def html_lang(response) -> str:
    match = re.search(rb'<html[^>]*\slang="([^"]+)"', response.content)
    assert match, "no <html lang=...>"
    return match.group(1).decode()


def pages(municipality, report) -> list[str]:
    return [
        reverse("reports:list", kwargs={"municipality": municipality.slug}),
        reverse(
            "reports:detail",
            kwargs={"municipality": municipality.slug, "code": report.tracking_code},
        ),
    ]


@pytest.mark.django_db
def test_thai_by_default_with_buddhist_era_dates(client, municipality, report):
    for url in pages(municipality, report):
        response = client.get(url)
        assert response.status_code == 200
        assert html_lang(response) == "th"
        assert response.headers["Content-Language"] == "th"
        body = response.content.decode()
        assert "21 พ.ย. 2569" in body, url
        assert "Nov 2026" not in body


@pytest.mark.django_db
def test_detail_shows_bangkok_time_with_thai_suffix(client, municipality, report):
    body = client.get(pages(municipality, report)[1]).content.decode()
    assert "21 พ.ย. 2569 10:00 น." in body


@pytest.mark.django_db
def test_english_with_the_language_cookie(client, municipality, report):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in pages(municipality, report):
        response = client.get(url)
        assert html_lang(response) == "en"
        assert response.headers["Content-Language"] == "en"
        body = response.content.decode()
        assert "21 Nov 2026" in body, url
        assert "2569" not in body.replace(report.tracking_code, "")
        assert "พ.ย." not in body


@pytest.mark.django_db
def test_browser_language_does_not_override_thai_first(client, municipality, report):
    response = client.get(pages(municipality, report)[0], HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert html_lang(response) == "th"


@pytest.mark.django_db
def test_lang_parameter_for_links(client, municipality, report):
    response = client.get(pages(municipality, report)[0], {"lang": "en"})
    assert html_lang(response) == "en"
    # An unsupported language falls back to Thai.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert html_lang(client.get(pages(municipality, report)[0])) == "th"


@pytest.mark.django_db
def test_set_language_sets_the_cookie_and_switches(client, municipality, report):
    url = pages(municipality, report)[0]
    response = client.post("/i18n/setlang/", {"language": "en", "next": url})
    assert response.status_code == 302
    assert response.url == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert html_lang(client.get(url)) == "en"
    client.post("/i18n/setlang/", {"language": "th", "next": url})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "th"
    switched = client.get(url)
    assert html_lang(switched) == "th"
    assert "21 พ.ย. 2569" in switched.content.decode()


@pytest.mark.django_db
def test_set_language_refuses_an_offsite_next(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.url


@pytest.mark.django_db
def test_responses_vary_on_cookie(client, municipality, report):
    response = client.get(pages(municipality, report)[0])
    assert "Cookie" in response.headers.get("Vary", "")


@pytest.mark.django_db
def test_navigation_is_translated_to_thai(client, municipality, report):
    url = pages(municipality, report)[0]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Report a problem" in client.get(url).content.decode()
    if not THAI_MO.exists():
        pytest.skip("Thai catalogue not compiled yet")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    thai = client.get(url).content.decode()
    assert "Report a problem" not in thai
    assert "Sign in" not in thai
