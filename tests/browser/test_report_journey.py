"""The resident's report journey in a real browser, on a 360 px phone.

A resident reports a problem with a photo, staff accept and resolve it, the resident sees the
result through the private follow link and rates it, and the report is on the public map. Also:
the form works without JavaScript, and the language switcher keeps its choice.

The live server runs in another thread; the tests read the database between page actions
(DJANGO_ALLOW_ASYNC_UNSAFE is set in conftest.py). Map tiles never leave the machine: every
request to another host is answered with a plain grey tile or refused.
"""

import io
import re
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import Page, expect

from tests import factories
from thesaban.accounts.services import staff_role_grant
from thesaban.core.dates import buddhist_year
from thesaban.reports.models import Report
from thesaban.reports.staff_forms import PUBLIC_NOTE_REQUIRED
from thesaban.reports.workflow import Status

PHONE_WIDTH = 360
STAFF_PASSWORD = "correct horse battery"  # tests.factories.UserFactory's password
# The report lies a little north-west of the municipality's centre (13.005, 100.005), inside
# the community square of tests.factories (13.0-13.01, 100.0-100.01). At zoom 18 on a 360 px
# phone its marker is about 120 px left of the map's centre, so its popup cannot open without
# panning the map.
REPORT_LAT, REPORT_LNG = 13.0053, 100.00435
RESOLVED_FILL = (0x1E, 0x6B, 0x34)  # reports.js STATUS_COLOURS.resolved


def _png(size: int, colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="PNG")
    return buffer.getvalue()


GREY_TILE = _png(256, (229, 231, 235))


@pytest.fixture
def alpha(transactional_db):
    municipality = factories.MunicipalityFactory(
        slug="alpha", tracking_prefix="ALPHA", center_lat=13.005, center_lng=100.005
    )
    department = factories.DepartmentFactory(municipality=municipality, code="engineering")
    category = factories.CategoryFactory(
        municipality=municipality, department=department, code="road"
    )
    community = factories.CommunityFactory(municipality=municipality, code="market")
    return SimpleNamespace(
        municipality=municipality, department=department, category=category, community=community
    )


def keep_offline(context, live_server) -> None:
    """Answer every request to another host (map tiles) locally: tests never use the network."""
    origin = live_server.url.rstrip("/")

    def answer(route):
        if route.request.resource_type == "image":
            route.fulfill(status=200, content_type="image/png", body=GREY_TILE)
        else:
            route.abort()

    context.route(re.compile(rf"^(?!{re.escape(origin)}/)https?://"), answer)


def expected_code(number: int) -> str:
    return f"ALPHA-{buddhist_year(timezone.localtime())}-{number:06d}"


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} scrolls sideways: {width}px wide at {PHONE_WIDTH}px"


