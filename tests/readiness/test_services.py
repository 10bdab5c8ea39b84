"""Assessments, versioning, evidence, the survey and networks, through the services."""

import copy
from collections import Counter
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from tests import factories
from tests.conftest import image_bytes
from tests.readiness.conftest import PERIOD, answer_all, at, report
from thesaban.core.models import AuditEntry
from thesaban.readiness import instrument, selectors, services
from thesaban.readiness.models import (
    Answer,
    Assessment,
    IndicatorSet,
    SurveyInvitation,
    SurveyResponse,
)

# --------------------------------------------------------------------------- versioning


def test_indicator_files_load_once(db):
    services.indicator_set_load_files()
    count = IndicatorSet.objects.count()
    assert services.indicator_set_load_files() == []
    assert IndicatorSet.objects.count() == count >= 1
    loaded = IndicatorSet.objects.get(source="v1.json")
    assert loaded.checksum == instrument.checksum(instrument.definition_files()[0][1])


def test_a_new_version_never_changes_old_scores(municipality, admin_user, assessment):
    answer_all(assessment, admin_user, level=3)
    completed = services.assessment_complete(assessment=assessment, actor=admin_user)
    before = (completed.scores, completed.dmi_score, completed.indicator_set_id)

    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    data = copy.deepcopy(assessment.indicator_set.definition)
    for indicator in data["indicators"]:
        indicator["weight"] = 5 if indicator["dimension"] == "culture" else 1
    data["indicators"] = data["indicators"][:-3]  # drop three indicators
    version2 = services.indicator_set_publish(definition=data, actor=superuser)
    assert version2.version == assessment.indicator_set.version + 1
    assert selectors.indicator_set_current() == version2

    completed.refresh_from_db()
    assert (completed.scores, completed.dmi_score, completed.indicator_set_id) == before
    report_ = selectors.assessment_report(completed)
    assert len(report_.rows) == len(
        instrument.parse_definition(completed.indicator_set.definition).indicators
    )
    # A new assessment uses the new version.
    new = services.assessment_start(
        municipality=municipality,
        actor=admin_user,
        title="ใหม่",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
    )
    assert new.indicator_set == version2
    assert Answer.objects.filter(assessment=new).count() == len(data["indicators"])


def test_only_platform_administrators_publish_versions(municipality, admin_user, indicator_set):
    with pytest.raises(PermissionDenied):
        services.indicator_set_publish(definition=indicator_set.definition, actor=admin_user)
    with pytest.raises(ValidationError):
        services.indicator_set_publish(definition={"indicators": []}, actor=None)


# --------------------------------------------------------------------------- assessments


def test_assessment_flow_scores_and_audit(municipality, admin_user, assessment, category):
    report(municipality, category, submitted=at(date(2025, 3, 1)), channel="web")
    assert Answer.objects.filter(assessment=assessment).count() == len(
        selectors.definition_of(assessment).indicators
    )
    answer_all(assessment, admin_user, level={"gov.dto": 4, "cul.digital_literacy": 0})
    completed = services.assessment_complete(assessment=assessment, actor=admin_user)
    assert completed.status == Assessment.Status.COMPLETED
    assert completed.scores["indicators"]["gov.dto"] == 100
    assert completed.scores["indicators"]["live.digital_share"] == 100  # 1 of 1 digital
    share = Answer.objects.get(assessment=completed, indicator_code="live.digital_share")
    assert share.level == 4 and share.measurement["numerator"] == 1
    assert share.measurement["formula_th"] and share.measurement["formula_en"]
    # Live indicators nobody provides yet have no score and no level.
    missing = Answer.objects.get(assessment=completed, indicator_code="live.ledger_records")
    assert missing.level is None
    assert completed.dmi_score == completed.scores["dmi"] is not None
    assert completed.maturity == completed.scores["maturity"]
    actions = set(
        AuditEntry.objects.filter(municipality=municipality).values_list("action", flat=True)
    )
    assert {
        "readiness.assessment_start",
        "readiness.answer_save",
        "readiness.assessment_complete",
    } <= actions


def test_completing_needs_every_self_assessed_answer(admin_user, assessment):
    services.assessment_answer_save(
        assessment=assessment, actor=admin_user, indicator_code="gov.dto", level=2
    )
    with pytest.raises(ValidationError) as error:
        services.assessment_complete(assessment=assessment, actor=admin_user)
    assert (
        "Missing" in error.value.messages[0]
        or "ยังไม่" in error.value.messages[0]
        or ":" in error.value.messages[0]
    )
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.DRAFT


