"""Opinion-group pages without JavaScript: vote with a POST, add a statement, see the map;
the staff moderation queue, seeding and recomputing."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.participation.test_opinions_helpers import make_opinion_process, make_resident, seed
from thesaban.participation.models import Phase
from thesaban.participation.opinions import selectors, services
from thesaban.participation.opinions.models import Statement, StatementVote

pytestmark = pytest.mark.django_db


@pytest.fixture
def process(municipality):
    return make_opinion_process(municipality)


@pytest.fixture
def statements(process, admin_user):
    return seed(process, admin_user, *[f"ข้อเสนอที่ {n}" for n in range(1, 9)])


def _client(user=None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertions read English
    if user is not None:
        client.force_login(user)
    return client


def _process_url(process):
    return reverse("participation:process", args=[process.municipality.slug, process.slug])


def _vote_url(process, statement):
    return reverse("opinions:vote", args=[process.municipality.slug, process.slug, statement.pk])


def _crowd(process, statements, people=10, pseudonym_prefix="คนที่"):
    users = []
    for index in range(people):
        user = make_resident(process.municipality, pseudonym=f"{pseudonym_prefix}{index}")
        users.append(user)
        for number, statement in enumerate(statements):
            camp = 1 if index % 2 else -1
            choice = 1 if number == 0 else camp * (1 if number % 2 else -1)
            services.statement_vote(statement=statement, user=user, choice=choice)
    return users


def test_the_process_page_shows_the_panel_with_three_buttons(process, statements):
    user = make_resident(process.municipality)
    with translation.override("en"):
        response = _client(user).get(_process_url(process), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="opinions"' in html and statements[0].text in html
    assert 'name="choice" value="1"' in html and 'value="-1"' in html and 'value="0"' in html
    assert "You have voted on 0 of 8 statements." in html
    assert "The map appears when enough people have voted." in html


def test_a_vote_without_javascript_and_the_map_after_it(
    process, statements, django_capture_on_commit_callbacks
):
    crowd = _crowd(process, statements)
    me = make_resident(process.municipality)
    client = _client(me)
    with django_capture_on_commit_callbacks(execute=True):
        for statement in statements:
            response = client.post(
                _vote_url(process, statement),
                {"choice": "1", "next": _process_url(process) + "#opinions"},
            )
            assert response.status_code == 302
            assert response.url == _process_url(process) + "#opinions"
    assert StatementVote.objects.filter(participant__user=me).count() == len(statements)
    with translation.override("en"):
        html = client.get(_process_url(process), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<svg" in html and 'class="me"' in html and "You are in group" in html
    assert "Group A" in html and "Group B" in html
    assert "What every group tends to agree with" in html and statements[0].text in html
    assert "Computed at" in html
    # Public: no pseudonym or e-mail of anyone who voted.
    for user in crowd:
        participant = selectors.participant_of(process=process, user=user)
        assert participant.pseudonym not in html
        assert user.email not in html
    # Another visitor sees the map but no highlighted mark.
    other = _client().get(_process_url(process)).content.decode()
    assert "<svg" in other and 'class="me"' not in other


def test_changing_a_vote_and_the_opinions_page(process, statements):
    user = make_resident(process.municipality)
    client = _client(user)
    client.post(_vote_url(process, statements[0]), {"choice": "1"})
    response = client.post(_vote_url(process, statements[0]), {"choice": "0"}, follow=True)
    assert response.status_code == 200
    assert StatementVote.objects.get(participant__user=user).choice == 0
    page = reverse("opinions:process", args=[process.municipality.slug, process.slug])
    assert response.redirect_chain[-1][0].startswith(page)
    html = response.content.decode()
    assert statements[1].text in html and "<details" in html and " open" in html


def test_anonymous_visitors_sign_in_to_vote(process, statements):
    response = _client().post(_vote_url(process, statements[0]), {"choice": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not StatementVote.objects.exists()


def test_bad_choice_and_foreign_next_are_refused(process, statements):
    client = _client(make_resident(process.municipality))
    response = client.post(
        _vote_url(process, statements[0]), {"choice": "7", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and "evil" not in response.url
    assert not StatementVote.objects.exists()


def test_a_closed_phase_says_so(municipality, admin_user):
    closed = make_opinion_process(municipality, slug="closed", actions=[Phase.Action.COMMENT])
    (statement,) = seed(closed, admin_user, "ปิดแล้ว")
    client = _client(make_resident(municipality))
    with translation.override("en"):
        response = client.post(
            _vote_url(closed, statement), {"choice": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
    html = response.content.decode()
    assert "Voting on statements is not open in the current phase" in html
    assert not StatementVote.objects.exists()
    assert 'name="choice"' not in html


def test_pending_and_rejected_statements_are_not_public(process, statements, admin_user):
    user = make_resident(process.municipality)
    pending = services.statement_create(process=process, user=user, text="ยังรออยู่")
    html = _client(user).get(_process_url(process)).content.decode()
    assert "ยังรออยู่" not in html
    assert _client(user).post(_vote_url(process, pending), {"choice": "1"}).status_code == 404


def test_adding_a_statement_goes_to_moderation(process, statements):
    user = make_resident(process.municipality)
    url = reverse("opinions:statement_new", args=[process.municipality.slug, process.slug])
    with translation.override("en"):
        response = _client(user).post(
            url,
            {"text": "ควรมีที่นั่งพักริมทาง", "next": _process_url(process)},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert "once a moderator has approved it" in response.content.decode()
    statement = Statement.objects.get(text="ควรมีที่นั่งพักริมทาง")
    assert statement.status == Statement.Status.PENDING
    too_long = _client(user).post(url, {"text": "ก" * 200})
    assert too_long.status_code == 200 and not Statement.objects.filter(text="ก" * 200).exists()


def test_staff_moderate_seed_and_recompute(process, statements, admin_user, viewer):
    resident = make_resident(process.municipality)
    pending = services.statement_create(process=process, user=resident, text="รอตรวจ")
    slug = process.municipality.slug
    page = reverse("staff:opinions:process", args=[slug, process.slug])
    admin = _client(admin_user)
    html = admin.get(page).content.decode()
    assert "รอตรวจ" in html and 'value="approve"' in html
    moderate = reverse("staff:opinions:moderate", args=[slug, process.slug, pending.pk])
    assert admin.post(moderate, {"decision": "approve"}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == Statement.Status.APPROVED
    assert admin.post(page, {"text": "ข้อความจากเจ้าหน้าที่"}).status_code == 302
    assert Statement.objects.get(text="ข้อความจากเจ้าหน้าที่").status == Statement.Status.APPROVED
    _crowd(process, statements, people=6)
    recompute = reverse("staff:opinions:recompute", args=[slug, process.slug])
    assert admin.post(recompute).status_code == 302
    assert selectors.opinion_map_of(process=process).n_clustered == 6
    assert "<svg" in admin.get(page).content.decode()
    index = admin.get(reverse("staff:opinions:index", args=[slug]))
    assert index.status_code == 200 and process.title_en in index.content.decode()
    # A viewer sees the pages but cannot moderate or recompute.
    looker = _client(viewer)
    assert looker.get(page).status_code == 200
    other = services.statement_create(process=process, user=resident, text="อีกข้อ")
    moderate_other = reverse("staff:opinions:moderate", args=[slug, process.slug, other.pk])
    assert looker.post(moderate_other, {"decision": "approve"}).status_code == 403
    assert looker.post(recompute).status_code == 403
    other.refresh_from_db()
    assert other.status == Statement.Status.PENDING