def shoot(page: Page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def staff_login(page: Page, live_server, email: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}{next_path}")


def zoom_map_to(page: Page, zoom: int, start: int) -> dict:
    """Tap the map's zoom-in button level by level (Leaflet ignores taps while it animates);
    each level loads map.json again. Returns the last payload."""
    payload = {}
    for level in range(start + 1, zoom + 1):
        with page.expect_response(
            lambda response, level=level: (
                "/map.json" in response.url and f"zoom={level}&" in response.url
            )
        ) as response:
            page.locator(".leaflet-control-zoom-in").tap()
        assert response.value.ok
        payload = response.value.json()
    return payload


def marker_position(page: Page, zoom: int, centre: tuple[float, float]) -> dict:
    """Where Leaflet draws the report at `zoom` on the map centred on `centre`, in CSS pixels
    from the top-left of the map's padding box (plus the border width, for screenshots)."""
    return page.evaluate(
        """([lat, lng, centreLat, centreLng, zoom]) => {
            const node = document.getElementById("reports-map");
            const crs = L.CRS.EPSG3857;
            const point = crs.latLngToPoint(L.latLng(lat, lng), zoom);
            const middle = crs.latLngToPoint(L.latLng(centreLat, centreLng), zoom);
            return {
                x: node.clientWidth / 2 + point.x - middle.x,
                y: node.clientHeight / 2 + point.y - middle.y,
                border: node.clientLeft,
            };
        }""",
        [REPORT_LAT, REPORT_LNG, centre[0], centre[1], zoom],
    )


def test_resident_reports_with_photo_staff_resolve_resident_rates_and_map_shows_it(
    live_server, alpha, phone, desktop, tmp_path
):
    municipality = alpha.municipality
    admin = factories.UserFactory(email="admin@alpha.example.org")
    staff_role_grant(municipality=municipality, user=admin, role="administrator")
    keep_offline(phone.context, live_server)
    keep_offline(desktop.context, live_server)
    photo = tmp_path / "pothole.jpg"
    Image.new("RGB", (640, 480), (150, 90, 40)).save(photo, format="JPEG")
    code = expected_code(1)
    description = "ถนนหน้าตลาดเป็นหลุมลึก รถจักรยานยนต์ล้มเมื่อคืน"
    public_note = "ซ่อมหลุมและลาดยางใหม่เรียบร้อยแล้ว"

    # --- the resident reports the problem on a phone ---------------------------------------
    phone.goto(f"{live_server.url}/alpha/reports/new/")
    expect(phone.locator("html")).to_have_attribute("lang", "th")
    expect(phone.locator("#pick-map")).to_be_visible()  # the script shows the picker map
    assert_no_horizontal_scroll(phone)

    phone.locator(f"input[name=category][value='{alpha.category.pk}']").check()
    phone.locator("#id_description").fill(description)
    phone.locator("#id_lat").fill(str(REPORT_LAT))
    phone.locator("#id_lng").fill(str(REPORT_LNG))
    phone.locator("#id_lng").press("Tab")  # `change`: the picker map moves its marker there
    expect(phone.locator("#pick-map .leaflet-marker-icon")).to_have_count(1)
    phone.locator("#id_photos").set_input_files(str(photo))
    expect(phone.locator("#photos-client-error")).to_be_empty()
    assert_no_horizontal_scroll(phone)
    shoot(phone, tmp_path, "01-phone-form-filled")

    phone.locator("#report-form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"/alpha/reports/{code}/t/[^/]+/$"))
    expect(phone.locator(".messages")).to_contain_text(code)
    expect(phone.locator(".private-box")).to_contain_text(code)
    expect(phone.locator("h1 .code")).to_have_text(code)
    expect(phone.locator(".meta .badge")).to_have_class(re.compile(r"\bstatus-submitted\b"))
    thumbnail = phone.locator("ul.photos img").first
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_be_visible()
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth > 0"), "photo not shown"
    follow_link = phone.locator("#follow-link").input_value()
    assert follow_link.startswith(live_server.url) and f"/{code}/t/" in follow_link
    assert_no_horizontal_scroll(phone)
    shoot(phone, tmp_path, "02-phone-confirmation")

    report = Report.objects.get(municipality=municipality, tracking_code=code)
    assert report.status == Status.SUBMITTED
    assert report.category == alpha.category
    assert report.description == description
    assert (report.lat, report.lng) == pytest.approx((REPORT_LAT, REPORT_LNG))
    assert report.community == alpha.community
    assert report.department == alpha.department
    assert report.photos.count() == 1

    # --- staff accept it, are refused a resolution without a note, then resolve it ----------
    staff = desktop
    staff_login(staff, live_server, admin.email, "/alpha/staff/queue/")
    staff.get_by_role("link", name=code, exact=True).click()
    expect(staff).to_have_url(f"{live_server.url}/alpha/staff/reports/{code}/")
    expect(staff.locator("h1")).to_contain_text(code)
    expect(staff.locator(".staff-main .description")).to_contain_text(description)

    staff.locator("button[name=to_status][value=accepted]").click()
    expect(staff.locator("h1 .badge")).to_have_class(re.compile(r"\bstatus-accepted\b"))
    expect(staff.locator(".messages .success")).to_be_visible()
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED

    staff.locator("#transition-public_note").fill("")
    staff.locator("button[name=to_status][value=resolved]").click()
    with translation.override("th"):
        note_required = str(PUBLIC_NOTE_REQUIRED)
    expect(staff.locator("#transition-public_note_error")).to_have_text(note_required)
    expect(staff.locator("h1 .badge")).to_have_class(re.compile(r"\bstatus-accepted\b"))
    shoot(staff, tmp_path, "03-staff-resolve-refused-without-note")
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert report.resolved_at is None

    staff.locator("#transition-public_note").fill(public_note)
    staff.locator("button[name=to_status][value=resolved]").click()
    expect(staff).to_have_url(f"{live_server.url}/alpha/staff/reports/{code}/")
    expect(staff.locator("h1 .badge")).to_have_class(re.compile(r"\bstatus-resolved\b"))
    expect(staff.locator(".staff-timeline")).to_contain_text(public_note)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    assert report.resolved_at is not None

    # --- the resident follows the private link, sees the result and rates it ----------------
    phone.goto(follow_link)
    expect(phone.locator(".meta .badge")).to_have_class(re.compile(r"\bstatus-resolved\b"))
    expect(phone.locator(".timeline")).to_contain_text(public_note)
    rate = phone.locator("#rate")
    expect(rate).to_be_visible()
    assert_no_horizontal_scroll(phone)
    rate.locator("input[name=score][value='5']").check()
    rate.locator("textarea[name=comment]").fill("ซ่อมเร็วมาก ขอบคุณครับ")
    rate.locator("button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"/alpha/reports/{code}/t/[^/]+/$"))
    expect(phone.locator(".messages .success")).to_be_visible()
    expect(rate.locator("input[name=score][value='5']")).to_be_checked()
    expect(phone.locator(".timeline li")).to_have_count(4)  # created, accepted, resolved, rated
    assert_no_horizontal_scroll(phone)
    shoot(phone, tmp_path, "04-phone-resolved-and-rated")
    report.refresh_from_db()
    assert report.satisfaction == 5
    assert report.satisfaction_comment == "ซ่อมเร็วมาก ขอบคุณครับ"
    assert report.rated_at is not None

    # --- the public map shows it ------------------------------------------------------------
    start_zoom = municipality.default_zoom
    with phone.expect_response(lambda response: "/map.json" in response.url) as first:
        phone.goto(f"{live_server.url}/alpha/reports/map/")
    clusters = first.value.json()
    assert clusters["kind"] == "clusters"
    assert [(c["count"], c["url"]) for c in clusters["clusters"]] == [
        (1, f"/alpha/reports/{code}/")
    ]
    expect(phone.locator("#map-status")).to_have_text(clusters["summary"])
    assert_no_horizontal_scroll(phone)

    points = zoom_map_to(phone, 18, start_zoom)
    assert [(p["code"], p["status"], p["url"]) for p in points["points"]] == [
        (code, Status.RESOLVED, f"/alpha/reports/{code}/")
    ]
    the_map = phone.locator("#reports-map")
    the_map.evaluate("node => node.scrollIntoView({block: 'center'})")
    spot = marker_position(phone, 18, (municipality.center_lat, municipality.center_lng))
    # preferCanvas: the markers are painted on one <canvas>, so look at its pixels.
    expect(the_map.locator(".leaflet-overlay-pane canvas")).to_have_count(1)
    picture = Image.open(io.BytesIO(the_map.screenshot())).convert("RGB")
    scale = picture.width / the_map.evaluate("node => node.offsetWidth")
    pixel = picture.getpixel(
        (round((spot["border"] + spot["x"]) * scale), round((spot["border"] + spot["y"]) * scale))
    )
    assert all(abs(a - b) <= 24 for a, b in zip(pixel, RESOLVED_FILL, strict=True)), (
        f"no green (resolved) marker where the report is: {pixel}"
    )

    # The popup pans the map to fit on the phone and the move reloads map.json: the popup must
    # survive that reload (aria-busy is removed once the markers are redrawn).
    with phone.expect_response(
        lambda response: "/map.json" in response.url and "zoom=18&" in response.url
    ):
        the_map.tap(position={"x": spot["x"], "y": spot["y"]})
    expect(the_map).not_to_have_attribute("aria-busy", "true")
    popup = the_map.locator(".leaflet-popup")
    expect(popup, "the popup closed when the map reloaded its markers").to_have_css("opacity", "1")
    expect(popup).to_contain_text(code)
    box, frame = popup.bounding_box(), the_map.bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]
    assert frame["y"] <= box["y"], "the popup is cut off at the top of the map"
    link = popup.locator(f"a[href='/alpha/reports/{code}/']")
    expect(link).to_be_visible()
    shoot(phone, tmp_path, "05-phone-map-popup")
    link.tap()
    expect(phone).to_have_url(f"{live_server.url}/alpha/reports/{code}/")
    expect(phone.locator("h1 .code")).to_have_text(code)
    expect(phone.locator(".private-box")).to_have_count(0)  # the public page, not the private one
    assert_no_horizontal_scroll(phone)


def test_report_form_works_without_javascript(live_server, alpha, chromium_browser, tmp_path):
    context = chromium_browser.new_context(
        java_script_enabled=False,
        viewport={"width": PHONE_WIDTH, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="th-TH",
    )
    keep_offline(context, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/alpha/reports/new/")
        expect(page.locator("#pick-map")).to_be_hidden()  # no script, no map: the inputs remain
        expect(page.locator("#locate-me")).to_be_hidden()
        assert_no_horizontal_scroll(page)
        page.locator(f"input[name=category][value='{alpha.category.pk}']").check()
        page.locator("#id_description").fill("ไฟถนนดับทั้งซอย")
        page.locator("#id_lat").fill("13.0071")
        page.locator("#id_lng").fill("100.0032")
        page.locator("#report-form button[type=submit]").click()

        code = expected_code(1)
        expect(page).to_have_url(re.compile(rf"/alpha/reports/{code}/t/[^/]+/$"))
        expect(page.locator(".private-box")).to_contain_text(code)
        expect(page.locator("#report-map")).to_be_hidden()
        assert_no_horizontal_scroll(page)
        shoot(page, tmp_path, "06-nojs-confirmation")
        report = Report.objects.get(municipality=alpha.municipality, tracking_code=code)
        assert (report.lat, report.lng) == pytest.approx((13.0071, 100.0032))
        assert report.community == alpha.community
        assert report.status == Status.SUBMITTED
    finally:
        context.close()


def test_language_switcher_switches_and_remembers(live_server, alpha, phone):
    keep_offline(phone.context, live_server)
    html = phone.locator("html")

    def language_cookie() -> str | None:
        cookies = {c["name"]: c["value"] for c in phone.context.cookies()}
        return cookies.get("thesaban_language")

    phone.goto(f"{live_server.url}/alpha/reports/")
    expect(html).to_have_attribute("lang", "th")
    assert language_cookie() is None

    phone.wait_for_load_state("load")
    with phone.expect_navigation():
        phone.locator("#lang-select").select_option("en")  # the script submits on change
    expect(html).to_have_attribute("lang", "en")
    assert urlsplit(phone.url).path == "/alpha/reports/"
    assert language_cookie() == "en"
    expect(phone.locator("#lang-select")).to_have_value("en")

    phone.locator(".main-nav a[href='/alpha/reports/map/']").click()
    expect(phone).to_have_url(f"{live_server.url}/alpha/reports/map/")
    expect(html).to_have_attribute("lang", "en")

    phone.wait_for_load_state("load")  # the submit-on-change script is attached by then
    with phone.expect_navigation():
        phone.locator("#lang-select").select_option("th")
    expect(html).to_have_attribute("lang", "th")
    assert urlsplit(phone.url).path == "/alpha/reports/map/"
    assert language_cookie() == "th"

    phone.locator(".main-nav a[href='/alpha/reports/new/']").click()
    expect(phone).to_have_url(f"{live_server.url}/alpha/reports/new/")
    expect(html).to_have_attribute("lang", "th")
    expect(phone.locator("#lang-select")).to_have_value("th")
