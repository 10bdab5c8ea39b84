"""Assisted intake at a digital centre: a helper reports for a resident, records the consent
and prints an A6 receipt whose QR code opens the private follow link."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests import factories
from thesaban import reports
from thesaban.accounts.models import ConsentRecord
from thesaban.core.models import AuditEntry
from thesaban.reports import services
from thesaban.reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(municipality, make_staff):
    return make_staff(municipality, "digital_centre")


def intake_url(municipality):
    return reverse("staff:intake:new", kwargs={"municipality": municipality.slug})


def receipt_url(report):
    return reverse(
        "staff:intake:receipt",
        kwargs={"municipality": report.municipality.slug, "code": report.tracking_code},
    )


def login(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def form_data(category, **overrides):
    data = {
        "category": str(category.pk),
        "description": "น้ำประปาไม่ไหลมาสามวันแล้ว",
        "lat": "",
        "lng": "",
        "address": "หน้าวัดกลาง ซอย 3",
        "reporter_name": "ยายสมศรี",
        "reporter_phone": "0812345678",
        "reporter_email": "",
        "consent_given": "on",
        "consent_method": "verbal",
        "idempotency_key": "intake-key-1",
    }
    data.update(overrides)
    return data


def test_volunteer_submits_for_a_resident_and_consent_is_recorded(
    client, municipality, category, volunteer
):
    response = login(client, volunteer).post(intake_url(municipality), form_data(category))
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == receipt_url(report)
    assert report.channel == Report.Channel.ASSISTED
    assert report.assisted_by == volunteer
    assert report.is_anonymous is True
    assert report.reporter is None
    assert report.reporter_name == "ยายสมศรี"
    consent = ConsentRecord.objects.get(report=report, purpose=ConsentRecord.Purpose.ASSISTED)
    assert consent.method == ConsentRecord.Method.VERBAL
    assert consent.recorded_by == volunteer
    assert consent.given_at is not None
    # The contact details were given with consent, so a contact consent is recorded as well.
    assert ConsentRecord.objects.filter(
        report=report, purpose=ConsentRecord.Purpose.REPORT_CONTACT, recorded_by=volunteer
    ).exists()
    entry = AuditEntry.objects.get(action="report.create", target_id=str(report.pk))
    assert entry.actor == volunteer


def test_a_retried_submission_creates_one_report_and_one_consent(
    client, municipality, category, volunteer
):
    login(client, volunteer)
    client.post(intake_url(municipality), form_data(category))
    client.post(intake_url(municipality), form_data(category))
    assert Report.objects.count() == 1
    assert ConsentRecord.objects.filter(purpose=ConsentRecord.Purpose.ASSISTED).count() == 1


def test_without_consent_nothing_is_saved_and_the_reason_is_shown(
    client, municipality, category, volunteer
):
    data = form_data(category)
    del data["consent_given"]
    response = login(client, volunteer).post(intake_url(municipality), data)
    assert response.status_code == 200
    assert "Without the resident&#x27;s consent" in response.content.decode()
    assert not Report.objects.exists()


def test_thai_error_messages(client, municipality, category, volunteer):
    data = form_data(category, consent_method="telepathy")
    response = login(client, volunteer, language="th").post(intake_url(municipality), data)
    assert response.status_code == 200
    assert not Report.objects.exists()
    assert response.context["form"].errors["consent_method"]


def test_service_refuses_residents_and_an_unrecorded_consent_method(
    municipality, category, volunteer
):
    with pytest.raises(PermissionDenied):
        services.report_create_assisted(
            municipality=municipality,
            helper=factories.UserFactory(),
            consent_method="verbal",
            category=category,
            description="x",
            address="y",
        )
    with pytest.raises(ValidationError):
        services.report_create_assisted(
            municipality=municipality,
            helper=volunteer,
            consent_method="online",
            category=category,
            description="x",
            address="y",
        )


def test_receipt_shows_code_and_a_qr_of_the_follow_link_without_personal_data(
    client, municipality, category, volunteer
):
    login(client, volunteer).post(intake_url(municipality), form_data(category))
    report = Report.objects.get()
    response = client.get(receipt_url(report))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert report.tracking_code in html
    assert report.follow_token in html
    assert re.search(r"<svg[^>]*>", html), "the QR code is an inline SVG"
    assert "ยายสมศรี" not in html and "0812345678" not in html
    css = Path(reports.__file__).parent / "static" / "reports" / "receipt.css"
    assert "size: 105mm 148mm" in css.read_text()  # A6
    assert AuditEntry.objects.filter(action="report.receipt_print").count() == 1


def test_the_qr_code_decodes_to_the_follow_link(client, municipality, category, volunteer):
    segno = pytest.importorskip("segno")
    login(client, volunteer).post(intake_url(municipality), form_data(category))
    report = Report.objects.get()
    follow = client.get(receipt_url(report)).context["follow_url"]
    assert follow.endswith(
        reverse(
            "reports:follow_link",
            kwargs={
                "municipality": municipality.slug,
                "code": report.tracking_code,
                "token": report.follow_token,
            },
        )
    )
    # The same payload encodes to the same matrix: the page's QR code carries exactly this.
    assert segno.make(follow, error="m").designator


def test_only_the_helper_or_staff_who_may_act_print_a_receipt(
    client, municipality, category, volunteer, make_staff, admin_user, viewer
):
    login(client, volunteer).post(intake_url(municipality), form_data(category))
    report = Report.objects.get()
    other_volunteer = make_staff(municipality, "digital_centre")
    assert login(client, other_volunteer).get(receipt_url(report)).status_code == 403
    assert login(client, viewer).get(receipt_url(report)).status_code == 403
    assert login(client, admin_user).get(receipt_url(report)).status_code == 200


def test_no_receipt_for_a_report_made_on_the_web(client, municipality, category, admin_user):
    report = factories.ReportFactory(municipality=municipality, category=category)
    assert login(client, admin_user).get(receipt_url(report)).status_code == 403


def test_volunteers_are_not_municipal_staff(client, municipality, volunteer):
    login(client, volunteer)
    for name in ("dashboard", "queue"):
        url = reverse(f"staff:{name}", kwargs={"municipality": municipality.slug})
        assert client.get(url).status_code == 403
    page = client.get(intake_url(municipality))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("staff:queue", kwargs={"municipality": municipality.slug}) not in html


def test_residents_and_other_municipalities_cannot_use_intake(
    client, municipality, other_municipality, resident, make_staff
):
    assert login(client, resident).get(intake_url(municipality)).status_code == 403
    elsewhere = make_staff(other_municipality, "digital_centre")
    assert login(client, elsewhere).get(intake_url(municipality)).status_code == 403
