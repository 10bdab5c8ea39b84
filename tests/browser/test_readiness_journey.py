"""Digital readiness in a real browser: an administrator completes an assessment with evidence,
sees the radar chart and the recommendations and exports the PDF; the public network page
compares the demo's municipalities on a 360 px phone."""

import shutil
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_report_journey import (
    assert_no_horizontal_scroll,
    keep_offline,
    shoot,
    staff_login,
)
from thesaban.accounts.services import staff_role_grant
from thesaban.municipalities.demo import builder
from thesaban.municipalities.demo.readiness import ensure_readiness
from thesaban.readiness import services
from thesaban.readiness.models import Answer, Assessment


@pytest.fixture
def alpha(transactional_db):
    services.indicator_set_load_files()
    municipality = factories.MunicipalityFactory(slug="alpha", tracking_prefix="ALPHA")
    admin = factories.UserFactory(email="admin@alpha.example.org")
    staff_role_grant(municipality=municipality, user=admin, role="administrator")
    return municipality, admin


def test_administrator_completes_an_assessment_and_exports_the_pdf(
    live_server, alpha, desktop, tmp_path
):
    municipality, admin = alpha
    keep_offline(desktop.context, live_server)
    page = desktop
    staff_login(page, live_server, admin.email, f"/{municipality.slug}/staff/readiness/")
    page.locator("form[action$='/assessments/new/'] input[name=title]").fill("ประเมินตนเอง 2569")
    page.locator("form[action$='/assessments/new/'] button[type=submit]").click()
    expect(page.locator("#answers-form")).to_be_visible()
    assessment = Assessment.objects.get(municipality=municipality)

    # Every self-assessed indicator at level 3, except two weak ones.
    names = page.eval_on_selector_all(
        "#answers-form input[type=radio][name$='__level']",
        "els => [...new Set(els.map(e => e.name))]",
    )
    assert len(names) >= 10
    for name in names:
        page.locator(f"input[name='{name}'][value='3']").check()
    page.locator("input[name='cul_digital_literacy__level'][value='0']").check()
    page.locator("input[name='gov_partnerships__level'][value='1']").check()
    evidence = tmp_path / "คำสั่งแต่งตั้ง DTO.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% an order appointing the digital team\n")
    page.locator("textarea[name='gov_dto__evidence_text']").fill("คำสั่งเทศบาลที่ 12/2569")
    page.locator("input[name='gov_dto__evidence_file']").set_input_files(str(evidence))
    page.locator("button[name=save]").click()
    expect(page.locator("#indicator-gov\\.dto .files a")).to_have_text("คำสั่งแต่งตั้ง DTO.pdf")
    answer = Answer.objects.get(assessment=assessment, indicator_code="gov.dto")
    assert answer.level == 3 and answer.files.get().name == "คำสั่งแต่งตั้ง DTO.pdf"

    page.locator("#complete-assessment").click()
    expect(page.locator("svg.radar-svg")).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.status == "completed"
    expect(page.locator("#dmi-score")).to_have_text(f"{assessment.dmi_score:.0f}")
    advice = page.locator("#h-advice ~ .advice h3")
    expect(advice.first).to_be_visible()
    titles = advice.all_inner_texts()
    assert any("ดิจิทัล" in title for title in titles)  # digital literacy / community centres
    # The radar's accessible twin: a table with every dimension's score.
    expect(page.locator("#scores-caption")).to_be_visible()
    shoot(page, tmp_path, "assessment")

    with page.expect_download() as download_info:
        page.locator("a[href$='export.pdf']").click()
    pdf_path = tmp_path / "report.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        flat = "".join(text.split())  # lines wrap anywhere in a table cell
        assert "ประเมินตนเอง2569" in flat
        # Sara am is drawn as nikhahit + sara aa, which text extraction may not map back.
        assert "เทศบาลที่12/2569" in flat


def test_the_network_page_compares_the_demo_municipalities(
    live_server, transactional_db, phone, tmp_path
):
    services.indicator_set_load_files()
    now = timezone.now()
    slugs = ["demo", "kaen-nakhon", "nong-sila", "ban-samran", "khok-phra"]
    for slug in slugs:
        profile = builder.load_profile(slug)
        municipality = factories.MunicipalityFactory(
            slug=slug,
            name_th=profile["name_th"],
            name_en=profile["name_en"],
            population=profile["population"],
            tracking_prefix=profile["tracking_prefix"],
        )
        admin = factories.UserFactory()
        staff_role_grant(municipality=municipality, user=admin, role="administrator")
        ensure_readiness(municipality, admin, profile, now=now)
    keep_offline(phone.context, live_server)
    phone.goto(f"{live_server.url}/networks/")
    phone.locator("main a[href='/networks/pilots/']").click()
    rows = phone.locator("#comparison tbody tr")
    expect(rows).to_have_count(4)  # Ban Samran does not publish its results
    names = rows.locator("th").all_inner_texts()
    assert names[0] == builder.load_profile("kaen-nakhon")["name_th"]
    assert names[-1] == builder.load_profile("khok-phra")["name_th"]
    assert builder.load_profile("ban-samran")["name_th"] not in phone.content()
    ranks = rows.locator("td:first-child").all_inner_texts()
    assert ranks == ["1", "2", "3", "4"]
    expect(phone.locator("#comparison tfoot")).to_be_visible()
    assert_no_horizontal_scroll(phone)
    shoot(phone, tmp_path, "network")
    with phone.expect_download() as download_info:
        phone.locator("a[href$='comparison.csv']").click()
    csv_path = tmp_path / "network.csv"
    download_info.value.save_as(csv_path)
    assert builder.load_profile("kaen-nakhon")["name_th"] in csv_path.read_text(
        encoding="utf-8-sig"
    )
