"""The category suggester's services: training from confirmed reports, versions and
activation, suggestions that never change a report, label mapping, tenant isolation.

The helpers at the top are shared by the other test_categoriser_* files and test_cli.py: a
small constructed Thai dataset (three categories), and a site-wide model trained on it once
per session."""

from __future__ import annotations

import itertools
from datetime import timedelta
from functools import lru_cache
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from tests import factories
from thesaban.core.models import AuditEntry
from thesaban.insight import selectors, services
from thesaban.insight.access import access_categoriser_model, access_suggestion
from thesaban.insight.data import Example
from thesaban.insight.models import CategoriserModel, CategoryLabel, CategorySuggestion
from thesaban.reports import services as report_services
from thesaban.reports.models import Report, ReportEvent
from thesaban.reports.workflow import Status

PHRASES = {
    "road": [
        "ถนนเป็นหลุมเป็นบ่อ",
        "ถนนทรุดตัวเป็นแอ่ง",
        "ยางมะตอยแตกร่อน",
        "หลุมบนถนนลึกมาก รถล้ม",
        "ผิวถนนขรุขระพัง",
        "ถนนชำรุดเป็นหลุมใหญ่",
        "หลุมกลางถนนอันตราย",
        "ถนนลูกรังเป็นหลุม",
        "ถนนแตกเป็นร่อง",
        "ถนนคอนกรีตพังเป็นหลุม",
    ],
    "lighting": [
        "ไฟฟ้าส่องสว่างดับ",
        "เสาไฟไม่ติดมืดมาก",
        "หลอดไฟถนนเสีย",
        "ไฟทางดับทั้งซอย",
        "ไฟกิ่งไม่สว่างตอนกลางคืน",
        "โคมไฟถนนกะพริบ",
        "ไฟดับมืดน่ากลัว",
        "หลอดไฟขาดหลายดวง",
        "ไฟส่องสว่างไม่ติดสามเสา",
        "ไฟถนนดับเปลี่ยนหลอดด้วย",
    ],
    "cleanliness": [
        "ขยะล้นถัง",
        "ไม่มีคนมาเก็บขยะ",
        "กลิ่นขยะเหม็นมาก",
        "มีคนทิ้งขยะริมทาง",
        "ถังขยะเต็มล้น",
        "กองขยะส่งกลิ่นเหม็น",
        "ขยะเกลื่อนกลาด",
        "เก็บขยะไม่ตรงเวลา",
        "ขยะกองโตมีแมลงวัน",
        "ถุงขยะถูกสุนัขคุ้ย",
    ],
}
PLACES = ["ซอยวัดกลาง", "หน้าตลาดสด", "หมู่ 3", "ข้างโรงเรียน", "ชุมชนริมคลอง"]
ENDINGS = ["ครับ", "ค่ะ", "ช่วยด้วย", "รบกวนด้วยค่ะ", ""]
NAMES = {
    "road": ("ถนน", "Road", "🛣️"),
    "lighting": ("แสงสว่าง", "Street lighting", "💡"),
    "cleanliness": ("ความสะอาด", "Cleanliness and waste", "🗑️"),
}


def thai_texts(code: str, count: int, *, offset: int = 0) -> list[str]:
    phrases = PHRASES[code]
    return [
        f"{phrases[(i + offset) % len(phrases)]} {PLACES[(i + 2 * offset) % len(PLACES)]} "
        f"{ENDINGS[(i + offset) % len(ENDINGS)]}".strip()
        for i in range(count)
    ]


def examples(per_category: int = 10) -> list[Example]:
    """Interleaved by category, so a time-ordered holdout holds all three."""
    start = timezone.now() - timedelta(days=60)
    rows = []
    texts = {code: thai_texts(code, per_category) for code in PHRASES}
    for index, (i, code) in enumerate(itertools.product(range(per_category), PHRASES)):
        rows.append(Example(texts[code][i], (code,), start + timedelta(hours=index)))
    return rows


