"""Opinion groups in a real browser on a phone: a resident votes on the statements of the demo
process one at a time with the keyboard-reachable buttons and sees themselves on the map."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_participation_journey import sign_in
from tests.browser.test_report_journey import assert_no_horizontal_scroll, keep_offline
from thesaban.accounts.services import staff_role_grant
from thesaban.participation.opinions import demo

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_vote_on_the_process_page_and_see_the_map(live_server, phone):
    municipality = factories.MunicipalityFactory(slug="alpha", tracking_prefix="ALPHA")
    admin = factories.UserFactory()
    staff_role_grant(municipality=municipality, user=admin, role="administrator")
    residents = [factories.UserFactory() for _ in range(4)]
    process = demo.load(
        municipality=municipality, residents=residents, administrator=admin, now=timezone.now()
    )
    keep_offline(phone.context, live_server)
    me = factories.UserFactory()
    path = f"/alpha/participate/{process.slug}/"
    sign_in(phone, live_server, me, path)
    panel = phone.locator("#opinions")
    expect(panel.locator("svg[role=img]")).to_be_visible()
    expect(panel.locator("path.me")).to_have_count(0)
    assert_no_horizontal_scroll(phone)
    for _ in range(len(demo.STATEMENTS)):
        card = phone.locator("#next-statement")
        text = card.locator(".statement-text").inner_text()
        # Agree with the walking-and-green statements, disagree with the rest.
        planted = dict(demo.STATEMENTS)[text]
        button = card.get_by_role("button", name="เห็นด้วย", exact=True)
        if planted[0] != 1:
            button = card.get_by_role("button", name="ไม่เห็นด้วย", exact=True)
        button.focus()
        phone.keyboard.press("Enter")
        expect(phone.locator(".messages")).to_be_visible()
    expect(phone.locator("#next-statement")).to_have_count(0)
    expect(panel.locator("path.me")).to_have_count(1)
    expect(panel.locator(".map-legend")).to_contain_text("A")
    expect(panel.locator("#groups-title")).to_be_visible()
    assert_no_horizontal_scroll(phone)
