"""200 voters casting and changing ballots at the same time, on PostgreSQL.

Each voter votes from two devices at once (two threads, each with its own database
connection), sending different ballots and retries, so the same person's requests race each
other as well as everyone else's. At the end every voter has exactly one ballot and one
participation row, and the published tally equals a recount of the stored ballots (and the
tally expected from each voter's final ballot).

SQLite serialises writers on the whole file, so it cannot show these races: the test skips.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone, translation

from tests import factories
from tests.voting import helpers
from thesaban.participation.voting import selectors, services
from thesaban.participation.voting.models import (
    BudgetBallot,
    BudgetParticipation,
    Poll,
    PollBallot,
    PollParticipation,
)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (concurrent writers); set DATABASE_URL=postgres://…",
)
VOTERS = 200
# Each thread holds a connection only while it talks to the database; the server allows 100
# connections in all, shared with other work, so at most this many are open at once.
CONNECTIONS = 30


def run_voters(work_per_device) -> list[BaseException]:
    """Start VOTERS × 2 threads together (a phone and a laptop per voter)."""
    gate = threading.Semaphore(CONNECTIONS)
    barrier = threading.Barrier(VOTERS * 2)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def step(fn):
        with gate:
            try:
                return fn()
            finally:
                connections.close_all()

    def target(voter: int, device: int) -> None:
        # The refusals are checked by their English wording (each thread starts in Thai).
        translation.activate("en")
        try:
            barrier.wait(timeout=60)
            for fn in work_per_device(voter, device):
                try:
                    step(fn)
                except ValidationError as error:  # expected refusals, e.g. "your ballot is final"
                    with lock:
                        errors.append(error)
        except BaseException as error:  # anything else fails the test below
            with lock:
                errors.append(error)

    threads = [
        threading.Thread(target=target, args=(voter, device))
        for voter in range(VOTERS)
        for device in (0, 1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return errors


@pytest.fixture
def town(transactional_db):
    return factories.MunicipalityFactory(slug="pgvote", tracking_prefix="PGV")


@pytest.fixture
def admin(town, make_staff):
    return make_staff(town, "administrator")


def test_200_concurrent_voters_casting_and_changing_poll_ballots(town, admin):
    poll = helpers.poll(town, kind=Poll.Kind.RANKED, options=("ก", "ข", "ค", "ง"))
    a, b, c, d = helpers.options_of(poll)
    voters = [factories.UserFactory() for _ in range(VOTERS)]
    # Device 0 votes, retries the same ballot, then changes it; device 1 votes differently.
    plans = {
        0: lambda i: [[a, b], [a, b], [c, a, b] if i % 3 else [d]],
        1: lambda i: [[b, c, d] if i % 2 else [d, c]],
    }

    def work(voter: int, device: int):
        user = voters[voter]
        return [
            (
                lambda ranking=ranking: services.poll_ballot_cast(
                    poll=poll, user=user, option_ids=ranking
                )
            )
            for ranking in plans[device](voter)
        ]

    errors = run_voters(work)
    assert [e for e in errors if not isinstance(e, ValidationError)] == []
    assert errors == []  # the poll allows changes: every request is accepted

    assert PollParticipation.objects.filter(poll=poll).count() == VOTERS
    assert PollBallot.objects.filter(poll=poll).count() == VOTERS
    assert PollParticipation.objects.filter(poll=poll).values("user").distinct().count() == VOTERS
    finals = [tuple(selectors.poll_my_choices(poll=poll, user=user)) for user in voters]
    for index, ranking in enumerate(finals):
        sent = {tuple(r) for device in (0, 1) for r in plans[device](index)}
        assert ranking in sent  # one of the ballots the voter sent, whole, never a mix

    services.poll_results_publish(poll=poll, actor=admin, now=poll.closes_at + timedelta(seconds=1))
    poll.refresh_from_db()
    assert selectors.poll_recount(poll=poll).matches
    first_preferences = Counter(ranking[0] for ranking in finals)
    assert poll.published_tally["rounds"][0]["counts"] == {
        str(option): first_preferences[option] for option in (a, b, c, d)
    }
    assert poll.published_tally["ballots"] == poll.published_tally["participants"] == VOTERS


def test_200_concurrent_voters_filling_and_checking_out_budget_baskets(town, admin):
    budget = helpers.budget(town, costs=("400000", "300000", "250000"))  # of 1,000,000
    p1, p2, p3 = helpers.projects_of(budget)
    voters = [factories.UserFactory() for _ in range(VOTERS)]

    def work(voter: int, device: int):
        user = voters[voter]

        def add(project):
            return lambda: services.budget_basket_add(budget=budget, user=user, project=project)

        def remove(project):
            return lambda: services.budget_basket_remove(budget=budget, user=user, project=project)

        def checkout():
            return services.budget_checkout(budget=budget, user=user)

        if device == 0:
            return [add(p1), add(p2), add(p1), checkout, checkout]
        return [add(p3), remove(p1), checkout]

    errors = run_voters(work)
    unexpected = [e for e in errors if not isinstance(e, ValidationError)]
    assert unexpected == []
    # The only refusal allowed: changing a basket that the other device already checked out.
    for error in errors:
        assert "final" in " ".join(error.messages) or "empty" in " ".join(error.messages)

    assert BudgetParticipation.objects.filter(budget=budget).count() == VOTERS
    assert BudgetBallot.objects.filter(budget=budget).count() == VOTERS
    assert BudgetBallot.objects.filter(budget=budget, checked_out=True).count() == VOTERS
    expected = Counter()
    for user in voters:
        basket = selectors.budget_basket(budget=budget, user=user)
        assert basket.checked_out and basket.projects
        assert basket.spent <= budget.total
        expected.update(project.pk for project in basket.projects)

    services.budget_results_publish(
        budget=budget, actor=admin, now=budget.closes_at + timedelta(seconds=1)
    )
    budget.refresh_from_db()
    assert selectors.budget_recount(budget=budget).matches
    published = {row["project"]: row["votes"] for row in budget.published_tally["projects"]}
    assert published == {p.pk: expected[p.pk] for p in (p1, p2, p3)}
    assert budget.published_tally["ballots"] == VOTERS
    assert timezone.now() < budget.closes_at  # published "after closing" by the given clock
