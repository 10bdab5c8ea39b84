"""The suggestion on the staff report page, the category form, and the "Category models" and
label-mapping pages: what staff see and what their buttons do."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.insight.test_categoriser_services import (
    label_reports,
    new_report,
    no_site_wide_models,  # noqa: F401 - fixture
    site_wide_model,
    small_classifier,
    w,  # noqa: F401 - fixture
)
from thesaban.core.models import AuditEntry
from thesaban.insight import services
from thesaban.insight.access import access_suggestion
from thesaban.insight.models import CategoriserModel, CategoryLabel, CategorySuggestion
from thesaban.reports.models import ReportEvent


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def report_url(w, report, name="staff:report"):  # noqa: F811
    return reverse(name, kwargs={"municipality": w.municipality.slug, "code": report.tracking_code})


def decide_url(w, report):  # noqa: F811
    return report_url(w, report, "staff:insight:decide")


def insight_url(w, name, **kwargs):  # noqa: F811
    return reverse(f"staff:insight:{name}", kwargs={"municipality": w.municipality.slug, **kwargs})


# --- the panel ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_any_model_the_panel_says_suggestions_are_not_available(w):  # noqa: F811
    report = new_report(w, "road", "ถนนเป็นหลุม")
    with translation.override("en"):
        response = client_for(w.officer).get(report_url(w, report))
    assert response.status_code == 200
    assert b"Suggestion \xe2\x80\x94 a person decides" in response.content
    assert b"not available yet" in response.content


@pytest.mark.django_db
def test_the_panel_shows_the_suggestion_its_reasons_and_the_department(w):  # noqa: F811
    site_wide_model()
    report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    with translation.override("en"):
        response = client_for(w.officer).get(report_url(w, report))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Suggestion — a person decides" in page
    assert "Cleanliness and waste" in page and "probability" in page
    assert "Words that led to it" in page and "ขยะ" in page
    assert "Health" in page  # the suggested department
    assert "Change to “Cleanliness and waste”" in page and "Keep “Road”" in page
    # Made on demand for the page; the report itself is untouched.
    suggestion = access_suggestion(report=report)
    assert suggestion.is_pending and suggestion.category == w.categories["cleanliness"]
    report.refresh_from_db()
    assert report.category == w.categories["road"]


@pytest.mark.django_db
def test_the_triage_queue_notes_suggestions_that_differ_from_the_category(w):  # noqa: F811
    site_wide_model()
    misfiled = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    agreeing = new_report(w, "cleanliness", "ขยะล้นถังหน้าตลาด เหม็นมาก")
    for report in (misfiled, agreeing):
        services.suggestion_refresh(report=report)
    queue = reverse("staff:queue", kwargs={"municipality": w.municipality.slug})
    page = client_for(w.admin).get(queue).content.decode()  # every department's reports
    rows = {
        code: page[page.index(code) : page.index("</tr>", page.index(code))]
        for code in (misfiled.tracking_code, agreeing.tracking_code)
    }
    assert "Suggestion: Cleanliness and waste" in rows[misfiled.tracking_code]
    assert "a person decides" in rows[misfiled.tracking_code]
    assert "Suggestion:" not in rows[agreeing.tracking_code]
    # Once staff decide, the note goes away.
    services.suggestion_confirm(report=misfiled, actor=w.officer)
    assert "Suggestion:" not in client_for(w.admin).get(queue).content.decode()


@pytest.mark.django_db
def test_a_viewer_sees_the_suggestion_but_no_buttons(w):  # noqa: F811
    site_wide_model()
    report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    with translation.override("en"):
        page = client_for(w.viewer).get(report_url(w, report))
    assert b"Cleanliness and waste" in page.content
    assert b'value="accept"' not in page.content and b'value="confirm"' not in page.content
    assert client_for(w.viewer).post(decide_url(w, report), {"action": "accept"}).status_code == 403
    assert access_suggestion(report=report).is_pending


@pytest.mark.django_db
def test_confirm_records_the_decision_and_changes_nothing_else(w):  # noqa: F811
    site_wide_model()
    report = new_report(w, "lighting", "ไฟทางดับทั้งซอย หลอดไฟเสีย")
    client = client_for(w.officer)
    client.get(report_url(w, report))
    response = client.post(decide_url(w, report), {"action": "confirm"})
    assert response.status_code == 302 and response.url == report_url(w, report)
    suggestion = access_suggestion(report=report)
    assert suggestion.decision == CategorySuggestion.Decision.CONFIRMED
    assert suggestion.decided_by == w.officer
    report.refresh_from_db()
    assert report.category == w.categories["lighting"]
    assert not ReportEvent.objects.filter(report=report, kind="category").exists()
    assert AuditEntry.objects.filter(action="insight.suggestion_confirm", actor=w.officer)
    with translation.override("en"):
        page = client.get(report_url(w, report)).content.decode()
    assert "Staff confirmed this suggestion." in page


@pytest.mark.django_db
def test_accept_changes_the_category_with_an_internal_event(w):  # noqa: F811
    site_wide_model()
    report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    department = report.department_id
    client = client_for(w.admin)
    client.get(report_url(w, report))
    response = client.post(decide_url(w, report), {"action": "accept"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.category == w.categories["cleanliness"]
    assert report.department_id == department
    event = ReportEvent.objects.get(report=report, kind="category")
    assert event.is_public is False
    assert access_suggestion(report=report).decision == "confirmed"
    # The public page shows no internal event.
    public = Client().get(
        reverse("reports:detail", args=[w.municipality.slug, report.tracking_code])
    )
    assert public.status_code == 200
    with translation.override("en"):
        assert b"Category changed" not in public.content


@pytest.mark.django_db
def test_accept_with_reroute_moves_the_department(w):  # noqa: F811
    site_wide_model()
    report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    client = client_for(w.admin)
    client.get(report_url(w, report))
    client.post(decide_url(w, report), {"action": "accept", "reroute": "1"})
    report.refresh_from_db()
    assert report.department == w.departments["health"]


@pytest.mark.django_db
def test_the_category_form_of_the_report_page_corrects_the_suggestion(w):  # noqa: F811
    site_wide_model()
    report = new_report(w, "road", "ไฟทางดับทั้งซอย")
    client = client_for(w.admin)
    client.get(report_url(w, report))
    response = client.post(
        report_url(w, report, "staff:recategorise"),
        {"category": w.categories["cleanliness"].pk},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.category == w.categories["cleanliness"]
    suggestion = access_suggestion(report=report)
    assert suggestion.decision == "corrected"
    assert suggestion.final_category == w.categories["cleanliness"]
    # The same category again is refused on the form, not with a 500.
    again = client.post(
        report_url(w, report, "staff:recategorise"), {"category": w.categories["cleanliness"].pk}
    )
    assert again.status_code == 200 and b"errorlist" in again.content
    # The internal timeline names both categories, not their codes.
    page = client.get(report_url(w, report, "staff:report")).content.decode()
    road, cleanliness = w.categories["road"], w.categories["cleanliness"]
    assert f"{road.name_en} → {cleanliness.name_en}" in page


@pytest.mark.django_db
def test_a_viewer_cannot_change_the_category(w):  # noqa: F811
    report = new_report(w, "road", "ถนนเป็นหลุม")
    response = client_for(w.viewer).post(
        report_url(w, report, "staff:recategorise"), {"category": w.categories["lighting"].pk}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.category == w.categories["road"]


# --- the Category models page ---------------------------------------------------------------


@pytest.mark.django_db
def test_models_page_trains_shows_progress_and_activates(
    w,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    site_wide_model()
    label_reports(w, per_category=8)
    client = client_for(w.admin)
    with translation.override("en"):
        page = client.get(insight_url(w, "models"))
    assert page.status_code == 200 and b"Train a new model" in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(insight_url(w, "train"))
    assert response.status_code == 302
    model = CategoriserModel.objects.get(municipality=w.municipality)
    assert model.status == "ready" and model.progress == 100

    progress = json.loads(client.get(insight_url(w, "progress", version=1)).content)
    assert progress == {
        "version": 1,
        "status": "ready",
        "status_display": progress["status_display"],
        "progress": 100,
        "note": "ready",
        "running": False,
    }
    with translation.override("en"):
        page = client.get(insight_url(w, "models")).content.decode()
    assert "Activate version 1" in page
    assert "v1: accuracy" in page  # beside the site-wide model on the same reports

    assert client.post(insight_url(w, "activate", version=1)).status_code == 302
    model.refresh_from_db()
    assert model.is_active and model.activated_by == w.admin


@pytest.mark.django_db
def test_a_training_model_shows_a_progress_bar_and_refreshes(w):  # noqa: F811
    CategoriserModel.objects.create(
        municipality=w.municipality,
        version=1,
        source="confirmed_reports",
        status="training",
        progress=42,
    )
    page = client_for(w.viewer).get(insight_url(w, "models")).content.decode()
    assert '<progress id="progress-1" max="100" value="42">' in page
    assert '<meta http-equiv="refresh"' in page
    assert "Train a new model</button>" not in page  # viewers may look, not train


@pytest.mark.django_db
def test_officers_may_not_train_or_activate(w):  # noqa: F811
    label_reports(w, per_category=6)
    client = client_for(w.officer)
    assert client.get(insight_url(w, "models")).status_code == 200
    assert client.post(insight_url(w, "train")).status_code == 403
    assert client.post(insight_url(w, "activate", version=1)).status_code == 403
    assert not CategoriserModel.objects.exists()


@pytest.mark.django_db
def test_too_little_data_shows_a_message_instead_of_training(w):  # noqa: F811
    client = client_for(w.admin)
    with translation.override("en"):
        response = client.post(insight_url(w, "train"), follow=True)
    assert response.status_code == 200
    assert b"Confirm or correct the category of at least 10 more reports" in response.content
    assert not CategoriserModel.objects.exists()


@pytest.mark.django_db
def test_switch_back_to_an_earlier_version(w):  # noqa: F811
    for _ in range(2):
        services.categoriser_model_store(
            municipality=w.municipality,
            classifier=small_classifier(),
            source="confirmed_reports",
            metrics={"holdout": {"accuracy": 0.8, "macro_f1": 0.8, "n": 5}},
            activate=True,
        )
    client = client_for(w.admin)
    with translation.override("en"):
        page = client.get(insight_url(w, "models")).content.decode()
    assert "Switch back to version 1" in page
    client.post(insight_url(w, "activate", version=1))
    assert CategoriserModel.objects.get(is_active=True).version == 1
    client.post(insight_url(w, "use_site_wide"))
    assert not CategoriserModel.objects.filter(is_active=True).exists()


@pytest.mark.django_db
def test_the_label_page_maps_a_model_label_to_another_category(w):  # noqa: F811
    model = site_wide_model()
    client = client_for(w.admin)
    page = client.get(insight_url(w, "labels"))
    assert page.status_code == 200
    index = model.labels.index("lighting")
    data = {f"label_{i}": "" for i in range(len(model.labels))}
    data[f"label_{index}"] = str(w.categories["road"].pk)
    assert client.post(insight_url(w, "labels"), data).status_code == 302
    assert CategoryLabel.objects.get(label="lighting").category == w.categories["road"]
    # Officers see the mapping, read-only.
    officer = client_for(w.officer)
    assert officer.get(insight_url(w, "labels")).status_code == 200
    assert officer.post(insight_url(w, "labels"), data).status_code == 403
