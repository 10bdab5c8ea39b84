"""A digital-centre volunteer reports for a resident on a phone and prints an A6 receipt."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_report_journey import (
    alpha,  # noqa: F401 - fixture
    assert_no_horizontal_scroll,
    keep_offline,
    staff_login,
)
from thesaban.accounts.models import ConsentRecord
from thesaban.accounts.services import staff_role_grant
from thesaban.reports.models import Report

A6_POINTS = (297.6, 419.5)  # 105 × 148 mm


@pytest.mark.django_db(transaction=True)
def test_volunteer_reports_for_a_resident_and_prints_the_receipt(live_server, alpha, phone):  # noqa: F811
    keep_offline(phone.context, live_server)
    volunteer = factories.UserFactory()
    staff_role_grant(municipality=alpha.municipality, user=volunteer, role="digital_centre")

    staff_login(phone, live_server, volunteer.email, "/alpha/staff/intake/")
    assert_no_horizontal_scroll(phone)
    # The menu offers only what a volunteer may use.
    menu = phone.locator(".staff-nav a")
    expect(menu).to_have_count(1)

    phone.locator("input[name=category]").first.check()
    phone.locator("textarea[name=description]").fill("ไฟฟ้าส่องสว่างดับทั้งซอย")
    phone.locator("input[name=address]").fill("ซอยวัดกลาง หน้าศาลาประชาคม")
    phone.locator("input[name=reporter_phone]").fill("0812345678")
    phone.locator("#report-form button[type=submit]").click()
    # Without the consent box the form refuses and keeps what was typed.
    expect(phone.locator("#id_consent_given_error")).to_be_visible()
    assert phone.locator("textarea[name=description]").input_value() == "ไฟฟ้าส่องสว่างดับทั้งซอย"
    assert not Report.objects.exists()

    phone.locator("input[name=consent_given]").check()
    phone.locator("#report-form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/alpha/staff/intake/ALPHA-\d{4}-000001/receipt/$"))

    report = Report.objects.get()
    assert report.channel == Report.Channel.ASSISTED and report.assisted_by == volunteer
    consent = ConsentRecord.objects.get(report=report, purpose=ConsentRecord.Purpose.ASSISTED)
    assert consent.method == "verbal" and consent.recorded_by == volunteer

    expect(phone.locator(".code")).to_have_text(report.tracking_code)
    expect(phone.locator(".qr svg")).to_be_visible()
    assert "0812345678" not in phone.content()

    # Printed, the page is one A6 sheet without the on-screen controls.
    phone.emulate_media(media="print")
    expect(phone.locator(".no-print")).to_be_hidden()
    pdf = phone.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert len(boxes) == 1, "the receipt fits on one sheet"
    width, height = (float(value) for value in boxes[0])
    assert abs(width - A6_POINTS[0]) < 2 and abs(height - A6_POINTS[1]) < 2
