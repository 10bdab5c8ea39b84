"""In a browser: an officer opens a report, sees the category suggestion marked as a
suggestion, and moves the report to the suggested category with one button."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.test_report_journey import keep_offline, staff_login
from tests.insight.test_categoriser_services import new_report, site_wide_model, world
from thesaban.reports.models import ReportEvent

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_an_officer_sees_the_suggestion_and_accepts_it(live_server, desktop, make_staff):
    from tests import factories

    municipality = factories.MunicipalityFactory(slug="alpha", tracking_prefix="ALPHA")
    w = world(municipality, make_staff)
    site_wide_model()
    report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก หน้าตลาดสด")
    keep_offline(desktop.context, live_server)
    path = f"/alpha/staff/reports/{report.tracking_code}/"
    desktop.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    staff_login(desktop, live_server, w.officer.email, path)

    panel = desktop.locator(".suggestion-panel")
    expect(panel).to_contain_text("Suggestion — a person decides")
    expect(panel.locator(".suggested-category")).to_contain_text("Cleanliness and waste")
    expect(panel.locator(".suggestion-reasons li").first).to_be_visible()

    panel.get_by_role("button", name="Change to “Cleanliness and waste”").click()
    expect(desktop.locator(".facts").first).to_contain_text("Cleanliness and waste")
    report.refresh_from_db()
    assert report.category == w.categories["cleanliness"]
    assert ReportEvent.objects.filter(report=report, kind="category", is_public=False).exists()
    expect(desktop.locator(".suggestion-panel")).to_contain_text("Staff confirmed this suggestion.")
