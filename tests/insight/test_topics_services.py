"""Themes in comments inside the app: the request → task → ready flow, what is read (never
hidden comments), publishing to the process page, permissions and tenant isolation."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.insight.test_topics_clustering import PLANTED, planted_corpus
from tests.participation.conftest import make_process, make_resident
from thesaban.accounts.services import staff_role_grant
from thesaban.core.models import AuditEntry
from thesaban.insight.topics import clustering, services
from thesaban.insight.topics.models import TopicAnalysis
from thesaban.participation.models import (
    Comment,
    ConsultationDocument,
    Debate,
    DocumentSection,
    Participant,
    Proposal,
)


def participants(municipality, n=4):
    found = []
    for index in range(n):
        user = make_resident(municipality, pseudonym=f"นามแฝง{municipality.slug}{index}")
        found.append(Participant.objects.get(municipality=municipality, user=user))
    return found


def debate_of(process, author):
    return Debate.objects.create(
        municipality=process.municipality,
        process=process,
        number=Debate.objects.filter(process=process).count() + 1,
        author=author,
        title="อภิปราย",
        body="...",
    )


def section_of(process, heading="หมวด 1", slug="draft"):
    document, _ = ConsultationDocument.objects.get_or_create(
        municipality=process.municipality,
        process=process,
        slug=slug,
        defaults={"title_th": "ร่างแผน", "is_published": True},
    )
    return DocumentSection.objects.create(
        municipality=process.municipality, document=document, heading_th=heading, body_th="..."
    )


def add_comments(process, texts, *, target, authors, **fields):
    """Comments written straight into the table (the service rate-limits a person)."""
    field = {Debate: "debate", DocumentSection: "section", Proposal: "proposal"}[type(target)]
    return [
        Comment.objects.create(
            municipality=process.municipality,
            process=process,
            author=authors[index % len(authors)],
            body=text,
            **{field: target},
            **fields,
        )
        for index, text in enumerate(texts)
    ]


@pytest.fixture
def process(municipality):
    return make_process(municipality, slug="plan")


@pytest.fixture
def planted(process):
    """120 comments on a debate of `process`, three planted themes."""
    authors = participants(process.municipality)
    debate = debate_of(process, authors[0])
    corpus, truth = planted_corpus()
    comments = add_comments(process, [text for _i, text in corpus], target=debate, authors=authors)
    return {c.pk: truth[i] for c, (i, _text) in zip(comments, corpus, strict=True)}


def compute(process, actor, django_capture_on_commit_callbacks, section=None):
    with django_capture_on_commit_callbacks(execute=True):
        analysis = services.topic_analysis_request(process=process, section=section, actor=actor)
    analysis.refresh_from_db()
    return analysis


def staff_client(user):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the assertions read English
    return client


def public_client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def scope_url(process, section=None):
    slug = process.municipality.slug
    if section is None:
        return reverse("staff:topics:process", args=[slug, process.slug])
    return reverse("staff:topics:section", args=[slug, process.slug, section.pk])


# -- the flow --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_runs_as_a_task_and_stores_the_themes(
    process, planted, officer, django_capture_on_commit_callbacks
):
    analysis = compute(process, officer, django_capture_on_commit_callbacks)
    assert analysis.status == TopicAnalysis.Status.READY
    assert analysis.progress == 100
    assert analysis.n_comments == 120
    assert analysis.computed_at is not None and analysis.created_by == officer
    assert analysis.seed == clustering.DEFAULT_SEED
    assert analysis.parameters == clustering.Parameters().as_dict()
    comments = Comment.objects.filter(process=process).values_list("pk", "body")
    assert analysis.input_fingerprint == clustering.fingerprint(comments)
    assert len(analysis.themes) == 3
    for theme in analysis.themes:
        planted_names = {planted[i] for i in theme["members"]}
        assert len(planted_names) == 1
        assert set(theme["keywords"]) & set(PLANTED[planted_names.pop()])
    assert AuditEntry.objects.filter(action="topics.request", target_id=str(analysis.pk)).exists()
    assert not analysis.is_public  # staff decide


@pytest.mark.django_db
def test_a_second_request_while_one_runs_returns_it(process, planted, officer):
    first = services.topic_analysis_request(process=process, actor=officer, enqueue=False)
    again = services.topic_analysis_request(process=process, actor=officer, enqueue=False)
    assert again.pk == first.pk and first.status == TopicAnalysis.Status.QUEUED
    services.topic_analysis_run(analysis_id=first.pk)
    # Running it twice (a retried task) changes nothing.
    assert services.topic_analysis_run(analysis_id=first.pk).status == TopicAnalysis.Status.READY


@pytest.mark.django_db
def test_hidden_comments_and_comments_on_hidden_proposals_are_not_read(
    process, planted, officer, django_capture_on_commit_callbacks
):
    authors = list(Participant.objects.filter(municipality=process.municipality))
    hidden = list(Comment.objects.filter(process=process).order_by("pk")[:10])
    Comment.objects.filter(pk__in=[c.pk for c in hidden]).update(is_hidden=True)
    proposal = Proposal.objects.create(
        municipality=process.municipality,
        process=process,
        number=1,
        author=authors[0],
        title="ซ่อนแล้ว",
        body="...",
        topic="other",
        is_hidden=True,
    )
    secret = add_comments(process, ["ความลับ ซ่อนไว้ ไม่ควรเห็น"] * 5, target=proposal, authors=authors)
    analysis = compute(process, officer, django_capture_on_commit_callbacks)
    assert analysis.n_comments == 110
    read = {i for theme in analysis.themes for i in theme["members"]}
    assert not read & {c.pk for c in hidden + secret}


@pytest.mark.django_db
def test_a_section_analysis_reads_only_that_sections_comments(
    process, planted, officer, django_capture_on_commit_callbacks
):
    section = section_of(process)
    authors = list(Participant.objects.filter(municipality=process.municipality))
    texts = [f"ไฟส่องสว่าง ดับ ซอย มืด อันตราย {i}" for i in range(8)]
    texts += [f"ทางเท้า แตก ชำรุด ซ่อม สะดุด {i}" for i in range(8)]
    mine = add_comments(process, texts, target=section, authors=authors)
    analysis = compute(process, officer, django_capture_on_commit_callbacks, section=section)
    assert analysis.section == section and analysis.n_comments == 16
    assert {i for theme in analysis.themes for i in theme["members"]} == {c.pk for c in mine}
    other = section_of(process, heading="หมวด 2", slug="other")
    with pytest.raises(ValidationError):
        services.topic_analysis_request(
            process=make_process(process.municipality, slug="other"), section=other, actor=officer
        )


@pytest.mark.django_db
def test_too_few_comments_say_so_on_the_staff_page(
    process, officer, django_capture_on_commit_callbacks
):
    authors = participants(process.municipality, 2)
    add_comments(
        process,
        ["ถนนชำรุด", "ไฟดับ", "น้ำท่วม"],
        target=debate_of(process, authors[0]),
        authors=authors,
    )
    analysis = compute(process, officer, django_capture_on_commit_callbacks)
    assert analysis.status == TopicAnalysis.Status.READY and analysis.too_few
    with translation.override("en"):
        page = staff_client(officer).get(scope_url(process))
    assert page.status_code == 200
    assert "Not enough comments to find themes" in page.content.decode()
    with pytest.raises(ValidationError):
        services.topic_analysis_publish(analysis=analysis, actor=officer)


@pytest.mark.django_db
def test_a_failure_is_recorded_and_shown(process, planted, officer, monkeypatch):
    def broken(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(clustering, "cluster_comments", broken)
    analysis = services.topic_analysis_request(process=process, actor=officer, enqueue=False)
    analysis = services.topic_analysis_run(analysis_id=analysis.pk)
    assert analysis.status == TopicAnalysis.Status.FAILED and "memory" in analysis.error
    with translation.override("en"):
        page = staff_client(officer).get(scope_url(process)).content.decode()
    assert "could not be computed" in page


@pytest.mark.django_db
def test_while_it_runs_the_page_shows_progress_and_refreshes(process, planted, officer):
    analysis = services.topic_analysis_request(process=process, actor=officer, enqueue=False)
    TopicAnalysis.objects.filter(pk=analysis.pk).update(status="running", progress=40)
    page = staff_client(officer).get(scope_url(process)).content.decode()
    assert '<progress id="topic-progress" max="100" value="40">' in page
    assert 'http-equiv="refresh"' in page
    assert "disabled" in page  # no second computation while this one runs


# -- the staff page and publishing -----------------------------------------------------------


@pytest.mark.django_db
def test_the_staff_page_shows_themes_as_a_machine_summary_with_pseudonyms_only(
    process, planted, admin_user, django_capture_on_commit_callbacks
):
    compute(process, admin_user, django_capture_on_commit_callbacks)
    with translation.override("en"):
        response = staff_client(admin_user).get(scope_url(process))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Machine summary of 120 comments" in page and "may be imperfect" in page
    assert page.count('class="card topic-theme"') == 3
    assert "ขุดลอก" in page or "น้ำท่วม" in page
    assert "นามแฝงalpha" in page  # authors by pseudonym
    for participant in Participant.objects.filter(municipality=process.municipality):
        assert participant.user.email not in page
    assert "Publish to the public page" in page
    assert "<table" in page and "Share" in page  # the figures beside the bars


@pytest.mark.django_db
def test_publishing_toggles_the_panel_on_the_public_process_page(
    process, planted, officer, django_capture_on_commit_callbacks
):
    analysis = compute(process, officer, django_capture_on_commit_callbacks)
    public_url = reverse("participation:process", args=[process.municipality.slug, process.slug])
    keyword = analysis.themes[0]["keywords"][0]
    with translation.override("en"):
        before = public_client().get(public_url).content.decode()
    assert "What the comments are about" not in before

    response = staff_client(officer).post(
        reverse("staff:topics:publish", args=[process.municipality.slug, process.slug]),
        {"analysis": analysis.pk, "public": "1"},
    )
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.is_public and analysis.published_by == officer
    assert AuditEntry.objects.filter(action="topics.publish", actor=officer).exists()
    with translation.override("en"):
        shown = public_client().get(public_url).content.decode()
    assert "What the comments are about" in shown and keyword in shown
    assert "machine summary" in shown.lower()
    # A representative hidden by a moderator since is left out of the public page.
    representative = analysis.themes[0]["representatives"][0]
    Comment.objects.filter(pk=representative["id"]).update(is_hidden=True)
    assert representative["excerpt"] not in public_client().get(public_url).content.decode()

    staff_client(officer).post(
        reverse("staff:topics:publish", args=[process.municipality.slug, process.slug]),
        {"analysis": analysis.pk, "public": "0"},
    )
    with translation.override("en"):
        after = public_client().get(public_url).content.decode()
    assert "What the comments are about" not in after
    assert AuditEntry.objects.filter(action="topics.unpublish").exists()


@pytest.mark.django_db
def test_publishing_a_new_analysis_withdraws_the_older_one(
    process, planted, officer, django_capture_on_commit_callbacks
):
    old = compute(process, officer, django_capture_on_commit_callbacks)
    services.topic_analysis_publish(analysis=old, actor=officer)
    new = compute(process, officer, django_capture_on_commit_callbacks)
    assert new.pk != old.pk
    services.topic_analysis_publish(analysis=new, actor=officer)
    old.refresh_from_db()
    assert not old.is_public
    assert list(TopicAnalysis.objects.filter(is_public=True)) == [new]


@pytest.mark.django_db
def test_a_section_analysis_of_an_unpublished_document_stays_off_the_public_page(
    process, officer, django_capture_on_commit_callbacks
):
    section = section_of(process, slug="hidden-draft")
    ConsultationDocument.objects.filter(pk=section.document_id).update(is_published=False)
    authors = participants(process.municipality)
    corpus, _truth = planted_corpus(per_theme=8)
    add_comments(process, [text for _i, text in corpus], target=section, authors=authors)
    analysis = compute(process, officer, django_capture_on_commit_callbacks, section=section)
    services.topic_analysis_publish(analysis=analysis, actor=officer)
    with translation.override("en"):
        page = Client().get(
            reverse("participation:process", args=[process.municipality.slug, process.slug])
        )
    assert "What the comments are about" not in page.content.decode()


# -- who may do what -------------------------------------------------------------------------


@pytest.mark.django_db
def test_rules(municipality, admin_user, officer, viewer, resident):
    for user in (admin_user, officer):
        assert user.has_perm("topics.view", municipality)
        assert user.has_perm("topics.compute", municipality)
        assert user.has_perm("topics.publish", municipality)
    assert viewer.has_perm("topics.view", municipality)
    assert not viewer.has_perm("topics.compute", municipality)
    assert not viewer.has_perm("topics.publish", municipality)
    assert not resident.has_perm("topics.view", municipality)


@pytest.mark.django_db
def test_a_viewer_reads_but_cannot_compute_or_publish(
    process, planted, viewer, officer, django_capture_on_commit_callbacks
):
    analysis = compute(process, officer, django_capture_on_commit_callbacks)
    client = staff_client(viewer)
    page = client.get(scope_url(process))
    assert page.status_code == 200
    assert b'/compute/"' not in page.content and b'name="public"' not in page.content
    slug = process.municipality.slug
    assert (
        client.post(reverse("staff:topics:compute", args=[slug, process.slug])).status_code == 403
    )
    response = client.post(
        reverse("staff:topics:publish", args=[slug, process.slug]),
        {"analysis": analysis.pk, "public": "1"},
    )
    assert response.status_code == 403
    analysis.refresh_from_db()
    assert not analysis.is_public
    with pytest.raises(PermissionDenied):
        services.topic_analysis_request(process=process, actor=viewer)
    with pytest.raises(PermissionDenied):
        services.topic_analysis_publish(analysis=analysis, actor=viewer)


@pytest.mark.django_db
def test_the_index_lists_processes_with_their_comment_counts(process, planted, viewer):
    page = staff_client(viewer).get(reverse("staff:topics:index", args=["alpha"]))
    assert page.status_code == 200
    assert scope_url(process).encode() in page.content
    assert b"<td>120</td>" in page.content


@pytest.mark.django_db
def test_the_scope_page_query_count_does_not_grow_with_sections(
    process, planted, officer, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    compute(process, officer, django_capture_on_commit_callbacks)
    client = staff_client(officer)
    client.get(scope_url(process))  # warm the session and role caches
    for index in range(6):
        section_of(process, heading=f"หมวด {index}")
    with django_assert_max_num_queries(20):
        assert client.get(scope_url(process)).status_code == 200


# -- tenant isolation ------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_municipalitys_staff_and_ids_get_nothing(
    process, planted, officer, other_municipality, django_capture_on_commit_callbacks
):
    analysis = compute(process, officer, django_capture_on_commit_callbacks)
    section = section_of(process)
    outsider = factories.UserFactory()
    staff_role_grant(municipality=other_municipality, user=outsider, role="administrator")
    client = staff_client(outsider)
    slug = process.municipality.slug
    # B's administrator on A's back office: refused at the door.
    assert client.get(scope_url(process)).status_code == 403
    assert client.get(scope_url(process, section)).status_code == 403
    response = client.post(
        reverse("staff:topics:publish", args=[slug, process.slug]),
        {"analysis": analysis.pk, "public": "1"},
    )
    assert response.status_code == 403
    # B's administrator on B's back office with A's process, section and analysis: 404.
    other_process = make_process(other_municipality, slug="plan")
    b_slug = other_municipality.slug
    assert client.get(reverse("staff:topics:process", args=[b_slug, "plan"])).status_code == 200
    assert (
        client.get(reverse("staff:topics:section", args=[b_slug, "plan", section.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("staff:topics:publish", args=[b_slug, other_process.slug]),
        {"analysis": analysis.pk, "public": "1"},
    )
    assert response.status_code == 404
    analysis.refresh_from_db()
    assert not analysis.is_public
    # And B's staff page never shows A's themes.
    page = client.get(reverse("staff:topics:process", args=[b_slug, "plan"])).content.decode()
    assert analysis.themes[0]["keywords"][0] not in page


# -- the demo --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_publishes_themes_of_the_draft_plans_comments(municipality, admin_user):
    from django.utils import timezone

    from thesaban.insight.topics import demo as topics_demo
    from thesaban.participation import demo as participation_demo

    now = timezone.now()
    residents = [factories.UserFactory() for _ in range(10)]
    participation_demo.load(
        municipality=municipality, residents=residents, administrator=admin_user, now=now
    )
    whole = topics_demo.load(municipality=municipality, administrator=admin_user, now=now)
    assert whole is not None and whole.is_public and len(whole.themes) >= 3
    assert whole.n_comments >= len(topics_demo.SECTION_COMMENTS)
    section = TopicAnalysis.objects.get(section__isnull=False)
    assert section.has_themes and not section.is_public
    # Loading again changes nothing.
    assert topics_demo.load(municipality=municipality, administrator=admin_user, now=now) is None
    assert TopicAnalysis.objects.count() == 2
    page = Client().get(reverse("participation:process", args=["alpha", "plan-2570"]))
    assert b"process-topics" in page.content
