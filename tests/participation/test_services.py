"""Participation rules: phases open actions, one support per verified resident, answers,
threads three levels deep, moderation placeholders, rate limits, pseudonyms, accountability."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone, translation

from tests.participation.conftest import make_process, make_resident
from thesaban.core.models import AuditEntry
from thesaban.participation import selectors, services
from thesaban.participation.models import (
    Comment,
    Flag,
    Phase,
    Proposal,
    ProposalSupport,
    ResultSource,
)

pytestmark = pytest.mark.django_db


def propose(process, user, **kwargs):
    fields = {"title": "ลานกีฬาชุมชน", "body": "สร้างลานกีฬาข้างตลาด", "topic": "culture"}
    fields.update(kwargs)
    return services.proposal_create(process=process, user=user, **fields)


def test_proposals_are_numbered_per_process_and_audited(process, author):
    first = propose(process, author)
    second = propose(process, author, title="ไฟส่องสว่าง")
    assert (first.number, second.number) == (1, 2)
    assert first.author.pseudonym == "ต้นกล้า"
    assert AuditEntry.objects.filter(action="participation.proposal_create").count() == 2


def test_a_retried_proposal_returns_the_first(process, author):
    first = propose(process, author, idempotency_key="k1")
    again = propose(process, author, idempotency_key="k1")
    assert first.pk == again.pk and Proposal.objects.count() == 1


def test_proposing_needs_an_open_phase_that_allows_it(municipality, author):
    closed = make_process(municipality, slug="closed", actions=[Phase.Action.COMMENT])
    with pytest.raises(ValidationError):
        propose(closed, author)
    ended = make_process(municipality, slug="ended")
    ended.phases.update(
        starts_at=timezone.now() - timedelta(days=10), ends_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        propose(ended, author)
    unpublished = make_process(municipality, slug="draft", is_published=False)
    with pytest.raises(PermissionDenied):
        propose(unpublished, author)


def test_a_public_name_is_needed_unless_anonymous_is_allowed(municipality, process):
    nameless = make_resident(municipality)
    with pytest.raises(ValidationError):
        propose(process, nameless)
    with pytest.raises(ValidationError):
        propose(process, nameless, is_anonymous=True)  # the process does not allow it
    safe_space = make_process(municipality, slug="safe", allows_anonymous=True)
    proposal = propose(safe_space, nameless, is_anonymous=True)
    assert proposal.is_anonymous and proposal.author.user == nameless


def test_pseudonyms_are_unique_and_not_contact_details(municipality, author):
    other = services.participant_get_or_create(
        municipality=municipality, user=make_resident(municipality)
    )
    for bad in ("ต้นกล้า", "me@example.org", "081 234 5678"):
        with pytest.raises(ValidationError):
            services.participant_update(participant=other, pseudonym=bad, community=None)


def test_one_support_per_verified_resident_enforced_by_the_database(municipality, process, author):
    proposal = propose(process, author)
    unverified = make_resident(municipality)
    with pytest.raises(PermissionDenied):
        services.proposal_support(proposal=proposal, user=unverified)
    voter = make_resident(municipality, verified=True)
    assert services.proposal_support(proposal=proposal, user=voter) is True
    assert services.proposal_support(proposal=proposal, user=voter) is False
    proposal.refresh_from_db()
    assert proposal.support_count == 1
    with pytest.raises(IntegrityError):
        ProposalSupport.objects.create(municipality=municipality, proposal=proposal, user=voter)


def test_a_proposal_over_the_threshold_awaits_an_answer_until_answered(
    municipality, process, author, admin_user, viewer
):
    proposal = propose(process, author)
    for _ in range(2):
        services.proposal_support(
            proposal=proposal, user=make_resident(municipality, verified=True)
        )
    assert list(selectors.proposals_awaiting_answer(municipality=municipality)) == [proposal]
    with pytest.raises(PermissionDenied):
        services.proposal_answer(proposal=proposal, actor=viewer, answer="accepted", reason="x")
    with pytest.raises(ValidationError):
        services.proposal_answer(proposal=proposal, actor=admin_user, answer="accepted", reason="")
    services.proposal_answer(
        proposal=proposal, actor=admin_user, answer="accepted", reason="บรรจุในแผนปี 2570"
    )
    assert list(selectors.proposals_awaiting_answer(municipality=municipality)) == []


def test_sorting_most_supported_newest_and_stable_random(municipality, process, author):
    a = propose(process, author, title="A")
    b = propose(process, author, title="B")
    c = propose(process, author, title="C")
    services.proposal_support(proposal=b, user=make_resident(municipality, verified=True))
    assert [p.title for p in selectors.proposal_list(process=process)][0] == "B"
    assert [p.title for p in selectors.proposal_list(process=process, sort="newest")] == [
        "C",
        "B",
        "A",
    ]
    first = [p.pk for p in selectors.proposal_list(process=process, sort="random", seed="x")]
    again = [p.pk for p in selectors.proposal_list(process=process, sort="random", seed="x")]
    assert first == again and sorted(first) == sorted([a.pk, b.pk, c.pk])


def test_threads_nest_three_levels_and_no_deeper(municipality, process, author):
    proposal = propose(process, author)
    level1 = services.comment_create(target=proposal, user=author, body="หนึ่ง", alignment="for")
    level2 = services.comment_create(target=proposal, user=author, body="สอง", parent=level1)
    level3 = services.comment_create(target=proposal, user=author, body="สาม", parent=level2)
    assert level3.depth == 3
    with pytest.raises(ValidationError):
        services.comment_create(target=proposal, user=author, body="สี่", parent=level3)
    threads = selectors.comment_threads(proposal=proposal)
    assert threads[0].replies[0].replies[0].comment == level3
    assert selectors.alignment_summary(proposal=proposal) == {
        "for": 1,
        "neutral": 2,
        "against": 0,
    }
    proposal.refresh_from_db()
    assert proposal.comment_count == 3


def test_a_reply_must_stay_in_its_thread(municipality, process, author):
    one = propose(process, author)
    two = propose(process, author, title="อื่น")
    parent = services.comment_create(target=one, user=author, body="x")
    with pytest.raises(ValidationError):
        services.comment_create(target=two, user=author, body="y", parent=parent)


def test_writing_too_fast_is_refused_with_a_reason(municipality, process, author):
    proposal = propose(process, author)
    for index in range(services.RATE_LIMITS["comment"][0]):
        services.comment_create(target=proposal, user=author, body=f"ความเห็น {index}")
    with translation.override("en"), pytest.raises(ValidationError, match="too quickly"):
        services.comment_create(target=proposal, user=author, body="อีกหนึ่ง")


def test_upvotes_once_and_not_ones_own(municipality, process, author):
    proposal = propose(process, author)
    comment = services.comment_create(target=proposal, user=author, body="x")
    with pytest.raises(ValidationError):
        services.comment_upvote(comment=comment, user=author)
    fan = make_resident(municipality)
    assert services.comment_upvote(comment=comment, user=fan) is True
    assert services.comment_upvote(comment=comment, user=fan) is False
    comment.refresh_from_db()
    assert comment.upvote_count == 1


def test_moderation_hides_with_a_placeholder_and_settles_every_flag(
    municipality, process, author, officer, viewer
):
    proposal = propose(process, author)
    comment = services.comment_create(target=proposal, user=author, body="ข้อความไม่เหมาะสม")
    first = services.flag_create(
        target=comment, user=make_resident(municipality), reason="offensive"
    )
    services.flag_create(target=comment, user=make_resident(municipality), reason="spam")
    assert selectors.moderation_queue(municipality=municipality).count() == 2
    with pytest.raises(PermissionDenied):
        services.moderation_decide(flag=first, actor=viewer, hide=True, reason="x")
    with pytest.raises(ValidationError):
        services.moderation_decide(flag=first, actor=officer, hide=True, reason="")
    services.moderation_decide(flag=first, actor=officer, hide=True, reason="ถ้อยคำหยาบคาย")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "ถ้อยคำหยาบคาย"
    assert selectors.moderation_queue(municipality=municipality).count() == 0
    assert set(Flag.objects.values_list("decision", flat=True)) == {"hidden"}
    with pytest.raises(ValidationError):
        services.comment_upvote(comment=comment, user=make_resident(municipality))


def test_consultation_positions_are_one_per_person_and_changeable(municipality, process, author):
    from thesaban.participation.models import ConsultationDocument, DocumentSection

    document = ConsultationDocument.objects.create(
        municipality=municipality, process=process, slug="draft", title_th="ร่าง", is_published=True
    )
    section = DocumentSection.objects.create(
        municipality=municipality, document=document, heading_th="ยุทธศาสตร์ที่ 1", body_th="..."
    )
    other = make_resident(municipality)
    services.section_position_set(section=section, user=author, stance="agree")
    services.section_position_set(section=section, user=other, stance="agree")
    services.section_position_set(section=section, user=other, stance="disagree")
    section.refresh_from_db()
    assert (section.agree_count, section.disagree_count) == (1, 1)
    services.comment_create(target=section, user=author, body="เห็นด้วยกับข้อนี้", alignment="for")
    section.refresh_from_db()
    assert section.comment_count == 1


def test_accountability_links_results_to_the_input_they_came_from(
    municipality, other_municipality, process, author, admin_user
):
    proposal = propose(process, author)
    result = services.accountability_result_create(
        process=process,
        title_th="ลานกีฬาชุมชนตลาด",
        budget=Decimal("250000"),
        sources=[proposal],
        actor=admin_user,
    )
    assert ResultSource.objects.get().source == proposal
    update = services.result_update_add(
        result=result,
        actor=admin_user,
        status="in_progress",
        progress=40,
        spent=Decimal("100000"),
        note_th="ปรับพื้นที่แล้ว",
    )
    result.refresh_from_db()
    assert (result.status, result.progress, result.spent) == ("in_progress", 40, Decimal("100000"))
    assert update.progress == 40
    with pytest.raises(ValidationError):
        services.result_update_add(
            result=result,
            actor=admin_user,
            status="done",
            progress=140,
            spent=Decimal(0),
            note_th="x",
        )
    outcomes = selectors.you_said_we_did(municipality=municipality)
    assert outcomes[0].title == proposal.title and outcomes[0].results == [result]
    foreign = make_process(other_municipality, slug="elsewhere")
    foreign_author = make_resident(other_municipality, pseudonym="คนอื่น")
    with pytest.raises(ValidationError):
        services.accountability_result_create(
            process=process,
            title_th="x",
            sources=[propose(foreign, foreign_author)],
            actor=admin_user,
        )


def test_reserved_process_slugs_are_refused(municipality, admin_user):
    from thesaban.participation.models import Process

    with pytest.raises(ValidationError):
        services.process_save(
            process=Process(municipality=municipality, slug="profile", title_th="x"),
            actor=admin_user,
        )


def test_hidden_comments_keep_their_place_in_the_thread(municipality, process, author, officer):
    proposal = propose(process, author)
    parent = services.comment_create(target=proposal, user=author, body="ต้นเรื่อง")
    services.comment_create(target=proposal, user=author, body="ตอบ", parent=parent)
    flag = services.flag_create(target=parent, user=None, reason="spam")
    services.moderation_decide(flag=flag, actor=officer, hide=True, reason="สแปม")
    threads = selectors.comment_threads(proposal=proposal)
    assert threads[0].comment.is_hidden and threads[0].replies[0].comment.body == "ตอบ"
    assert Comment.objects.count() == 2


def test_the_readiness_measure_of_answered_proposals(municipality, process, author, admin_user):
    from datetime import date, timedelta

    from thesaban.readiness.registry import live_indicators

    today = timezone.localdate()
    measure = live_indicators.get("participation.proposals_answered_share")
    period = (today - timedelta(days=30), today)
    assert measure.function(municipality, *period) is None
    answered = propose(process, author)
    propose(process, author, title="อีกเรื่อง")
    services.proposal_answer(proposal=answered, actor=admin_user, answer="evaluating", reason="x")
    result = measure.function(municipality, *period)
    assert (result.numerator, result.denominator, result.value) == (1, 2, 0.5)
    assert measure.function(municipality, date(2020, 1, 1), date(2020, 12, 31)) is None
