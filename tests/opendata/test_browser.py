"""The budget explorer in a real browser on a 360 px phone: readable, no sideways scrolling of
the page, charts drawn, drill-down by following links (no JavaScript needed)."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.opendata.conftest import csv_sum, sample_bytes
from thesaban.opendata import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_budget_explorer_on_a_phone(live_server, municipality, phone, chromium_browser):  # noqa: F811
    municipality.population = 41_235
    municipality.save(update_fields=["population"])
    demo.load(municipality, today=dt.date(2026, 11, 21))
    page = phone
    page.goto(f"{live_server.url}/{municipality.slug}/opendata/budget/2570/")
    total = csv_sum(sample_bytes("budget-2570.csv"))
    expect(page.get_by_test_id("budget-total")).to_have_text(f"{total:,.2f}")
    expect(page.locator("svg.od-chart").first).to_be_visible()
    # the page itself never scrolls sideways at 360 px (wide tables scroll inside their box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    chart_box = page.locator("svg.od-chart").first.bounding_box()
    assert chart_box["width"] <= 360 and chart_box["height"] > 100

    # drill down: plan -> works -> items, by following ordinary links
    page.get_by_role("link", name="แผนงานงบกลาง", exact=True).first.click()
    expect(page.get_by_test_id("level-total")).to_have_text(
        f"{csv_sum(sample_bytes('budget-2570.csv'), แผนงาน='แผนงานงบกลาง') - Decimal('350000.00'):,.2f}"
    )
    page.get_by_test_id("drill-table").get_by_role("link", name="งบกลาง", exact=True).click()
    table = page.get_by_test_id("drill-table")
    expect(table).to_contain_text("เบี้ยยังชีพผู้สูงอายุ")
    expect(table).to_contain_text("23,760,000.00")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # every figure links to the ledger; the entry page opens
    page.get_by_test_id("budget-total").get_by_role("link").click()
    page.wait_for_load_state()
    assert "/ledger/" in page.url
    expect(page.locator("main")).to_be_visible()

    # without JavaScript the explorer is the same page
    context = chromium_browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False
    )
    try:
        plain = context.new_page()
        plain.goto(
            f"{live_server.url}/{municipality.slug}/opendata/budget/2570/?plan=แผนงานการศึกษา"
        )
        expect(plain.get_by_test_id("drill-table")).to_contain_text("งานระดับก่อนวัยเรียนและประถมศึกษา")
        expect(plain.locator("svg.od-chart a").first).to_be_attached()
    finally:
        context.close()