@lru_cache(maxsize=1)
def _small_model_bytes() -> bytes:
    from thesaban.insight.classifier import train

    return train(examples(10), seed=7).to_bytes()


def small_classifier():
    from thesaban.insight.classifier import Classifier

    return Classifier.from_bytes(_small_model_bytes())


def site_wide_model(*, source=CategoriserModel.Source.SHIPPED) -> CategoriserModel:
    return services.categoriser_model_store(
        municipality=None,
        classifier=small_classifier(),
        source=source,
        metrics={"holdout": {"accuracy": 1.0, "macro_f1": 1.0, "n": 6}},
        activate=True,
    )


def world(municipality, make_staff) -> SimpleNamespace:
    """Three categories of this municipality, each with its department, and its staff."""
    departments = {
        "engineering": factories.DepartmentFactory(
            municipality=municipality, code="engineering", name_th="กองช่าง", name_en="Works"
        ),
        "health": factories.DepartmentFactory(
            municipality=municipality, code="health", name_th="กองสาธารณสุข", name_en="Health"
        ),
    }
    categories = {}
    for code, (name_th, name_en, icon) in NAMES.items():
        categories[code] = factories.CategoryFactory(
            municipality=municipality,
            code=code,
            name_th=name_th,
            name_en=name_en,
            icon=icon,
            department=departments["health" if code == "cleanliness" else "engineering"],
        )
    return SimpleNamespace(
        municipality=municipality,
        categories=categories,
        departments=departments,
        admin=make_staff(municipality, "administrator"),
        officer=make_staff(municipality, "officer", departments["engineering"]),
        viewer=make_staff(municipality, "viewer"),
    )


def new_report(w, code: str, text: str, *, when=None):
    return report_services.report_create(
        municipality=w.municipality,
        category=w.categories[code],
        description=text,
        address="หน้าตลาด",
        submitted_at=when,
    )


def label_reports(w, per_category: int = 8, *, offset: int = 0) -> list:
    """Reports whose category staff settled: even ones confirmed on their suggestion, odd
    ones filed under another category and corrected (a CATEGORY event)."""
    start = timezone.now() - timedelta(days=30)
    reports = []
    texts = {code: thai_texts(code, per_category, offset=offset) for code in PHRASES}
    codes = list(PHRASES)
    for index, (i, code) in enumerate(itertools.product(range(per_category), codes)):
        when = start + timedelta(hours=index)
        if index % 2:
            wrong = codes[(codes.index(code) + 1) % len(codes)]
            report = new_report(w, wrong, texts[code][i], when=when)
            report = report_services.report_recategorise(
                report=report, actor=w.admin, category=w.categories[code]
            )
        else:
            report = new_report(w, code, texts[code][i], when=when)
            CategorySuggestion.objects.create(
                municipality=w.municipality,
                report=report,
                label=code,
                category=w.categories[code],
                probability=0.9,
                decision=CategorySuggestion.Decision.CONFIRMED,
                final_category=w.categories[code],
            )
        reports.append(report)
    return reports


@pytest.fixture(autouse=True)
def no_site_wide_models(db):
    """Start without site-wide models, whatever an earlier module committed (the demo
    builds the shipped default); the test's transaction brings them back afterwards."""
    CategoriserModel.objects.filter(municipality__isnull=True).delete()


@pytest.fixture
def w(municipality, make_staff):
    return world(municipality, make_staff)


@pytest.fixture
def w2(other_municipality, make_staff):
    return world(other_municipality, make_staff)


def train_now(w, django_capture_on_commit_callbacks) -> CategoriserModel:
    with django_capture_on_commit_callbacks(execute=True):
        model = services.categoriser_train_request(municipality=w.municipality, actor=w.admin)
    model.refresh_from_db()
    return model