def test_a_completed_assessment_is_frozen(admin_user, assessment):
    answer_all(assessment, admin_user)
    services.assessment_complete(assessment=assessment, actor=admin_user)
    with pytest.raises(ValidationError):
        services.assessment_answer_save(
            assessment=assessment, actor=admin_user, indicator_code="gov.dto", level=4
        )
    with pytest.raises(ValidationError):
        services.assessment_complete(assessment=assessment, actor=admin_user)


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_administrators_write(municipality, assessment, make_staff, role, department):
    user = make_staff(municipality, role, department if role == "officer" else None)
    with pytest.raises(PermissionDenied):
        services.assessment_answer_save(
            assessment=assessment, actor=user, indicator_code="gov.dto", level=1
        )
    with pytest.raises(PermissionDenied):
        services.assessment_start(
            municipality=municipality,
            actor=user,
            title="x",
            period_start=PERIOD[0],
            period_end=PERIOD[1],
        )
    with pytest.raises(PermissionDenied):
        services.publication_set(municipality=municipality, actor=user, results_public=True)


def test_administrator_of_another_municipality_cannot_write(
    other_municipality, make_staff, assessment
):
    outsider = make_staff(other_municipality, "administrator")
    with pytest.raises(PermissionDenied):
        services.assessment_answer_save(
            assessment=assessment, actor=outsider, indicator_code="gov.dto", level=1
        )


def test_live_indicators_cannot_be_chosen_and_levels_are_bounded(admin_user, assessment):
    with pytest.raises(ValidationError):
        services.assessment_answer_save(
            assessment=assessment, actor=admin_user, indicator_code="live.sla_compliance", level=4
        )
    with pytest.raises(ValidationError):
        services.assessment_answer_save(
            assessment=assessment, actor=admin_user, indicator_code="gov.dto", level=7
        )
    with pytest.raises(ValidationError):
        services.assessment_answer_save(
            assessment=assessment, actor=admin_user, indicator_code="no.such", level=1
        )


def test_period_is_checked(municipality, admin_user, indicator_set):
    with pytest.raises(ValidationError):
        services.assessment_start(
            municipality=municipality,
            actor=admin_user,
            title="x",
            period_start=date(2025, 2, 1),
            period_end=date(2025, 1, 1),
        )


# --------------------------------------------------------------------------- evidence


