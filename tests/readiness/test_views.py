"""Staff and public readiness pages: roles, exports, the public network page and the survey."""

import csv
import io
import os
import re
import shutil
import subprocess
import zlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.readiness.conftest import answer_all, at, report
from thesaban.readiness import services
from thesaban.readiness.models import Answer, Assessment, SurveyInvitation, SurveyResponse


def pdf_objects(pdf: bytes):
    """The PDF's raw bytes and each of its streams, inflated when compressed."""
    yield pdf
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            yield zlib.decompress(match.group(1))
        except zlib.error:
            yield match.group(1)


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def staff_url(name, municipality, **kwargs):
    return reverse(f"staff:readiness:{name}", kwargs={"municipality": municipality.slug, **kwargs})


@pytest.fixture
def completed(municipality, admin_user, assessment, category):
    report(municipality, category, submitted=at(date(2025, 3, 1)), channel="line")
    answer_all(assessment, admin_user, level={"cul.digital_literacy": 0, "gov.partnerships": 1})
    services.assessment_answer_save(
        assessment=assessment,
        actor=admin_user,
        indicator_code="gov.dto",
        level=3,
        evidence_text="คำสั่งแต่งตั้งคณะทำงานดิจิทัล",
        files=[SimpleUploadedFile("คำสั่ง.pdf", b"%PDF-1.4 order")],
    )
    return services.assessment_complete(assessment=assessment, actor=admin_user)