# --- training -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_training_data_are_the_reports_whose_category_staff_settled(w, w2):
    labelled = label_reports(w, per_category=2)
    new_report(w, "road", "ถนนเป็นหลุม ยังไม่มีใครดู")  # not settled: not training data
    label_reports(w2, per_category=2)  # another municipality's: never mixed in
    # Staff resolved it under its category: that settles the category too.
    resolved = new_report(w, "lighting", "ไฟถนนดับทั้งซอย ซ่อมแล้ว")
    Report.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED)
    rejected = new_report(w, "lighting", "ข้อความทดสอบ")
    Report.objects.filter(pk=rejected.pk).update(status=Status.REJECTED)
    labelled.append(resolved)

    found = selectors.training_examples(municipality=w.municipality)

    assert [e.text for e in found] == [r.description for r in labelled]
    assert [e.labels for e in found] == [(r.category.code,) for r in labelled]
    assert all(e.when is not None for e in found)


@pytest.mark.django_db
def test_too_little_data_is_refused_with_how_much_more_is_needed(w):
    label_reports(w, per_category=3)  # three categories with 3 each: 2 + 2 missing
    with pytest.raises(ValidationError) as refused:
        services.categoriser_train_request(municipality=w.municipality, actor=w.admin)
    from django.utils import translation

    with translation.override("en"):
        message = services.readiness_message(
            selectors.training_readiness(selectors.training_examples(municipality=w.municipality))
        )
    assert "at least 4 more reports" in message
    assert refused.value.messages
    assert not CategoriserModel.objects.exists()


@pytest.mark.django_db
def test_only_an_administrator_may_train(w):
    label_reports(w)
    for person in (w.officer, w.viewer):
        with pytest.raises(PermissionDenied):
            services.categoriser_train_request(municipality=w.municipality, actor=person)


@pytest.mark.django_db
def test_training_runs_in_a_task_with_progress_to_100_and_stores_a_ready_model(
    w, django_capture_on_commit_callbacks, monkeypatch
):
    label_reports(w, per_category=8)
    seen: list[int] = []
    write = services._write_progress

    def recording(model_id):
        inner = write(model_id)

        def record(percent, note):
            seen.append(percent)
            inner(percent, note)

        return record

    monkeypatch.setattr(services, "_write_progress", recording)

    model = train_now(w, django_capture_on_commit_callbacks)

    assert model.status == CategoriserModel.Status.READY, model.error
    assert model.progress == 100 and model.version == 1 and not model.is_active
    assert seen == sorted(seen) and seen[0] < 50  # moved forward stage by stage
    assert model.artifact and model.n_examples == 24
    assert set(model.labels) == {"road", "lighting", "cleanliness"}
    assert len(model.data_fingerprint) == 64 and model.algorithm_version
    holdout = model.holdout
    assert holdout["n"] == 5  # the latest fifth of 24 reports
    assert 0 <= holdout["accuracy"] <= 1 and 0 <= holdout["macro_f1"] <= 1
    assert model.metrics["baseline"] is None  # no model served when it was trained
    assert AuditEntry.objects.filter(action="insight.model_train", actor=w.admin).exists()


@pytest.mark.django_db
def test_a_new_model_is_compared_with_the_one_in_use_on_the_same_reports(
    w, django_capture_on_commit_callbacks
):
    shipped = site_wide_model()
    label_reports(w, per_category=8)
    model = train_now(w, django_capture_on_commit_callbacks)
    assert model.metrics["baseline_model"] == {
        "id": shipped.pk,
        "version": shipped.version,
        "site_wide": True,
    }
    assert model.baseline["n"] == model.holdout["n"] == 5
    # The small site-wide model learnt these very phrases: it gets the test reports right.
    assert model.baseline["accuracy"] >= 0.8


