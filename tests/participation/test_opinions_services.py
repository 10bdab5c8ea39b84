"""Services of opinion groups: statements, moderation, votes, the map and its recomputation."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from tests import factories
from tests.participation.test_opinions_helpers import make_opinion_process, make_resident, seed
from thesaban.core.models import AuditEntry
from thesaban.participation.models import Phase
from thesaban.participation.opinions import rules as _rules  # noqa: F401  (registers the rules)
from thesaban.participation.opinions import selectors, services
from thesaban.participation.opinions.models import OpinionMap, Statement, StatementVote

pytestmark = pytest.mark.django_db

TEXTS = [f"ข้อความที่ {n}" for n in range(1, 9)]


@pytest.fixture
def process(municipality):
    return make_opinion_process(municipality)


@pytest.fixture
def statements(process, admin_user):
    return seed(process, admin_user, *TEXTS)


def test_staff_seed_statements_approved_and_audited(process, admin_user, statements):
    assert all(
        s.status == Statement.Status.APPROVED and s.seeded_by == admin_user for s in statements
    )
    assert AuditEntry.objects.filter(action="opinions.statement_seed").count() == len(TEXTS)


def test_a_viewer_cannot_seed_or_moderate(process, viewer, statements):
    with pytest.raises(PermissionDenied):
        services.statement_seed(process=process, actor=viewer, text="ไม่ได้")
    pending = services.statement_create(
        process=process, user=make_resident(process.municipality), text="รอ"
    )
    with pytest.raises(PermissionDenied):
        services.statement_moderate(statement=pending, actor=viewer, approve=True)


def test_participant_statements_wait_for_moderation(process, admin_user, officer):
    resident = make_resident(process.municipality)
    statement = services.statement_create(process=process, user=resident, text="  ควรมี   ห้องน้ำ  ")
    assert statement.status == Statement.Status.PENDING and statement.text == "ควรมี ห้องน้ำ"
    assert statement.author.user == resident
    with pytest.raises(ValidationError):
        services.statement_vote(statement=statement, user=resident, choice=1)
    assert list(selectors.pending_statements(process=process)) == [statement]
    approved = services.statement_moderate(statement=statement, actor=officer, approve=True)
    assert approved.status == Statement.Status.APPROVED and approved.moderated_by == officer
    assert AuditEntry.objects.filter(action="opinions.statement_approve", actor=officer).exists()
    with translation.override("en"), pytest.raises(ValidationError, match="already been"):
        services.statement_moderate(statement=approved, actor=officer, approve=False)
    services.statement_vote(statement=approved, user=resident, choice=1)


def test_rejected_statements_are_never_votable(process, admin_user):
    resident = make_resident(process.municipality)
    statement = services.statement_create(process=process, user=resident, text="โฆษณา")
    rejected = services.statement_moderate(statement=statement, actor=admin_user, approve=False)
    assert rejected.status == Statement.Status.REJECTED
    with pytest.raises(ValidationError):
        services.statement_vote(statement=rejected, user=resident, choice=-1)
    assert AuditEntry.objects.filter(action="opinions.statement_reject").exists()


def test_statement_text_rules(process, statements):
    resident = make_resident(process.municipality)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="140 characters"):
            services.statement_create(process=process, user=resident, text="ก" * 141)
        with pytest.raises(ValidationError, match="Write a statement"):
            services.statement_create(process=process, user=resident, text="   ")
        with pytest.raises(ValidationError, match="already in this process"):
            services.statement_create(process=process, user=resident, text=f" {TEXTS[0]} ")


def test_statements_are_rate_limited(process):
    resident = make_resident(process.municipality)
    for n in range(services.STATEMENT_RATE_LIMIT[0]):
        services.statement_create(process=process, user=resident, text=f"ความเห็น {n}")
    with translation.override("en"), pytest.raises(ValidationError, match="Try again later"):
        services.statement_create(process=process, user=resident, text="อีกหนึ่ง")


def test_vote_change_vote_and_pass(process, statements):
    resident = make_resident(process.municipality)
    vote = services.statement_vote(statement=statements[0], user=resident, choice=1)
    assert vote.choice == StatementVote.Choice.AGREE
    again = services.statement_vote(statement=statements[0], user=resident, choice=-1)
    assert again.pk == vote.pk and again.choice == StatementVote.Choice.DISAGREE
    services.statement_vote(statement=statements[1], user=resident, choice=0)
    assert StatementVote.objects.filter(participant__user=resident).count() == 2
    participant = selectors.participant_of(process=process, user=resident)
    mine = selectors.statements_with_my_votes(process=process, participant=participant)
    assert [item.my_choice for item in mine[:3]] == [-1, 0, None]
    with translation.override("en"), pytest.raises(ValidationError, match="agree, disagree"):
        services.statement_vote(statement=statements[0], user=resident, choice=2)


def test_closed_phase_refuses_with_a_clear_message(municipality, admin_user):
    closed = make_opinion_process(municipality, slug="closed", actions=[Phase.Action.COMMENT])
    (statement,) = seed(closed, admin_user, "ข้อความ")
    resident = make_resident(municipality)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="not open in the current phase"):
            services.statement_vote(statement=statement, user=resident, choice=1)
        with pytest.raises(ValidationError, match="not open in the current phase"):
            services.statement_create(process=closed, user=resident, text="ใหม่")
    ended = make_opinion_process(municipality, slug="ended")
    ended.phases.update(ends_at=timezone.now() - timedelta(minutes=1))
    (late,) = seed(ended, admin_user, "ช้าไป")
    with pytest.raises(ValidationError):
        services.statement_vote(statement=late, user=resident, choice=1)
    unpublished = make_opinion_process(municipality, slug="draft", is_published=False)
    (hidden,) = seed(unpublished, admin_user, "ยังไม่เผยแพร่")
    with pytest.raises(PermissionDenied):
        services.statement_vote(statement=hidden, user=resident, choice=1)


def test_rules_follow_the_phase(process, municipality, admin_user, viewer):
    resident = make_resident(municipality)
    assert resident.has_perm("opinions.vote", process)
    assert resident.has_perm("opinions.add_statement", process)
    closed = make_opinion_process(municipality, slug="closed", actions=[Phase.Action.COMMENT])
    assert not resident.has_perm("opinions.vote", closed)
    assert admin_user.has_perm("opinions.moderate", municipality)
    assert not viewer.has_perm("opinions.moderate", municipality)
    assert viewer.has_perm("opinions.view_staff", municipality)
    assert not resident.has_perm("opinions.view_staff", municipality)


def _vote_in_two_camps(process, statements, people=12):
    users = [make_resident(process.municipality) for _ in range(people)]
    for index, user in enumerate(users):
        camp = 1 if index % 2 else -1
        for number, statement in enumerate(statements):
            choice = 1 if number == 0 else camp * (1 if number % 2 else -1)
            services.statement_vote(statement=statement, user=user, choice=choice)
    return users


def test_recompute_builds_the_map_without_identities(process, statements):
    users = _vote_in_two_camps(process, statements)
    sparse = make_resident(process.municipality)
    services.statement_vote(statement=statements[0], user=sparse, choice=1)
    opinion_map = services.opinion_map_recompute(process=process)
    assert opinion_map.k == 2 and opinion_map.n_clustered == len(users)
    assert opinion_map.n_participants == len(users) + 1
    assert opinion_map.result["n_excluded"] == 1
    assert opinion_map.result["consensus"][0]["text"] == TEXTS[0]
    assert {g["size"] for g in opinion_map.result["groups"]} == {6}
    # No participant id, user id or pseudonym in what is stored for the public map.
    stored = str(opinion_map.result)
    for user in users:
        participant = selectors.participant_of(process=process, user=user)
        assert f"'token': '{participant.pk}'" not in stored
        assert user.email not in stored
    tokens = {point["token"] for point in opinion_map.result["points"]}
    participant = selectors.participant_of(process=process, user=users[0])
    assert selectors.point_token(process.pk, participant.pk) in tokens
    assert len(tokens) == len(users)


def test_a_recompute_with_nothing_new_does_nothing(process, statements):
    _vote_in_two_camps(process, statements, people=8)
    first = services.opinion_map_recompute(process=process)
    computed_at = first.computed_at
    again = services.opinion_map_recompute(process=process)
    assert again.pk == first.pk and again.computed_at == computed_at
    assert OpinionMap.objects.count() == 1
    forced = services.opinion_map_recompute(process=process, force=True)
    assert forced.computed_at > computed_at


def test_the_task_recomputes_the_map_after_votes(
    process, statements, django_capture_on_commit_callbacks
):
    users = [make_resident(process.municipality) for _ in range(6)]
    with django_capture_on_commit_callbacks(execute=True):
        for index, user in enumerate(users):
            for number, statement in enumerate(statements):
                services.statement_vote(
                    statement=statement, user=user, choice=1 if (index + number) % 2 else -1
                )
    opinion_map = selectors.opinion_map_of(process=process)
    assert opinion_map is not None and opinion_map.votes_seen == len(users) * len(statements)
    assert opinion_map.n_clustered == len(users)
    before = opinion_map.computed_at
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_vote(statement=statements[0], user=users[0], choice=0)
    opinion_map.refresh_from_db()
    assert opinion_map.computed_at > before
    assert opinion_map.result["totals"][str(statements[0].pk)]["pass"] == 1


def test_staff_recompute_is_audited(process, statements, admin_user):
    _vote_in_two_camps(process, statements, people=6)
    services.opinion_map_recompute(process=process, actor=admin_user, force=True)
    assert AuditEntry.objects.filter(action="opinions.map_recompute", actor=admin_user).exists()
    with pytest.raises(PermissionDenied):
        services.opinion_map_recompute(process=process, actor=factories.UserFactory())


def test_demo_plants_three_groups_quickly(municipality, admin_user):
    import time

    from thesaban.participation.opinions import demo

    residents = [make_resident(municipality) for _ in range(4)]
    started = time.perf_counter()
    process = demo.load(
        municipality=municipality, residents=residents, administrator=admin_user, now=timezone.now()
    )
    elapsed = time.perf_counter() - started
    assert elapsed < 15
    opinion_map = selectors.opinion_map_of(process=process)
    assert opinion_map.k == 3
    assert opinion_map.n_clustered >= 100 and opinion_map.result["n_excluded"] >= 5
    consensus = {item["text"] for item in opinion_map.result["consensus"][:2]}
    assert consensus == {demo.STATEMENTS[0][0], demo.STATEMENTS[1][0]}
    assert selectors.pending_statements(process=process).count() == 2
    assert (
        demo.load(
            municipality=municipality,
            residents=residents,
            administrator=admin_user,
            now=timezone.now(),
        )
        is None
    )