@pytest.mark.parametrize("role", ["administrator", "officer", "viewer"])
def test_every_staff_role_reads_the_pages(municipality, make_staff, department, completed, role):
    user = make_staff(municipality, role, department if role == "officer" else None)
    client = client_for(user)
    for url in (
        staff_url("overview", municipality),
        staff_url("assessment", municipality, assessment_id=completed.pk),
        staff_url("survey_rounds", municipality),
        staff_url("network", municipality),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(
        staff_url("assessment", municipality, assessment_id=completed.pk)
    ).content.decode()
    assert 'class="radar-svg"' in page and "<table" in page
    assert "คำสั่ง.pdf" in page
    # Recommendations from the weakest indicators (digital literacy 0, partnerships 1).
    assert "ศูนย์ดิจิทัลชุมชน" in page
    overview = client.get(staff_url("overview", municipality)).content.decode()
    assert "trend-svg" in overview
    assert ("Start the assessment" in overview or "เริ่มการประเมิน" in overview) == (
        role == "administrator"
    )


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_officers_and_viewers_cannot_write(municipality, make_staff, department, assessment, role):
    user = make_staff(municipality, role, department if role == "officer" else None)
    client = client_for(user)
    before = Assessment.objects.count()
    assert (
        client.post(staff_url("assessment_start", municipality), {"title": "x"}).status_code == 403
    )
    assert (
        client.post(
            staff_url("assessment", municipality, assessment_id=assessment.pk),
            {"gov_dto__level": "4"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            staff_url("assessment_complete", municipality, assessment_id=assessment.pk)
        ).status_code
        == 403
    )
    assert (
        client.post(staff_url("publication", municipality), {"results_public": "on"}).status_code
        == 403
    )
    assert client.post(staff_url("survey_rounds", municipality), {"title": "x"}).status_code == 403
    assert Assessment.objects.count() == before
    assert Answer.objects.get(assessment=assessment, indicator_code="gov.dto").level is None


def test_administrator_answers_with_evidence_through_the_form(municipality, admin_user, assessment):
    client = client_for(admin_user)
    url = staff_url("assessment", municipality, assessment_id=assessment.pk)
    page = client.get(url)
    assert page.status_code == 200 and 'name="gov_dto__level"' in page.content.decode()
    response = client.post(
        url,
        {
            "gov_dto__level": "3",
            "gov_dto__evidence_text": "มีคำสั่งแต่งตั้ง",
            "gov_dto__evidence_link": "example.go.th/dto",
            "gov_dto__evidence_file": SimpleUploadedFile("order.pdf", b"%PDF-1.4 x"),
            "gov_partnerships__level": "1",
        },
    )
    assert response.status_code == 302
    answer = Answer.objects.get(assessment=assessment, indicator_code="gov.dto")
    assert (answer.level, answer.evidence_link) == (3, "https://example.go.th/dto")
    evidence = answer.files.get()
    download = client.get(staff_url("evidence", municipality, file_id=evidence.pk))
    assert download.status_code == 200 and download.content == b"%PDF-1.4 x"
    assert download["Content-Disposition"].startswith("attachment")


def test_a_bad_file_is_explained_on_the_form_and_nothing_is_saved(
    municipality, admin_user, assessment
):
    client = client_for(admin_user)
    client.cookies["thesaban_language"] = "en"
    response = client.post(
        staff_url("assessment", municipality, assessment_id=assessment.pk),
        {"gov_dto__level": "3", "gov_dto__evidence_file": SimpleUploadedFile("x.exe", b"MZ\x90")},
    )
    assert response.status_code == 200
    assert "is not an accepted file" in response.content.decode()
    assert Answer.objects.get(assessment=assessment, indicator_code="gov.dto").level is None


def test_completing_too_early_says_what_is_missing(municipality, admin_user, assessment):
    client = client_for(admin_user)
    client.cookies["thesaban_language"] = "en"
    response = client.post(
        staff_url("assessment_complete", municipality, assessment_id=assessment.pk), follow=True
    )
    assert response.status_code == 200
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    body = response.content.decode()
    assert "Choose a level for every self-assessed indicator first. Missing:" in body
    assert "Is there a unit or team responsible for digital transformation" in body


def test_csv_export(municipality, admin_user, completed):
    response = client_for(admin_user).get(
        staff_url("assessment_csv", municipality, assessment_id=completed.pk)
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    codes = [row[0] if row else "" for row in rows]
    assert "gov.dto" in codes and "live.digital_share" in codes
    dto = rows[codes.index("gov.dto")]
    assert dto[5] == "3" and dto[6] == "75.0" and "คำสั่ง.pdf" in dto[-1]
    dmi = next(row for row in rows if len(row) > 1 and row[1] == f"{completed.dmi_score:.1f}")
    assert dmi


def test_pdf_export_embeds_the_thai_font_and_text(municipality, admin_user, completed, tmp_path):
    response = client_for(admin_user).get(
        staff_url("assessment_pdf", municipality, assessment_id=completed.pk)
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    # The font is embedded (a subset), not taken from the reader's machine.
    assert any(b"Sarabun" in chunk for chunk in pdf_objects(pdf))
    (tmp_path / "report.pdf").write_bytes(pdf)
    if os.environ.get("THESABAN_KEEP_PDF"):
        shutil.copy(tmp_path / "report.pdf", os.environ["THESABAN_KEEP_PDF"])
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(tmp_path / "report.pdf"), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "ประเมินตนเอง 2568" in text  # the title, extracted back as Thai characters
        assert "ศูนย์ดิจิทัลชุมชน" in text  # a recommendation


def test_public_network_page_and_csv_leave_out_private_members(
    db, indicator_set, make_staff, municipality, other_municipality, completed, admin_user
):
    network = services.network_save(slug="pilots", name_th="เครือข่ายนำร่อง", name_en="Pilots")
    services.network_member_add(network=network, municipality=municipality)
    services.network_member_add(network=network, municipality=other_municipality)
    services.publication_set(municipality=municipality, actor=admin_user, results_public=True)
    page = Client().get(reverse("networks:detail", kwargs={"network": "pilots"})).content.decode()
    assert municipality.name_th in page
    assert other_municipality.name_th not in page
    assert "ไม่เปิดเผย" in page or "do not publish" in page or "does not publish" in page
    csv_response = Client().get(reverse("networks:csv", kwargs={"network": "pilots"}))
    assert municipality.name_th in csv_response.content.decode()
    assert other_municipality.name_th not in csv_response.content.decode()
    assert Client().get(reverse("networks:list")).status_code == 200
    assert Client().get(reverse("networks:detail", kwargs={"network": "nope"})).status_code == 404
    # The public results page follows the same choice.
    public = Client().get(reverse("readiness:results", kwargs={"municipality": municipality.slug}))
    assert "radar-svg" in public.content.decode()
    private = Client().get(
        reverse("readiness:results", kwargs={"municipality": other_municipality.slug})
    )
    assert "radar-svg" not in private.content.decode()


def test_no_personal_data_on_public_readiness_pages(
    db, municipality, admin_user, completed, category
):
    network = services.network_save(slug="pilots", name_th="เครือข่าย", name_en="Pilots")
    services.network_member_add(network=network, municipality=municipality)
    services.publication_set(municipality=municipality, actor=admin_user, results_public=True)
    for url in (
        reverse("networks:detail", kwargs={"network": "pilots"}),
        reverse("networks:csv", kwargs={"network": "pilots"}),
        reverse("readiness:results", kwargs={"municipality": municipality.slug}),
    ):
        body = Client().get(url).content.decode()
        for secret in (admin_user.email, admin_user.display_name, "คำสั่งแต่งตั้ง", "คำสั่ง.pdf"):
            assert secret not in body, (url, secret)


def test_resident_answers_the_survey_once(municipality, admin_user, category, indicator_set):
    resident = factories.UserFactory()
    report(
        municipality,
        category,
        submitted=timezone.now() - timezone.timedelta(days=3),
        reporter=resident,
    )
    today = timezone.localdate()
    survey_round = services.survey_round_start(
        municipality=municipality,
        actor=admin_user,
        title="สำรวจความพึงพอใจ",
        opens_on=today,
        closes_on=today,
        sample_size=5,
        seed=1,
    )
    assert SurveyInvitation.objects.filter(round=survey_round, user=resident).exists()
    url = reverse(
        "readiness:survey", kwargs={"municipality": municipality.slug, "round_id": survey_round.pk}
    )
    assert Client().get(url).status_code == 302  # sign in first
    stranger = client_for(factories.UserFactory())
    assert stranger.get(url).status_code == 404
    client = client_for(resident)
    listing = client.get(
        reverse("readiness:survey_list", kwargs={"municipality": municipality.slug})
    )
    assert "สำรวจความพึงพอใจ" in listing.content.decode()
    incomplete = client.post(url, {"trust": "4"})
    assert incomplete.status_code == 200 and not SurveyResponse.objects.exists()
    answers = {
        "trust": "4",
        "transparency": "3",
        "satisfaction": "5",
        "responsiveness": "4",
        "social_capital": "2",
    }
    assert client.post(url, answers).status_code == 302
    assert client.post(url, {**answers, "trust": "1"}).status_code == 200
    assert SurveyResponse.objects.get().answers["trust"] == 4
    results = client_for(admin_user).get(
        staff_url("survey_round", municipality, round_id=survey_round.pk)
    )
    assert results.status_code == 200
    assert resident.email not in results.content.decode()
    assert resident.display_name not in results.content.decode()


def test_assessment_of_another_municipality_is_404(
    municipality, other_municipality, make_staff, completed
):
    outsider = make_staff(other_municipality, "administrator")
    client = client_for(outsider)
    evidence = Answer.objects.get(assessment=completed, indicator_code="gov.dto").files.get()
    for name, kwargs in (
        ("assessment", {"assessment_id": completed.pk}),
        ("assessment_pdf", {"assessment_id": completed.pk}),
        ("assessment_csv", {"assessment_id": completed.pk}),
        ("evidence", {"file_id": evidence.pk}),
    ):
        assert client.get(staff_url(name, other_municipality, **kwargs)).status_code == 404, name
        assert client.get(staff_url(name, municipality, **kwargs)).status_code == 403, name


def test_superuser_publishes_a_new_version_in_the_admin_site(db, indicator_set, admin_user):
    import json

    from thesaban.readiness.models import IndicatorSet

    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    client = client_for(superuser)
    add = reverse("admin:readiness_indicatorset_add")
    page = client.get(add)
    assert page.status_code == 200 and "gov.dto" in page.content.decode()
    data = json.loads(json.dumps(indicator_set.definition))
    data["label_en"] = "DMI version 2"
    response = client.post(add, {"definition": json.dumps(data, ensure_ascii=False)})
    assert response.status_code == 302
    assert IndicatorSet.objects.order_by("-version").first().label_en == "DMI version 2"
    bad = client.post(add, {"definition": json.dumps({"indicators": []})})
    assert bad.status_code == 200 and IndicatorSet.objects.count() == 2
    # Municipal administrators never see it.
    assert client_for(admin_user).get(add).status_code in (302, 403)