@pytest.mark.django_db
def test_a_failed_training_says_why(w, django_capture_on_commit_callbacks, monkeypatch):
    label_reports(w, per_category=6)

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr("thesaban.insight.classifier.train", broken)
    model = train_now(w, django_capture_on_commit_callbacks)
    assert model.status == CategoriserModel.Status.FAILED
    assert "out of memory" in model.error
    with pytest.raises(ValidationError):
        services.categoriser_model_activate(model=model, actor=w.admin)


@pytest.mark.django_db
def test_one_training_at_a_time(w):
    label_reports(w, per_category=6)
    services.categoriser_train_request(municipality=w.municipality, actor=w.admin)  # queued
    with pytest.raises(ValidationError):
        services.categoriser_train_request(municipality=w.municipality, actor=w.admin)


# --- versions and activation ----------------------------------------------------------------


def _stored(w, **kwargs) -> CategoriserModel:
    return services.categoriser_model_store(
        municipality=w.municipality,
        classifier=small_classifier(),
        source=CategoriserModel.Source.CONFIRMED_REPORTS,
        metrics={"holdout": {"accuracy": 0.9, "macro_f1": 0.9, "n": 5}},
        **kwargs,
    )


@pytest.mark.django_db
def test_activation_and_switching_back_keep_one_active_model_per_scope(w, w2):
    shipped = site_wide_model()
    first, second = _stored(w), _stored(w)
    other = services.categoriser_model_store(
        municipality=w2.municipality,
        classifier=small_classifier(),
        source=CategoriserModel.Source.CSV,
        metrics={"holdout": {"accuracy": 0.5, "macro_f1": 0.5, "n": 5}},
        activate=True,
    )
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert selectors.serving_model(w.municipality) == shipped  # stored, not yet used

    services.categoriser_model_activate(model=second, actor=w.admin)
    assert selectors.serving_model(w.municipality) == second
    services.categoriser_model_activate(model=first, actor=w.admin)  # switch back
    assert selectors.serving_model(w.municipality) == first

    active = CategoriserModel.objects.filter(is_active=True)
    assert {(m.municipality_id, m.version) for m in active} == {
        (None, shipped.version),
        (w.municipality.pk, 1),
        (w2.municipality.pk, 1),
    }
    assert selectors.serving_model(w2.municipality) == other
    actions = (
        AuditEntry.objects.filter(action="insight.model_activate", municipality=w.municipality)
        .order_by("pk")
        .values_list("data", flat=True)
    )
    assert [(d["version"], d["previous"]) for d in actions] == [(2, None), (1, 2)]

    services.categoriser_use_site_wide(municipality=w.municipality, actor=w.admin)
    assert selectors.serving_model(w.municipality) == shipped