def _upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_evidence_files_are_kept_with_their_true_type(admin_user, assessment):
    answer = services.assessment_answer_save(
        assessment=assessment,
        actor=admin_user,
        indicator_code="gov.dto",
        level=3,
        evidence_text="คำสั่งแต่งตั้ง DTO",
        evidence_link="https://example.go.th/dto",
        files=[_upload("คำสั่ง.pdf", b"%PDF-1.7 order"), _upload("photo.png", image_bytes("PNG"))],
    )
    stored = {f.name: f for f in answer.files.all()}
    assert stored["คำสั่ง.pdf"].content_type == "application/pdf"
    assert stored["photo.png"].content_type == "image/png"
    assert bytes(stored["คำสั่ง.pdf"].content) == b"%PDF-1.7 order"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf"),
        ("page.html", b"<script>alert(1)</script>"),
        ("photo.jpg", image_bytes("PNG")),  # a PNG named .jpg
        ("binary.txt", b"\x00\x01\x02"),
        ("empty.pdf", b""),
        ("report.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_evidence_of_the_wrong_type_is_refused(admin_user, assessment, name, content):
    with pytest.raises(ValidationError):
        services.assessment_answer_save(
            assessment=assessment,
            actor=admin_user,
            indicator_code="gov.dto",
            level=1,
            files=[_upload(name, content)],
        )
    assert not Answer.objects.get(assessment=assessment, indicator_code="gov.dto").files.exists()


def test_evidence_size_and_count_are_limited(admin_user, assessment):
    from thesaban.readiness import evidence

    with pytest.raises(ValidationError):
        services.assessment_answer_save(
            assessment=assessment,
            actor=admin_user,
            indicator_code="gov.dto",
            level=1,
            files=[_upload("big.pdf", b"%PDF-" + b"0" * evidence.MAX_BYTES)],
        )
    for n in range(evidence.MAX_FILES_PER_ANSWER):
        services.assessment_answer_save(
            assessment=assessment,
            actor=admin_user,
            indicator_code="gov.dto",
            level=1,
            files=[_upload(f"{n}.txt", f"หลักฐาน {n}".encode())],
        )
    with pytest.raises(ValidationError):
        services.assessment_answer_save(
            assessment=assessment,
            actor=admin_user,
            indicator_code="gov.dto",
            level=1,
            files=[_upload("one-more.txt", b"more")],
        )


def test_office_documents_are_recognised(admin_user, assessment):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    answer = services.assessment_answer_save(
        assessment=assessment,
        actor=admin_user,
        indicator_code="gov.dto",
        level=1,
        files=[_upload("plan.docx", buffer.getvalue())],
    )
    assert answer.files.get().content_type.endswith("wordprocessingml.document")


def test_answers_save_all_or_nothing(admin_user, assessment):
    with pytest.raises(ValidationError) as error:
        services.assessment_answers_save(
            assessment=assessment,
            actor=admin_user,
            answers=[
                {"indicator_code": "gov.dto", "level": 3},
                {
                    "indicator_code": "gov.partnerships",
                    "level": 2,
                    "files": [_upload("x.exe", b"MZ")],
                },
            ],
        )
    assert set(error.value.error_dict) == {"gov.partnerships"}
    assert Answer.objects.get(assessment=assessment, indicator_code="gov.dto").level is None


# --------------------------------------------------------------------------- survey


def test_stratified_sample_is_proportional_and_repeatable():
    frame = {
        "a": list(range(0, 60)),
        "b": list(range(100, 130)),
        "c": list(range(200, 210)),
        "": [300],
    }
    first = services.stratified_sample(frame, 20, seed=42)
    assert {k: len(v) for k, v in first.items()} == {"a": 12, "b": 6, "c": 2, "": 0}
    assert services.stratified_sample(frame, 20, seed=42) == first
    assert services.stratified_sample(frame, 20, seed=43) != first
    assert all(set(first[k]) <= set(frame[k]) for k in frame)
    everyone = services.stratified_sample(frame, 1000, seed=1)
    assert sum(len(v) for v in everyone.values()) == 101
    # Largest remainders: 7 of 101 → a 4.16, b 2.08, c 0.69, "" 0.07.
    assert {k: len(v) for k, v in services.stratified_sample(frame, 7, seed=1).items()} == {
        "a": 4,
        "b": 2,
        "c": 1,
        "": 0,
    }


def test_frequencies_of_the_draw_are_fair():
    frame = {"x": list(range(10))}
    counts = Counter()
    for seed in range(2000):
        counts.update(services.stratified_sample(frame, 3, seed=seed)["x"])
    # Each member is drawn 600 times on average (3/10 of 2000); allow sampling noise.
    assert all(520 < n < 680 for n in counts.values()), counts


@pytest.fixture
def survey(municipality, admin_user, category, indicator_set):
    residents = [factories.UserFactory() for _ in range(4)]
    community = factories.CommunityFactory(municipality=municipality, code="market")
    for index, user in enumerate(residents):
        report(
            municipality,
            category,
            submitted=at(date(2025, 3, 1 + index)),
            reporter=user,
            community=community if index % 2 else None,
        )
    survey_round = services.survey_round_start(
        municipality=municipality,
        actor=admin_user,
        title="รอบที่ 1",
        opens_on=date(2025, 6, 1),
        closes_on=date(2025, 6, 30),
        sample_size=2,
        seed=3,
    )
    return survey_round, residents


ANSWERS = {
    "trust": 4,
    "transparency": 3,
    "satisfaction": 4,
    "responsiveness": 5,
    "social_capital": 2,
}


def test_round_invites_a_stratified_sample(survey, admin_user):
    survey_round, residents = survey
    invited = list(SurveyInvitation.objects.filter(round=survey_round))
    assert len(invited) == 2 and survey_round.frame_size == 4
    # Two strata of two residents: one invited from each.
    assert sorted(s["invited"] for s in survey_round.strata) == [1, 1]
    assert {i.community_id is None for i in invited} == {True, False}
    # The municipality's staff are never in the frame.
    assert admin_user.pk not in {i.user_id for i in invited}


def test_one_response_per_resident_per_round(survey):
    survey_round, _residents = survey
    invitation = SurveyInvitation.objects.filter(round=survey_round).first()
    user = invitation.user
    first = services.survey_response_submit(
        survey_round=survey_round, user=user, answers=ANSWERS, now=at(date(2025, 6, 2))
    )
    # The same answers again (a retried submission) return the first response...
    again = services.survey_response_submit(
        survey_round=survey_round, user=user, answers=ANSWERS, now=at(date(2025, 6, 2))
    )
    assert again.pk == first.pk
    # ...different ones are refused...
    with pytest.raises(ValidationError):
        services.survey_response_submit(
            survey_round=survey_round,
            user=user,
            answers={**ANSWERS, "trust": 1},
            now=at(date(2025, 6, 3)),
        )
    # ...and the database itself refuses a second row.
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(
            municipality=survey_round.municipality,
            round=survey_round,
            respondent=user,
            answers=ANSWERS,
            submitted_at=at(date(2025, 6, 3)),
        )
    assert SurveyResponse.objects.filter(round=survey_round).count() == 1


def test_only_invited_residents_answer_while_the_round_is_open(survey):
    survey_round, residents = survey
    invited = set(
        SurveyInvitation.objects.filter(round=survey_round).values_list("user_id", flat=True)
    )
    outsider = next(r for r in residents if r.pk not in invited)
    with pytest.raises(PermissionDenied):
        services.survey_response_submit(
            survey_round=survey_round, user=outsider, answers=ANSWERS, now=at(date(2025, 6, 2))
        )
    user = SurveyInvitation.objects.filter(round=survey_round).first().user
    with pytest.raises(ValidationError):
        services.survey_response_submit(
            survey_round=survey_round, user=user, answers=ANSWERS, now=at(date(2025, 7, 2))
        )
    with pytest.raises(ValidationError) as error:
        services.survey_response_submit(
            survey_round=survey_round, user=user, answers={"trust": 9}, now=at(date(2025, 6, 2))
        )
    assert "transparency" in error.value.error_dict


def test_round_results_are_aggregates(survey):
    survey_round, _ = survey
    for invitation in SurveyInvitation.objects.filter(round=survey_round):
        services.survey_response_submit(
            survey_round=survey_round,
            user=invitation.user,
            answers=ANSWERS,
            now=at(date(2025, 6, 2)),
        )
    results = selectors.survey_round_results(survey_round=survey_round)
    assert (results.invited, results.responded, results.response_rate) == (2, 2, 1.0)
    trust = next(i for i in results.items if i.code == "trust")
    assert trust.mean == 4 and trust.counts == [0, 0, 0, 2, 0]
    assert results.constructs["trust"] == 3.5


def test_a_round_needs_residents_who_took_part(municipality, admin_user, indicator_set):
    with pytest.raises(ValidationError):
        services.survey_round_start(
            municipality=municipality,
            actor=admin_user,
            title="x",
            opens_on=date(2025, 6, 1),
            closes_on=date(2025, 6, 30),
            sample_size=5,
        )


# --------------------------------------------------------------------------- networks


def _member(network, slug, dmi_level, public, make_staff):
    municipality = factories.MunicipalityFactory(slug=slug)
    services.network_member_add(network=network, municipality=municipality)
    admin = make_staff(municipality, "administrator")
    assessment = services.assessment_start(
        municipality=municipality,
        actor=admin,
        title=f"{slug} 2568",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
    )
    answer_all(assessment, admin, level=dmi_level)
    services.assessment_complete(assessment=assessment, actor=admin)
    services.publication_set(municipality=municipality, actor=admin, results_public=public)
    return municipality


def test_network_comparison_ranks_public_members_only(db, indicator_set, make_staff):
    network = services.network_save(slug="kk-pilots", name_th="เครือข่าย", name_en="Network")
    high = _member(network, "high", 4, True, make_staff)
    low = _member(network, "low", 1, True, make_staff)
    tie = _member(network, "tie", 4, True, make_staff)
    private = _member(network, "private", 3, False, make_staff)
    comparison = selectors.network_comparison(network=network)
    names = [row.municipality.slug for row in comparison.rows]
    assert names[-1] == "low" and set(names[:2]) == {"high", "tie"}
    assert [row.rank for row in comparison.rows] == [1, 1, 3]
    assert "private" not in names and comparison.hidden_members == 1
    assert comparison.dmi_distribution.count == 3
    assert comparison.dmi_distribution.maximum == comparison.rows[0].dmi > comparison.rows[2].dmi
    assert comparison.dmi_distribution.minimum == comparison.rows[2].dmi
    # The private member's own staff see its row, marked as theirs.
    own = selectors.network_comparison(network=network, viewer=private)
    row = next(r for r in own.rows if r.municipality == private)
    assert row.is_viewer and not row.public and row.rank == 3
    assert own.hidden_members == 0
    assert {high, low, tie} <= {r.municipality for r in own.rows}
    assert {c.measure for c in comparison.live_columns} >= {"reports.digital_share"}
