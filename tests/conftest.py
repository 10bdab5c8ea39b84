import io
import os
import shutil

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


# --- Browser fixtures (Playwright driving Debian's chromium), shared by every folder --------

CHROMIUM = os.environ.get("THESABAN_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the tests touch the database from
# the same thread between page actions, which Django otherwise refuses.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium_browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(chromium_browser):
    """A 360 × 740 phone-sized page, touch enabled, Thai locale."""
    context = chromium_browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="th-TH",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