@pytest.mark.django_db
def test_only_administrators_activate_and_only_evaluated_ready_models(w):
    model = _stored(w)
    with pytest.raises(PermissionDenied):
        services.categoriser_model_activate(model=model, actor=w.officer)
    queued = CategoriserModel.objects.create(
        municipality=w.municipality, version=9, source="confirmed_reports"
    )
    with pytest.raises(ValidationError):
        services.categoriser_model_activate(model=queued, actor=w.admin)
    unevaluated = services.categoriser_model_store(
        municipality=w.municipality, classifier=small_classifier(), source="csv"
    )
    with pytest.raises(ValidationError):
        services.categoriser_model_activate(model=unevaluated, actor=w.admin)


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_model_of_a_municipality(w):
    _stored(w, activate=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoriserModel.objects.create(
            municipality=w.municipality,
            version=5,
            source="csv",
            status="ready",
            is_active=True,
        )


@pytest.mark.django_db
def test_models_and_suggestions_of_another_municipality_are_out_of_reach(w, w2):
    site_wide_model()
    model = _stored(w)
    report = new_report(w2, "road", "ถนนเป็นหลุม")
    services.suggestion_refresh(report=report)
    assert access_categoriser_model(municipality=w.municipality, version=1) == model
    with pytest.raises(Http404):
        access_categoriser_model(municipality=w2.municipality, version=2)
    assert list(selectors.model_list(w2.municipality)) == []
    mine = new_report(w, "road", "ถนนเป็นหลุม")
    assert access_suggestion(report=mine) is None
    assert access_suggestion(report=report).municipality_id == w2.municipality.pk
    assert selectors.suggestion_stats(municipality=w.municipality)["pending"] == 0


# --- suggestions --------------------------------------------------------------------------


@pytest.mark.django_db
def test_no_model_means_no_suggestion_and_no_error(w):
    report = new_report(w, "road", "ถนนเป็นหลุม")
    assert services.suggestion_refresh(report=report) is None


@pytest.mark.django_db
def test_a_suggestion_explains_itself_and_never_changes_the_report(w):
    site_wide_model()
    report = new_report(w, "cleanliness", "ไฟทางดับทั้งซอย มืดมาก หลอดไฟเสีย")
    before = (report.category_id, report.department_id, report.sla_due_at, report.status)

    suggestion = services.suggestion_refresh(report=report)

    assert suggestion.category == w.categories["lighting"]
    assert suggestion.department == w.departments["engineering"]
    assert 0.34 < suggestion.probability <= 1
    assert [entry["code"] for entry in suggestion.top][0] == "lighting"
    assert len(suggestion.top) == 3 and suggestion.top[0]["name_en"] == "Street lighting"
    assert any(word in {"ไฟ", "ดับ", "หลอด", "หลอดไฟ", "ไฟทาง"} for word, _w in suggestion.reasons)
    assert suggestion.decision == CategorySuggestion.Decision.PENDING
    report.refresh_from_db()
    assert (report.category_id, report.department_id, report.sla_due_at, report.status) == before
    assert not ReportEvent.objects.filter(report=report, kind=ReportEvent.Kind.CATEGORY).exists()


@pytest.mark.django_db
def test_a_new_report_gets_its_suggestion_after_commit(w, django_capture_on_commit_callbacks):
    site_wide_model()
    with django_capture_on_commit_callbacks(execute=True):
        report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    suggestion = access_suggestion(report=report)
    assert suggestion is not None and suggestion.category == w.categories["cleanliness"]
    assert report.category == w.categories["road"]  # unchanged until a person decides


@pytest.mark.django_db
def test_a_broken_model_never_breaks_reporting(w, django_capture_on_commit_callbacks, monkeypatch):
    site_wide_model()

    def broken(**kwargs):
        raise RuntimeError("model file corrupt")

    monkeypatch.setattr(services, "suggestion_refresh", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = new_report(w, "road", "ถนนเป็นหลุม")
    assert report.pk and access_suggestion(report=report) is None


@pytest.mark.django_db
def test_accepting_the_suggestion_changes_the_category_through_reports(w):
    site_wide_model()
    report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    due, department = report.sla_due_at, report.department_id
    services.suggestion_refresh(report=report)

    report = services.suggestion_accept(report=report, actor=w.officer)

    assert report.category == w.categories["cleanliness"]
    assert report.department_id == department and report.sla_due_at == due  # not rerouted
    event = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.CATEGORY)
    assert not event.is_public and event.actor == w.officer
    assert event.data["from"] == "road" and event.data["to"] == "cleanliness"
    suggestion = access_suggestion(report=report)
    assert suggestion.decision == CategorySuggestion.Decision.CONFIRMED
    assert suggestion.final_category == w.categories["cleanliness"]
    assert suggestion.decided_by == w.officer
    assert AuditEntry.objects.filter(action="report.recategorise", target_id=str(report.pk))


@pytest.mark.django_db
def test_accepting_with_reroute_sends_it_to_the_suggested_department(w):
    site_wide_model()
    report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    services.suggestion_refresh(report=report)
    report = services.suggestion_accept(report=report, actor=w.admin, reroute=True)
    assert report.department == w.departments["health"]


@pytest.mark.django_db
def test_confirming_keeps_the_category_and_records_a_correction_when_it_differs(w):
    site_wide_model()
    report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    services.suggestion_refresh(report=report)
    suggestion = services.suggestion_confirm(report=report, actor=w.admin)
    report.refresh_from_db()
    assert report.category == w.categories["road"]
    assert suggestion.decision == CategorySuggestion.Decision.CORRECTED
    assert suggestion.final_category == w.categories["road"]
    assert AuditEntry.objects.filter(action="insight.suggestion_confirm").count() == 1
    with pytest.raises(PermissionDenied):
        services.suggestion_confirm(report=report, actor=w.viewer)


@pytest.mark.django_db
def test_any_category_change_by_staff_settles_the_suggestion(w):
    site_wide_model()
    report = new_report(w, "road", "ไฟทางดับทั้งซอย")
    services.suggestion_refresh(report=report)
    report_services.report_recategorise(
        report=report, actor=w.admin, category=w.categories["cleanliness"]
    )
    suggestion = access_suggestion(report=report)
    assert suggestion.decision == CategorySuggestion.Decision.CORRECTED
    assert suggestion.final_category == w.categories["cleanliness"]
    # A decided suggestion is kept as decided, even when asked again.
    assert services.suggestion_refresh(report=report).decision == "corrected"


@pytest.mark.django_db
def test_recategorise_refuses_other_municipalities_and_no_change(w, w2):
    report = new_report(w, "road", "ถนนเป็นหลุม")
    with pytest.raises(ValidationError):
        report_services.report_recategorise(
            report=report, actor=w.admin, category=w2.categories["lighting"]
        )
    with pytest.raises(ValidationError):
        report_services.report_recategorise(
            report=report, actor=w.admin, category=w.categories["road"]
        )
    with pytest.raises(PermissionDenied):
        report_services.report_recategorise(
            report=report, actor=w.viewer, category=w.categories["lighting"]
        )


# --- label mapping ------------------------------------------------------------------------


@pytest.mark.django_db
def test_labels_map_by_code_name_alias_or_override(municipality, make_staff):
    admin = make_staff(municipality, "administrator")
    roads = factories.CategoryFactory(municipality=municipality, code="roads-1", name_th="ถนน")
    lamps = factories.CategoryFactory(
        municipality=municipality, code="lamps", name_th="ไฟสาธารณะ", name_en="Street lighting"
    )
    waste = factories.CategoryFactory(
        municipality=municipality, code="waste", name_th="ขยะ", name_en="Rubbish"
    )
    mapping = selectors.label_categories(
        municipality=municipality, labels=["road", "lighting", "cleanliness", "unknown"]
    )
    assert mapping["road"] == roads  # the default category's Thai name
    assert mapping["lighting"] == lamps  # the English name
    assert mapping["unknown"] is None

    changed = services.category_labels_save(
        municipality=municipality, actor=admin, mapping={"cleanliness": waste}
    )
    assert changed == 1
    assert selectors.label_categories(municipality=municipality, labels=["cleanliness"]) == {
        "cleanliness": waste
    }
    services.category_labels_save(
        municipality=municipality, actor=admin, mapping={"cleanliness": None}
    )
    assert not CategoryLabel.objects.exists()
    assert AuditEntry.objects.filter(action="insight.labels_save").count() == 2


@pytest.mark.django_db
def test_an_override_changes_what_a_suggestion_means(w):
    site_wide_model()
    services.category_labels_save(
        municipality=w.municipality, actor=w.admin, mapping={"lighting": w.categories["road"]}
    )
    report = new_report(w, "cleanliness", "ไฟทางดับทั้งซอย หลอดไฟเสีย")
    suggestion = services.suggestion_refresh(report=report)
    assert suggestion.label == "lighting" and suggestion.category == w.categories["road"]
