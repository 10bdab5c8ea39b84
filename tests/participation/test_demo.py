import pytest
from django.utils import timezone

from tests import factories
from thesaban.participation import demo, selectors
from thesaban.participation.models import Process, Proposal, Result
from thesaban.participation.voting import selectors as selectors_voting
from thesaban.participation.voting.models import Budget, Poll

pytestmark = pytest.mark.django_db


def test_demo_participation_loads_once_and_shows_the_feedback_loop(municipality, admin_user):
    residents = [factories.UserFactory() for _ in range(10)]
    plan = demo.load(
        municipality=municipality, residents=residents, administrator=admin_user, now=timezone.now()
    )
    assert plan is not None and plan.current_phase().allows("propose")
    assert Proposal.objects.filter(process=plan).count() == len(demo.PROPOSALS)
    assert Proposal.objects.filter(process=plan).exclude(answer="").count() == 4
    assert Result.objects.filter(process=plan).count() == 2
    outcomes = selectors.you_said_we_did(municipality=municipality)
    assert any(outcome.results for outcome in outcomes)
    # The participatory budget and a ranked question, with residents' votes.
    budget = Budget.objects.get(process__slug="pb-2570")
    assert budget.projects.count() == len(demo.BUDGET_PROJECTS)
    assert selectors_voting.budget_ballot_count(budget=budget) > 0
    poll = Poll.objects.get(process__slug="pb-2570")
    assert selectors_voting.poll_ballot_count(poll=poll) == 10
    assert selectors_voting.poll_recount(poll=poll) is not None
    again = demo.load(
        municipality=municipality, residents=residents, administrator=admin_user, now=timezone.now()
    )
    assert again is None and Process.objects.count() == 2
