"""Voting rules, eligibility rules, one ballot per person, secrecy, recount and publishing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from tests import factories
from tests.voting import helpers
from thesaban.core.models import AuditEntry
from thesaban.participation.voting import selectors, services
from thesaban.participation.voting.models import (
    BudgetBallot,
    BudgetBallotLine,
    BudgetParticipation,
    CommunityCheck,
    Eligibility,
    Poll,
    PollBallot,
    PollBallotChoice,
    PollParticipation,
)
from thesaban.participation.voting.secrecy import voter_key

pytestmark = pytest.mark.django_db


def cast(poll, user, *option_ids, now=None):
    return services.poll_ballot_cast(poll=poll, user=user, option_ids=list(option_ids), now=now)


# --- one ballot per person, changing it ----------------------------------------------------


@pytest.fixture(autouse=True)
def _english():
    """The messages asserted below are the English msgids; Thai is the default language."""
    with translation.override("en"):
        yield


def test_single_choice_ballot_and_double_submit_leave_one_ballot(municipality, resident):
    poll = helpers.poll(municipality)
    a, b, _c = helpers.options_of(poll)
    first = cast(poll, resident, a)
    again = cast(poll, resident, a)
    assert first.pk == again.pk
    assert PollBallot.objects.filter(poll=poll).count() == 1
    assert PollParticipation.objects.filter(poll=poll).count() == 1
    assert selectors.poll_my_choices(poll=poll, user=resident) == [a]
    changed = cast(poll, resident, b)
    assert changed.pk == first.pk
    assert selectors.poll_my_choices(poll=poll, user=resident) == [b]
    assert PollBallotChoice.objects.filter(poll=poll).count() == 1
    assert selectors.poll_tally(poll=poll).counts == {a: 0, b: 1, _c: 0}


def test_a_poll_that_does_not_allow_changes_refuses_a_second_different_ballot(
    municipality, resident
):
    poll = helpers.poll(municipality, allows_change=False)
    a, b, _c = helpers.options_of(poll)
    cast(poll, resident, a)
    cast(poll, resident, a)  # the same ballot again is a retry, not a change
    with pytest.raises(ValidationError, match="does not allow changes"):
        cast(poll, resident, b)
    assert selectors.poll_my_choices(poll=poll, user=resident) == [a]


def test_the_database_refuses_a_second_participation_or_ballot(municipality, resident):
    from django.db import IntegrityError, transaction

    poll = helpers.poll(municipality)
    cast(poll, resident, helpers.options_of(poll)[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        PollParticipation.objects.create(municipality=municipality, poll=poll, user=resident)
    key = voter_key(kind="poll", object_id=poll.pk, user_id=resident.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        PollBallot.objects.create(municipality=municipality, poll=poll, voter_key=key)


# --- voting rules per kind ----------------------------------------------------------------------


def test_single_choice_needs_exactly_one_option(municipality, resident):
    poll = helpers.poll(municipality)
    a, b, _c = helpers.options_of(poll)
    with pytest.raises(ValidationError, match="exactly one"):
        cast(poll, resident, a, b)
    with pytest.raises(ValidationError, match="at least one"):
        cast(poll, resident)
    assert not PollBallot.objects.exists()


def test_multiple_choice_respects_the_maximum_and_stores_choices_canonically(
    municipality, resident
):
    poll = helpers.poll(municipality, kind=Poll.Kind.MULTIPLE, max_choices=2, options="กขคง")
    a, b, c, _d = helpers.options_of(poll)
    with pytest.raises(ValidationError, match="at most 2"):
        cast(poll, resident, a, b, c)
    cast(poll, resident, c, a)
    assert selectors.poll_my_choices(poll=poll, user=resident) == [a, c]
    cast(poll, resident, a, c)  # same set in another order: not a change
    assert PollBallotChoice.objects.filter(poll=poll).count() == 2
    other = factories.UserFactory()
    cast(poll, other, a)
    assert selectors.poll_tally(poll=poll).counts == {a: 2, b: 0, c: 1, _d: 0}


def test_ranked_choice_keeps_the_order_and_refuses_repeats(municipality, resident):
    poll = helpers.poll(municipality, kind=Poll.Kind.RANKED, max_choices=2)
    a, b, c = helpers.options_of(poll)
    with pytest.raises(ValidationError, match="only once"):
        cast(poll, resident, a, a)
    with pytest.raises(ValidationError, match="Rank at most 2"):
        cast(poll, resident, a, b, c)
    cast(poll, resident, c, a)
    assert selectors.poll_my_choices(poll=poll, user=resident) == [c, a]


def test_options_of_another_poll_are_refused(municipality, resident):
    poll = helpers.poll(municipality)
    other = helpers.poll(municipality, proc=poll.process)
    with pytest.raises(ValidationError, match="not part of this poll"):
        cast(poll, resident, helpers.options_of(other)[0])


def test_ranked_poll_counts_by_instant_runoff_from_the_stored_ballots(municipality):
    poll = helpers.poll(municipality, kind=Poll.Kind.RANKED)
    a, b, c = helpers.options_of(poll)
    for ranking, count in (((a, b), 4), ((b, a), 3), ((c, b), 2)):
        for _ in range(count):
            cast(poll, factories.UserFactory(), *ranking)
    result = selectors.poll_tally(poll=poll)
    assert [r.counts for r in result.rounds] == [{a: 4, b: 3, c: 2}, {a: 4, b: 5}]
    assert result.winner == b


# --- when voting is open ------------------------------------------------------------------------


def test_votes_only_inside_the_polls_window_and_an_open_voting_phase(municipality, resident):
    poll = helpers.poll(municipality)
    a = helpers.options_of(poll)[0]
    with pytest.raises(ValidationError, match="not started"):
        cast(poll, resident, a, now=poll.opens_at - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="closed"):
        cast(poll, resident, a, now=poll.closes_at)
    no_vote_phase = helpers.process(municipality, actions=("propose",))
    elsewhere = helpers.poll(municipality, proc=no_vote_phase)
    with pytest.raises(ValidationError, match="phase"):
        cast(elsewhere, resident, helpers.options_of(elsewhere)[0])
    Poll.objects.filter(pk=poll.pk).update(is_published=False)
    poll.refresh_from_db()
    with pytest.raises(ValidationError, match="not open to the public"):
        cast(poll, resident, a)
    assert not PollBallot.objects.exists()


# --- eligibility ------------------------------------------------------------------------------


def test_any_account_may_vote_but_not_anonymous_visitors(municipality):
    from django.contrib.auth.models import AnonymousUser

    poll = helpers.poll(municipality, eligibility=Eligibility.ANY_ACCOUNT)
    with pytest.raises(PermissionDenied, match="Sign in"):
        cast(poll, AnonymousUser(), helpers.options_of(poll)[0])
    cast(poll, helpers.resident(), helpers.options_of(poll)[0])


def test_verified_residents_only(municipality):
    poll = helpers.poll(municipality, eligibility=Eligibility.VERIFIED)
    a = helpers.options_of(poll)[0]
    with pytest.raises(PermissionDenied, match="verified"):
        cast(poll, helpers.resident(), a)
    cast(poll, helpers.resident(verified=True), a)
    assert PollBallot.objects.count() == 1


def test_community_residents_by_declared_community(municipality):
    market = factories.CommunityFactory(municipality=municipality)
    temple = factories.CommunityFactory(municipality=municipality)
    poll = helpers.poll(
        municipality,
        eligibility=Eligibility.COMMUNITY,
        community=market,
        community_check=CommunityCheck.DECLARED,
    )
    a = helpers.options_of(poll)[0]
    with pytest.raises(PermissionDenied, match="Only residents of"):
        cast(poll, helpers.resident(), a)  # no participant profile at all
    with pytest.raises(PermissionDenied, match="Only residents of"):
        cast(poll, helpers.resident(municipality, community=temple), a)
    cast(poll, helpers.resident(municipality, community=market), a)  # declared is enough
    assert PollBallot.objects.count() == 1


def test_community_residents_checked_by_staff(municipality, other_municipality):
    market = factories.CommunityFactory(municipality=municipality)
    poll = helpers.poll(
        municipality,
        eligibility=Eligibility.COMMUNITY,
        community=market,
        community_check=CommunityCheck.VERIFIED,
    )
    a = helpers.options_of(poll)[0]
    with pytest.raises(PermissionDenied, match="checked by staff"):
        cast(poll, helpers.resident(municipality, community=market), a)
    # A profile in another municipality does not count here.
    elsewhere = helpers.resident(other_municipality, community=market, community_verified=True)
    with pytest.raises(PermissionDenied, match="Only residents of"):
        cast(poll, elsewhere, a)
    cast(poll, helpers.resident(municipality, community=market, community_verified=True), a)
    assert PollBallot.objects.count() == 1


def test_the_vote_rule_matches_the_eligibility(municipality):
    poll = helpers.poll(municipality, eligibility=Eligibility.VERIFIED)
    assert helpers.resident(verified=True).has_perm("voting.vote", poll)
    assert not helpers.resident().has_perm("voting.vote", poll)


# --- secrecy --------------------------------------------------------------------------------------


def test_ballots_hold_no_user_time_or_sequence(municipality, resident):
    for model in (PollBallot, PollBallotChoice, BudgetBallot, BudgetBallotLine):
        names = {f.name for f in model._meta.get_fields()}
        assert "user" not in names
        assert not any(
            f.get_internal_type() in {"DateTimeField", "DateField"} for f in model._meta.fields
        ), model
        assert model._meta.pk.get_internal_type() == "UUIDField"
    poll = helpers.poll(municipality)
    cast(poll, resident, helpers.options_of(poll)[0])
    ballot = PollBallot.objects.get()
    assert len(ballot.voter_key) == 64  # an HMAC, not the user id
    assert ballot.voter_key == voter_key(kind="poll", object_id=poll.pk, user_id=resident.pk)
    assert ballot.voter_key != voter_key(kind="budget", object_id=poll.pk, user_id=resident.pk)
    assert ballot.voter_key != voter_key(kind="poll", object_id=poll.pk + 1, user_id=resident.pk)


def test_votes_write_no_audit_entry_linking_voter_and_ballot(municipality, resident):
    poll = helpers.poll(municipality)
    before = AuditEntry.objects.count()
    cast(poll, resident, helpers.options_of(poll)[0])
    assert AuditEntry.objects.count() == before


def test_the_ballot_key_comes_from_the_server_secret(municipality, resident, settings):
    poll = helpers.poll(municipality)
    a, b, _c = helpers.options_of(poll)
    cast(poll, resident, a)
    settings.VOTING_BALLOT_KEY = "another secret"
    # The person is still recorded as having voted, so no second ballot is possible, but the
    # old ballot can no longer be found to change.
    with pytest.raises(ValidationError, match="already voted"):
        cast(poll, resident, b)
    assert PollBallot.objects.count() == 1


# --- publishing and recounting -------------------------------------------------------------------


def _closed_poll(municipality, **kwargs):
    now = timezone.now()
    proc = helpers.process(
        municipality, start=now - timedelta(days=10), end=now + timedelta(days=1)
    )
    return helpers.poll(
        municipality,
        proc=proc,
        opens_at=now - timedelta(days=5),
        closes_at=now - timedelta(days=1),
        **kwargs,
    )


def _vote_in_window(target, user, *option_ids):
    return cast(target, user, *option_ids, now=target.opens_at + timedelta(hours=1))


def test_publish_needs_a_closed_poll_and_an_administrator(municipality, admin_user, officer):
    poll = helpers.poll(municipality)
    with pytest.raises(ValidationError, match="after voting has closed"):
        services.poll_results_publish(poll=poll, actor=admin_user)
    closed = _closed_poll(municipality)
    with pytest.raises(PermissionDenied):
        services.poll_results_publish(poll=closed, actor=officer)


def test_published_tally_equals_the_recount_and_detects_tampering(municipality, admin_user):
    poll = _closed_poll(municipality)
    a, b, _c = helpers.options_of(poll)
    for option in (a, a, b):
        _vote_in_window(poll, factories.UserFactory(), option)
    services.poll_results_publish(poll=poll, actor=admin_user)
    poll.refresh_from_db()
    assert poll.published_tally["counts"] == {str(a): 2, str(b): 1, str(_c): 0}
    assert poll.published_tally["participants"] == 3
    assert selectors.poll_recount(poll=poll).matches
    call_command("voting_recount", municipality=municipality.slug)
    entry = AuditEntry.objects.get(action="voting.poll_publish")
    assert entry.data["winner"] == a and entry.actor == admin_user
    # Publishing again changes nothing.
    services.poll_results_publish(poll=poll, actor=admin_user)
    assert AuditEntry.objects.filter(action="voting.poll_publish").count() == 1
    # Someone changes a stored ballot afterwards: the recount no longer matches.
    PollBallotChoice.objects.filter(poll=poll, option_id=b).update(option_id=_c)
    assert not selectors.poll_recount(poll=poll).matches
    with pytest.raises(CommandError):
        call_command("voting_recount", municipality=municipality.slug)


def test_a_ballot_without_participation_breaks_the_recount(municipality, admin_user):
    poll = _closed_poll(municipality)
    _vote_in_window(poll, factories.UserFactory(), helpers.options_of(poll)[0])
    services.poll_results_publish(poll=poll, actor=admin_user)
    poll.refresh_from_db()
    # A stuffed ballot (no participation row) changes both counts and the ballots/voters match.
    stuffed = PollBallot.objects.create(municipality=municipality, poll=poll, voter_key="x" * 64)
    PollBallotChoice.objects.create(
        municipality=municipality, ballot=stuffed, poll=poll, option_id=helpers.options_of(poll)[1]
    )
    recount = selectors.poll_recount(poll=poll)
    assert not recount.matches
    assert recount.recounted["ballots"] == 2 and recount.recounted["participants"] == 1


def test_publish_turns_the_winning_option_into_a_result(municipality, admin_user):
    from thesaban.participation.models import Result

    poll = _closed_poll(municipality)
    a, b, _c = helpers.options_of(poll)
    _vote_in_window(poll, factories.UserFactory(), b)
    services.poll_results_publish(poll=poll, actor=admin_user, create_result=True)
    result = Result.objects.get(process=poll.process)
    assert result.title_th == "ข"
    assert [source.source for source in result.sources.all()] == [
        selectors.poll_options(poll=poll).get(pk=b)
    ]


def test_publish_with_a_tie_cannot_create_a_result(municipality, admin_user):
    poll = _closed_poll(municipality)
    a, b, _c = helpers.options_of(poll)
    _vote_in_window(poll, factories.UserFactory(), a)
    _vote_in_window(poll, factories.UserFactory(), b)
    with pytest.raises(ValidationError, match="no single winning option"):
        services.poll_results_publish(poll=poll, actor=admin_user, create_result=True)
    poll.refresh_from_db()
    assert poll.published_tally is None


def test_results_visibility(municipality):
    live = helpers.poll(municipality, results_visibility="live")
    hidden = helpers.poll(municipality, proc=live.process)
    assert live.results_visible()
    assert not hidden.results_visible()
    assert hidden.results_visible(now=hidden.closes_at)


# --- participatory budget -------------------------------------------------------------------


def test_basket_add_remove_and_checkout(municipality, resident):
    budget = helpers.budget(municipality)  # 1,000,000: 400k, 300k, 250k, 600k
    p1, p2, p3, p4 = helpers.projects_of(budget)
    services.budget_basket_add(budget=budget, user=resident, project=p1)
    services.budget_basket_add(budget=budget, user=resident, project=p1)  # double submit
    services.budget_basket_add(budget=budget, user=resident, project=p2)
    basket = selectors.budget_basket(budget=budget, user=resident)
    assert [p.pk for p in basket.projects] == [p1.pk, p2.pk]
    assert basket.spent == Decimal("700000") and basket.left == Decimal("300000")
    with pytest.raises(ValidationError, match="does not fit"):
        services.budget_basket_add(budget=budget, user=resident, project=p4)
    services.budget_basket_remove(budget=budget, user=resident, project=p2)
    services.budget_basket_remove(budget=budget, user=resident, project=p2)  # not there: fine
    services.budget_basket_add(budget=budget, user=resident, project=p4)
    assert BudgetBallot.objects.count() == 1
    assert not BudgetParticipation.objects.exists()  # a basket is not a vote
    assert selectors.budget_votes(budget=budget) == {}
    ballot = services.budget_checkout(budget=budget, user=resident)
    assert ballot.checked_out
    assert services.budget_checkout(budget=budget, user=resident).pk == ballot.pk  # retry
    assert BudgetParticipation.objects.count() == 1
    assert selectors.budget_votes(budget=budget) == {p1.pk: 1, p4.pk: 1}
    with pytest.raises(ValidationError, match="final"):
        services.budget_basket_add(budget=budget, user=resident, project=p3)
    with pytest.raises(ValidationError, match="final"):
        services.budget_basket_remove(budget=budget, user=resident, project=p1)


def test_checkout_rules_total_minimum_share_and_number_of_projects(municipality):
    budget = helpers.budget(municipality, min_spend_percent=60, min_projects=2, max_projects=2)
    p1, p2, p3, p4 = helpers.projects_of(budget)
    user = helpers.resident()
    with pytest.raises(ValidationError, match="empty"):
        services.budget_checkout(budget=budget, user=user)
    services.budget_basket_add(budget=budget, user=user, project=p3)  # 250k
    with pytest.raises(ValidationError) as refused:
        services.budget_checkout(budget=budget, user=user)
    text = " ".join(refused.value.messages)
    assert "at least 60" in text and "600,000" in text and "at least 2 projects" in text
    services.budget_basket_add(budget=budget, user=user, project=p2)  # 550k: still < 60 %
    with pytest.raises(ValidationError, match="at least 60"):
        services.budget_checkout(budget=budget, user=user)
    with pytest.raises(ValidationError, match="at most 2 projects"):
        services.budget_basket_add(budget=budget, user=user, project=p1)
    services.budget_basket_remove(budget=budget, user=user, project=p3)
    services.budget_basket_add(budget=budget, user=user, project=p1)  # 700k, 2 projects
    services.budget_checkout(budget=budget, user=user)
    assert selectors.budget_ballot_count(budget=budget) == 1


def test_checkout_refuses_a_basket_over_budget_even_if_built_around_the_checks(municipality):
    budget = helpers.budget(municipality)
    p1, p2, p3, p4 = helpers.projects_of(budget)
    user = helpers.resident()
    ballot = services.budget_basket_add(budget=budget, user=user, project=p1)
    for project in (p2, p4):  # written around the basket's checks: 1,300,000 in all
        BudgetBallotLine.objects.create(municipality=municipality, ballot=ballot, project=project)
    with pytest.raises(ValidationError, match="more than the budget"):
        services.budget_checkout(budget=budget, user=user)
    assert not BudgetParticipation.objects.exists()


def test_budget_eligibility_and_window(municipality):
    budget = helpers.budget(municipality, eligibility=Eligibility.VERIFIED)
    p1 = helpers.projects_of(budget)[0]
    with pytest.raises(PermissionDenied):
        services.budget_basket_add(budget=budget, user=helpers.resident(), project=p1)
    verified = helpers.resident(verified=True)
    with pytest.raises(ValidationError, match="closed"):
        services.budget_basket_add(budget=budget, user=verified, project=p1, now=budget.closes_at)
    poll_only = helpers.process(municipality, actions=("vote",))
    elsewhere = helpers.budget(municipality, proc=poll_only)
    with pytest.raises(ValidationError, match="phase"):
        services.budget_basket_add(
            budget=elsewhere, user=verified, project=helpers.projects_of(elsewhere)[0]
        )
    other = helpers.budget(municipality, proc=budget.process)
    with pytest.raises(ValidationError, match="not part of this budget"):
        services.budget_basket_add(
            budget=budget, user=verified, project=helpers.projects_of(other)[0]
        )


def test_budget_publish_ranks_projects_and_creates_results(municipality, admin_user):
    from thesaban.participation.models import Result

    now = timezone.now()
    proc = helpers.process(
        municipality, start=now - timedelta(days=10), end=now + timedelta(days=1)
    )
    budget = helpers.budget(
        municipality, proc=proc, opens_at=now - timedelta(days=5), closes_at=now - timedelta(days=1)
    )
    p1, p2, p3, p4 = helpers.projects_of(budget)  # 400k, 300k, 250k, 600k of 1,000,000
    during = budget.opens_at + timedelta(hours=1)
    baskets = [[p4, p3], [p4, p2], [p4], [p1, p2], [p1, p3]]  # p4 3, p1 2, p2 2, p3 2
    for basket in baskets:
        user = helpers.resident()
        for project in basket:
            services.budget_basket_add(budget=budget, user=user, project=project, now=during)
        services.budget_checkout(budget=budget, user=user, now=during)
    unconfirmed = helpers.resident()
    services.budget_basket_add(budget=budget, user=unconfirmed, project=p1, now=during)
    services.budget_results_publish(budget=budget, actor=admin_user)
    budget.refresh_from_db()
    tally = budget.published_tally
    assert tally["ballots"] == 5 and tally["participants"] == 5
    # p4 (3 votes, 600k) → 400k left; then 2 votes each, cheaper first: p3 250k fits → 150k
    # left, p2 300k does not fit, p1 400k does not fit.
    assert [(row["project"], row["votes"], row["outcome"]) for row in tally["projects"]] == [
        (p4.pk, 3, "selected"),
        (p3.pk, 2, "selected"),
        (p2.pk, 2, "does_not_fit"),
        (p1.pk, 2, "does_not_fit"),
    ]
    assert tally["allocated"] == "850000.00"
    assert selectors.budget_recount(budget=budget).matches
    results = Result.objects.filter(process=proc).order_by("id")
    assert [(r.title_th, r.budget) for r in results] == [
        (p4.title_th, p4.cost),
        (p3.title_th, p3.cost),
    ]
    assert [s.source for s in results[0].sources.all()] == [p4]
    services.budget_results_publish(budget=budget, actor=admin_user)  # again: nothing new
    assert Result.objects.filter(process=proc).count() == 2
    assert AuditEntry.objects.filter(action="voting.budget_publish").count() == 1


# --- staff services -------------------------------------------------------------------------


def _poll_data(proc, **changes):
    now = timezone.now()
    return {
        "process": proc,
        "title_th": "ถามความเห็น",
        "title_en": "Question",
        "description_th": "",
        "description_en": "",
        "kind": Poll.Kind.SINGLE,
        "max_choices": 0,
        "allows_change": True,
        "eligibility": Eligibility.ANY_ACCOUNT,
        "community": None,
        "community_check": CommunityCheck.VERIFIED,
        "results_visibility": "after_close",
        "opens_at": now,
        "closes_at": now + timedelta(days=1),
        "is_published": True,
        **changes,
    }


def test_poll_save_checks_dates_against_the_voting_phase(municipality, admin_user):
    proc = helpers.process(municipality)
    poll = services.poll_save(municipality=municipality, actor=admin_user, data=_poll_data(proc))
    assert AuditEntry.objects.filter(action="voting.poll_create", target_id=str(poll.pk)).exists()
    late = _poll_data(proc, closes_at=timezone.now() + timedelta(days=30))
    with pytest.raises(ValidationError) as error:
        services.poll_save(municipality=municipality, actor=admin_user, data=late)
    assert "opens_at" in error.value.error_dict
    wrong_phase = helpers.process(municipality, actions=("budget_vote",))
    with pytest.raises(ValidationError, match="phase"):
        services.poll_save(
            municipality=municipality, actor=admin_user, data=_poll_data(wrong_phase)
        )
    with pytest.raises(ValidationError) as error:
        services.poll_save(
            municipality=municipality,
            actor=admin_user,
            data=_poll_data(proc, eligibility=Eligibility.COMMUNITY),
        )
    assert "community" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.poll_save(
            municipality=municipality,
            actor=admin_user,
            data=_poll_data(proc, kind=Poll.Kind.MULTIPLE, max_choices=1),
        )
    assert "max_choices" in error.value.error_dict


def test_poll_save_refuses_another_municipalitys_process_and_viewers(
    municipality, other_municipality, admin_user, viewer
):
    foreign = helpers.process(other_municipality)
    with pytest.raises(ValidationError) as error:
        services.poll_save(municipality=municipality, actor=admin_user, data=_poll_data(foreign))
    assert "process" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        services.poll_save(
            municipality=municipality,
            actor=viewer,
            data=_poll_data(helpers.process(municipality)),
        )


def test_what_a_ballot_means_is_locked_after_the_first_vote(municipality, admin_user, resident):
    poll = helpers.poll(municipality)
    option = selectors.poll_options(poll=poll).first()
    services.poll_option_save(poll=poll, actor=admin_user, data={"title_th": "ใหม่"}, option=option)
    cast(poll, resident, option.pk)
    with pytest.raises(ValidationError, match="already voted"):
        services.poll_option_save(poll=poll, actor=admin_user, data={"title_th": "เพิ่ม"})
    with pytest.raises(ValidationError, match="already voted"):
        services.poll_option_delete(option=option, actor=admin_user)
    with pytest.raises(ValidationError) as error:
        services.poll_save(
            municipality=municipality,
            actor=admin_user,
            poll=poll,
            data={"kind": Poll.Kind.RANKED},
        )
    assert "kind" in error.value.error_dict
    # The title and the closing time may still change.
    services.poll_save(
        municipality=municipality, actor=admin_user, poll=poll, data={"title_th": "แก้ชื่อ"}
    )
    poll.refresh_from_db()
    assert poll.title_th == "แก้ชื่อ"
    assert AuditEntry.objects.filter(action="voting.poll_change").get().data == {"title_th": "แก้ชื่อ"}


def test_budget_save_and_project_rules(municipality, officer, resident):
    proc = helpers.process(municipality)
    now = timezone.now()
    data = {
        "process": proc,
        "title_th": "งบชุมชน",
        "total": Decimal("500000"),
        "min_spend_percent": 50,
        "min_projects": 3,
        "max_projects": 2,
        "eligibility": Eligibility.VERIFIED,
        "community": None,
        "community_check": CommunityCheck.VERIFIED,
        "results_visibility": "after_close",
        "opens_at": now,
        "closes_at": now + timedelta(days=2),
        "is_published": True,
        "title_en": "",
        "description_th": "",
        "description_en": "",
    }
    with pytest.raises(ValidationError) as error:
        services.budget_save(municipality=municipality, actor=officer, data=data)
    assert "max_projects" in error.value.error_dict
    budget = services.budget_save(
        municipality=municipality, actor=officer, data={**data, "max_projects": 0}
    )
    with pytest.raises(ValidationError, match="whole budget"):
        services.budget_project_save(
            budget=budget, actor=officer, data={"title_th": "ใหญ่", "cost": Decimal("600000")}
        )
    with pytest.raises(ValidationError, match="No proposal with the number 7"):
        services.budget_project_save(
            budget=budget,
            actor=officer,
            data={"title_th": "ถนน", "cost": Decimal("100000"), "proposal_numbers": [7]},
        )
    project = services.budget_project_save(
        budget=budget, actor=officer, data={"title_th": "ถนน", "cost": Decimal("100000")}
    )
    assert str(project) == "ถนน"
    assert project.get_absolute_url().endswith(f"/votes/budgets/{budget.pk}/projects/{project.pk}/")
    assert AuditEntry.objects.filter(action="voting.project_create").count() == 1
