import io
import os

import pytest
from PIL import Image

from tests import factories


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def municipality(db):
    return factories.MunicipalityFactory(slug="alpha", tracking_prefix="ALPHA")


@pytest.fixture
def other_municipality(db):
    return factories.MunicipalityFactory(slug="beta", tracking_prefix="BETA")


@pytest.fixture
def department(municipality):
    return factories.DepartmentFactory(municipality=municipality, code="engineering")


@pytest.fixture
def category(municipality, department):
    return factories.CategoryFactory(municipality=municipality, department=department, code="road")


@pytest.fixture
def resident(db):
    return factories.UserFactory()


def _staff(municipality, role, department=None):
    from thesaban.accounts.services import staff_role_grant

    user = factories.UserFactory()
    staff_role_grant(municipality=municipality, user=user, role=role, department=department)
    return user


@pytest.fixture
def admin_user(municipality):
    return _staff(municipality, "administrator")


@pytest.fixture
def officer(municipality, department):
    return _staff(municipality, "officer", department)


@pytest.fixture
def viewer(municipality):
    return _staff(municipality, "viewer")


@pytest.fixture
def make_staff():
    return _staff


def image_bytes(fmt="JPEG", size=(64, 48), exif=None, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    img = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    img.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def jpeg_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(name="photo.jpg", **kwargs):
        return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")

    return make


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL", "")
    return f"database: {'PostgreSQL ' + url.split('@')[-1] if url.startswith('postgres') else 'SQLite'}"
