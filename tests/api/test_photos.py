"""Reports with photos: multipart/form-data, within the photo rules of reports/photos.py."""

import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.conftest import image_bytes
from thesaban.reports.models import Report, ReportPhoto

pytestmark = pytest.mark.django_db
URL = "/api/v1/municipalities/alpha/reports/with-photos"


def report_json(category, **extra):
    return json.dumps(
        {"category": category.pk, "description": "ท่อแตก", "address": "หน้าตลาด", **extra}
    )


def photo(name="p.jpg", **kwargs):
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")


def test_photos_are_stored_reencoded_without_exif(api, category):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    response = api.client.post(
        URL,
        {"report": report_json(category), "photos": [photo(exif=exif), photo("b.png", fmt="PNG")]},
    )
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_code=response.json()["tracking_code"])
    stored = ReportPhoto.objects.filter(report=report)
    assert stored.count() == 2 and len(response.json()["photos"]) == 2
    with stored.first().image.open("rb") as handle:
        assert not Image.open(io.BytesIO(handle.read())).getexif()


def test_more_than_three_photos_or_a_non_image_are_refused(api, category):
    four = api.client.post(
        URL, {"report": report_json(category), "photos": [photo() for _ in range(4)]}
    )
    assert four.status_code == 422 and "photos" in four.json()["errors"]
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    bad = api.client.post(URL, {"report": report_json(category), "photos": [fake]})
    assert bad.status_code == 422
    assert Report.objects.count() == 0


def test_the_report_field_is_validated_like_the_json_body(api, category):
    response = api.client.post(
        URL, {"report": report_json(category, lat=200, lng=1)}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"report.lat": ["Give a value of at most 90."]}
    broken = api.client.post(URL, {"report": "{nope"})
    assert broken.status_code == 422 and "report" in broken.json()["errors"]


def test_a_retry_with_the_same_key_and_photos_returns_the_same_report(api, category):
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.client.post(
        URL, {"report": report_json(category), "photos": [photo()]}, headers=key
    )
    again = api.client.post(
        URL, {"report": report_json(category), "photos": [photo()]}, headers=key
    )
    other = api.client.post(
        URL, {"report": report_json(category), "photos": [photo(color=(1, 2, 3))]}, headers=key
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert Report.objects.count() == 1 and ReportPhoto.objects.count() == 1
