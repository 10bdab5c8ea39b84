"""In a real browser: a resident subscribes to a community, staff publish an announcement,
the e-mail arrives (Django's locmem outbox), and its unsubscribe link works without login."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests import factories
from thesaban.accounts.services import staff_role_grant
from thesaban.notifications.models import Subscription

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's password


@pytest.fixture
def town(transactional_db, settings, live_server):
    settings.PUBLIC_BASE_URL = live_server.url
    municipality = factories.MunicipalityFactory(slug="alpha", tracking_prefix="ALPHA")
    community = factories.CommunityFactory(
        municipality=municipality, code="market", name_th="ชุมชนตลาดเก่า", name_en="Old Market"
    )
    officer = factories.UserFactory(email="officer@example.org")
    staff_role_grant(municipality=municipality, user=officer, role="officer")
    return municipality, community, officer


def sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_subscribe_announce_receive_and_unsubscribe(town, live_server, phone, chromium_browser):  # noqa: F811
    municipality, community, officer = town
    base = live_server.url
    resident = factories.UserFactory(email="resident@example.org")

    # The resident subscribes to the community on a phone.
    sign_in(phone, base, resident.email)
    phone.goto(f"{base}/alpha/notifications/")
    phone.locator("input[name=scope][value=community]").check()
    phone.locator("select[name=community]").select_option(label="ชุมชนตลาดเก่า")
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator(".messages")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("ชุมชนตลาดเก่า")
    assert Subscription.objects.get(user=resident).status == "active"

    # Staff publish an announcement to that community from the back office.
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    staff = context.new_page()
    sign_in(staff, base, officer.email)
    staff.goto(f"{base}/alpha/staff/notifications/")
    staff.locator("input[name=title_th]").fill("ประปาหยุดจ่ายน้ำ")
    staff.locator("textarea[name=body_th]").fill("วันเสาร์ 09:00-15:00 ซ่อมท่อเมน")
    staff.get_by_label("ชุมชนตลาดเก่า").check()
    staff.locator("main form button[type=submit]").click()
    expect(staff.locator(".messages")).to_be_visible()
    context.close()

    # The e-mail arrived, in Thai, with a one-click unsubscribe link.
    (message,) = [m for m in mail.outbox if m.to == ["resident@example.org"]]
    assert message.subject == "ประปาหยุดจ่ายน้ำ"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(base)

    # The public page shows it.
    phone.goto(f"{base}/alpha/notifications/announcements/")
    expect(phone.locator("main")).to_contain_text("ซ่อมท่อเมน")

    # The link works in a fresh browser without signing in: GET asks, the button stops it.
    fresh = chromium_browser.new_context(viewport={"width": 360, "height": 740}, locale="th-TH")
    page = fresh.new_page()
    page.goto(link)
    assert Subscription.objects.get(user=resident).status == "active"
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=status]")).to_be_visible()
    assert Subscription.objects.get(user=resident).status == "unsubscribed"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    fresh.close()
