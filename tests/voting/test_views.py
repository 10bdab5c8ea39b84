"""The pages: voting and the basket without JavaScript, results, staff forms, privacy."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.voting import helpers
from thesaban.core.models import AuditEntry
from thesaban.participation.voting import selectors, services
from thesaban.participation.voting.models import (
    BudgetBallot,
    BudgetParticipation,
    Poll,
    PollBallot,
    PollOption,
)

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name, municipality, **kwargs):
    return reverse(name, kwargs={"municipality": municipality.slug, **kwargs})


def test_index_lists_published_polls_and_budgets_only(municipality):
    poll = helpers.poll(municipality)
    budget = helpers.budget(municipality, proc=poll.process)
    hidden = helpers.poll(municipality, proc=poll.process)
    hidden.title_th = "ลับ ยังไม่เผยแพร่"
    hidden.is_published = False
    hidden.save()
    body = client_for().get(url("voting:index", municipality)).content.decode()
    assert poll.get_absolute_url() in body and budget.get_absolute_url() in body
    assert "ลับ ยังไม่เผยแพร่" not in body
    assert client_for().get(hidden.get_absolute_url()).status_code == 404


def test_vote_and_change_a_single_choice_ballot_with_plain_forms(municipality):
    poll = helpers.poll(municipality)
    a, b, _c = helpers.options_of(poll)
    voter = factories.UserFactory()
    client = client_for(voter)
    page = client.get(poll.get_absolute_url())
    assert page.status_code == 200
    assert 'type="radio"' in page.content.decode()
    vote = url("voting:poll_vote", municipality, poll_id=poll.pk)
    assert client.post(vote, {"choice": a}).status_code == 302
    assert client.post(vote, {"choice": a}).status_code == 302  # double submit
    response = client.post(vote, {"choice": b}, follow=True)
    assert (
        "Your ballot has been changed." in response.content.decode()
        or "เปลี่ยน" in response.content.decode()
    )
    assert PollBallot.objects.filter(poll=poll).count() == 1
    assert selectors.poll_my_choices(poll=poll, user=voter) == [b]
    # No choice: a precise error on the page, not a 500.
    empty = client.post(vote, {})
    assert empty.status_code == 200
    assert "errorlist" in empty.content.decode()


def test_ranked_ballot_form_without_javascript(municipality):
    poll = helpers.poll(municipality, kind=Poll.Kind.RANKED)
    a, b, c = helpers.options_of(poll)
    client = client_for(factories.UserFactory())
    vote = url("voting:poll_vote", municipality, poll_id=poll.pk)
    same_rank = client.post(vote, {f"rank_{a}": "1", f"rank_{b}": "1"})
    assert same_rank.status_code == 200
    assert not PollBallot.objects.exists()
    assert client.post(vote, {f"rank_{c}": "1", f"rank_{a}": "2"}).status_code == 302
    ballot = PollBallot.objects.get()
    assert list(ballot.choices.order_by("rank").values_list("option_id", flat=True)) == [c, a]


def test_anonymous_visitors_are_sent_to_sign_in_and_ineligible_ones_told_why(municipality):
    poll = helpers.poll(municipality, eligibility="verified")
    vote = url("voting:poll_vote", municipality, poll_id=poll.pk)
    response = client_for().post(vote, {"choice": helpers.options_of(poll)[0]})
    assert response.status_code == 302 and "/accounts/" in response.url
    page = client_for(factories.UserFactory()).get(poll.get_absolute_url())
    assert page.status_code == 200
    assert page.context["ineligible_reason"]
    assert page.context["form"] is None


def test_results_hidden_until_closing_then_counts_only(municipality):
    poll = helpers.poll(municipality)
    a = helpers.options_of(poll)[0]
    voter = factories.UserFactory(display_name="Somchai Secretvoter")
    services.poll_ballot_cast(poll=poll, user=voter, option_ids=[a])
    page = client_for().get(poll.get_absolute_url())
    assert page.context["results"] is None
    Poll.objects.filter(pk=poll.pk).update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(days=1)
    )
    for viewer in (None, factories.UserFactory()):
        body = client_for(viewer).get(poll.get_absolute_url()).content.decode()
        assert "results-title" in body
        assert "Somchai Secretvoter" not in body and voter.email not in body


def test_budget_basket_flow_with_plain_forms(municipality):
    budget = helpers.budget(municipality)  # 400k, 300k, 250k, 600k of 1,000,000
    p1, p2, p3, p4 = helpers.projects_of(budget)
    voter = factories.UserFactory()
    client = client_for(voter)
    page = client.get(budget.get_absolute_url())
    assert page.status_code == 200
    body = page.content.decode()
    assert "1,000,000" in body

    def add(p):
        return url("voting:basket_add", municipality, budget_id=budget.pk, project_id=p.pk)

    def remove(p):
        return url("voting:basket_remove", municipality, budget_id=budget.pk, project_id=p.pk)

    assert client.post(add(p1)).status_code == 302
    assert client.post(add(p1)).status_code == 302
    assert client.post(add(p4)).status_code == 302
    refused = client.post(add(p2), follow=True)
    assert refused.status_code == 200
    assert [p.pk for p in selectors.budget_basket(budget=budget, user=voter).projects] == [
        p1.pk,
        p4.pk,
    ]
    client.post(remove(p4))
    client.post(add(p2))
    checkout = url("voting:checkout", municipality, budget_id=budget.pk)
    assert client.post(checkout).status_code == 302
    assert client.post(checkout).status_code == 302  # double submit
    assert BudgetParticipation.objects.count() == 1 and BudgetBallot.objects.count() == 1
    final = client.get(budget.get_absolute_url())
    assert final.context["basket"].checked_out
    assert not final.context["can_vote"]
    assert url("voting:checkout", municipality, budget_id=budget.pk) not in final.content.decode()
    project_page = client.get(p1.get_absolute_url())
    assert project_page.status_code == 200


def test_budget_results_after_closing_in_baht(municipality):
    budget = helpers.budget(municipality)
    p1 = helpers.projects_of(budget)[0]
    voter = factories.UserFactory()
    services.budget_basket_add(budget=budget, user=voter, project=p1)
    services.budget_checkout(budget=budget, user=voter)
    budget.closes_at = timezone.now() - timedelta(minutes=1)
    budget.opens_at = timezone.now() - timedelta(days=1)
    budget.save()
    response = client_for().get(budget.get_absolute_url() + "?lang=en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "400,000 baht" in body and "Selected" in body
    thai = client_for().get(budget.get_absolute_url()).content.decode()
    assert "400,000 บาท" in thai or "400,000 baht" in thai


def test_other_municipalitys_poll_is_404(municipality, other_municipality):
    poll = helpers.poll(other_municipality)
    assert client_for().get(url("voting:poll", municipality, poll_id=poll.pk)).status_code == 404
    budget = helpers.budget(other_municipality)
    assert (
        client_for().get(url("voting:budget", municipality, budget_id=budget.pk)).status_code == 404
    )


# --- staff ------------------------------------------------------------------------------------


def test_staff_create_a_poll_add_options_and_publish(municipality, admin_user):
    client = client_for(admin_user)
    proc = helpers.process(municipality)
    now = timezone.localtime()
    assert client.get(url("staff:voting:index", municipality)).status_code == 200
    response = client.post(
        url("staff:voting:poll_create", municipality),
        {
            "process": proc.pk,
            "title_th": "สร้างสวนหรือลานกีฬา",
            "kind": "single",
            "max_choices": "0",
            "allows_change": "on",
            "eligibility": "any",
            "community_check": "verified",
            "results_visibility": "after_close",
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "is_published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    poll = Poll.objects.get(title_th="สร้างสวนหรือลานกีฬา")
    for title in ("สวน", "ลานกีฬา"):
        added = client.post(
            url("staff:voting:option_create", municipality, poll_id=poll.pk),
            {"title_th": title, "order": ""},
        )
        assert added.status_code == 302
    assert PollOption.objects.filter(poll=poll).count() == 2
    detail = client.get(url("staff:voting:poll", municipality, poll_id=poll.pk))
    assert detail.status_code == 200
    publish = client.post(
        url("staff:voting:poll_publish", municipality, poll_id=poll.pk), follow=True
    )
    assert publish.status_code == 200
    poll.refresh_from_db()
    assert poll.published_tally is None  # still open: refused with a message
    assert AuditEntry.objects.filter(action="voting.option_create").count() == 2


def test_staff_form_errors_are_shown_not_500(municipality, admin_user):
    client = client_for(admin_user)
    proc = helpers.process(municipality)
    response = client.post(
        url("staff:voting:budget_create", municipality),
        {
            "process": proc.pk,
            "title_th": "งบ",
            "total": "100000",
            "min_spend_percent": "0",
            "min_projects": "1",
            "max_projects": "0",
            "eligibility": "community",
            "community_check": "declared",
            "results_visibility": "after_close",
            "opens_at": "2020-01-01T10:00",
            "closes_at": "2020-01-02T10:00",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "errorlist" in body


def test_viewers_see_but_cannot_create_or_publish(municipality, viewer):
    client = client_for(viewer)
    assert client.get(url("staff:voting:index", municipality)).status_code == 200
    assert client.get(url("staff:voting:poll_create", municipality)).status_code == 403
    poll = helpers.poll(municipality)
    assert (
        client.post(url("staff:voting:poll_publish", municipality, poll_id=poll.pk)).status_code
        == 403
    )


def test_no_staff_page_shows_who_voted(municipality, admin_user):
    poll = helpers.poll(municipality)
    budget = helpers.budget(municipality, proc=poll.process)
    voter = factories.UserFactory(display_name="Malee Voterprivate")
    services.poll_ballot_cast(poll=poll, user=voter, option_ids=[helpers.options_of(poll)[0]])
    services.budget_basket_add(budget=budget, user=voter, project=helpers.projects_of(budget)[0])
    services.budget_checkout(budget=budget, user=voter)
    client = client_for(admin_user)
    for page in (
        url("staff:voting:index", municipality),
        url("staff:voting:poll", municipality, poll_id=poll.pk),
        url("staff:voting:budget", municipality, budget_id=budget.pk),
    ):
        body = client.get(page).content.decode()
        assert "Malee Voterprivate" not in body and voter.email not in body
    ballot = PollBallot.objects.get()
    assert (
        ballot.voter_key
        not in client.get(url("staff:voting:poll", municipality, poll_id=poll.pk)).content.decode()
    )
