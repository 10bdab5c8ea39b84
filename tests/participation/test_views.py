"""Participation pages through HTTP: every page renders in Thai and English, writes are
POST-redirect-GET without JavaScript, people appear only by their pseudonym, staff pages
answer to rules."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from tests.participation.conftest import make_process, make_resident
from thesaban.participation import services
from thesaban.participation.models import (
    Comment,
    ConsultationDocument,
    DocumentSection,
    Flag,
    Phase,
    Proposal,
)

pytestmark = pytest.mark.django_db


def login(client, user, language="en"):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def url(name, process=None, **kwargs):
    if process is not None:
        kwargs = {"process": process.slug, **kwargs}
        municipality = process.municipality
    else:
        municipality = kwargs.pop("municipality")
    return reverse(f"participation:{name}", kwargs={"municipality": municipality.slug, **kwargs})


@pytest.fixture
def content(municipality, process, author, admin_user):
    proposal = services.proposal_create(
        process=process, user=author, title="ลานกีฬาชุมชน", body="สร้างลานกีฬา", topic="culture"
    )
    comment = services.comment_create(target=proposal, user=author, body="เห็นด้วยอย่างยิ่ง")
    debate = services.debate_create(
        process=process, user=author, title="ควรปิดถนนวันอาทิตย์ไหม", body="..."
    )
    document = ConsultationDocument.objects.create(
        municipality=municipality,
        process=process,
        slug="draft",
        title_th="ร่างแผน",
        is_published=True,
    )
    section = DocumentSection.objects.create(
        municipality=municipality, document=document, heading_th="ยุทธศาสตร์ที่ 1", body_th="ถนน"
    )
    result = services.accountability_result_create(
        process=process,
        title_th="ลานกีฬาตลาด",
        budget=Decimal(1000),
        sources=[proposal],
        actor=admin_user,
    )
    return proposal, comment, debate, document, section, result


@pytest.mark.parametrize("language", ["th", "en"])
def test_every_public_page_renders(client, municipality, process, content, language, author):
    proposal, comment, debate, document, section, result = content
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = [
        url("processes", municipality=municipality),
        url("you_said_we_did", municipality=municipality),
        url("process", process),
        url("proposals", process),
        url("proposals", process) + "?sort=random",
        url("proposals", process) + "?sort=newest&topic=culture",
        url("proposal", process, number=proposal.number),
        url("debates", process),
        url("debate", process, number=debate.number),
        url("document", process, document=document.slug),
        url("result", process, number=result.number),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert author.email not in html
    html = client.get(url("proposal", process, number=proposal.number)).content.decode()
    assert "ต้นกล้า" in html and "เห็นด้วยอย่างยิ่ง" in html
    ysd = client.get(url("you_said_we_did", municipality=municipality)).content.decode()
    assert "ลานกีฬาชุมชน" in ysd and "ลานกีฬาตลาด" in ysd


def test_unpublished_processes_are_not_found(client, municipality):
    draft = make_process(municipality, slug="draft", is_published=False)
    assert client.get(url("process", draft)).status_code == 404


def test_propose_support_comment_reply_flag_without_javascript(
    client, municipality, process, author
):
    login(client, author)
    response = client.post(
        url("proposal_new", process),
        {"title": "ทางเท้าใหม่", "body": "ปรับทางเท้าหน้าโรงเรียน", "topic": "infrastructure"},
    )
    proposal = Proposal.objects.get(title="ทางเท้าใหม่")
    assert response.status_code == 302 and response["Location"] == proposal.get_absolute_url()

    voter = make_resident(municipality, verified=True)
    login(client, voter)
    client.post(url("proposal_support", process, number=proposal.number))
    proposal.refresh_from_db()
    assert proposal.support_count == 1

    login(client, author)
    client.post(
        url("proposal_comment", process, number=proposal.number),
        {"body": "ควรมีทางลาด", "alignment": "for"},
    )
    parent = Comment.objects.get()
    client.post(
        url("proposal_comment", process, number=proposal.number),
        {"body": "เห็นด้วย", "alignment": "neutral", "parent": parent.pk},
    )
    assert Comment.objects.get(parent=parent).depth == 2

    login(client, voter)
    client.post(url("comment_upvote", process, comment_id=parent.pk))
    parent.refresh_from_db()
    assert parent.upvote_count == 1
    response = client.post(
        url("flag", process, kind="comment", object_id=parent.pk), {"reason": "spam"}
    )
    assert response.status_code == 302 and Flag.objects.count() == 1


def test_unverified_support_gets_a_message_not_an_error(client, municipality, process, author):
    proposal = services.proposal_create(
        process=process, user=author, title="t", body="b", topic="other"
    )
    login(client, make_resident(municipality))
    response = client.post(url("proposal_support", process, number=proposal.number), follow=True)
    assert response.status_code == 200
    assert "verified residents" in response.content.decode()


def test_anonymous_visitors_are_asked_to_sign_in(client, process):
    response = client.get(url("proposal_new", process))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_closed_phase_hides_the_forms(client, municipality, author):
    listening = make_process(municipality, slug="listen", actions=[Phase.Action.SUPPORT])
    html = login(client, author).get(url("process", listening)).content.decode()
    assert url("proposal_new", listening) not in html


def test_profile_sets_a_pseudonym_and_refuses_contact_details(client, municipality):
    user = make_resident(municipality)
    login(client, user)
    page = url("profile", municipality=municipality)
    response = client.post(page, {"pseudonym": "someone@example.org", "community": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(page + "?next=https://evil.example/", {"pseudonym": "นกกระจิบ"})
    assert response.status_code == 302 and response["Location"] == page


def test_staff_pages_and_rules(client, municipality, process, content, admin_user, officer, viewer):
    proposal, comment, *_ = content
    home = reverse("staff:participation:home", kwargs={"municipality": municipality.slug})
    for user in (admin_user, officer, viewer):
        assert login(client, user).get(home).status_code == 200
    answer = reverse(
        "staff:participation:answer",
        kwargs={
            "municipality": municipality.slug,
            "process": process.slug,
            "number": proposal.number,
        },
    )
    assert (
        login(client, viewer).post(answer, {"answer": "accepted", "reason": "x"}).status_code == 403
    )
    response = login(client, officer).post(answer, {"answer": "rejected", "reason": "งบไม่พอ"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.answer == "rejected"

    new_process = reverse(
        "staff:participation:process_new", kwargs={"municipality": municipality.slug}
    )
    response = login(client, admin_user).post(
        new_process,
        {
            "title_th": "งบประมาณแบบมีส่วนร่วม 2570",
            "slug": "pb-2570",
            "kind": "participatory_budget",
            "support_threshold": 0,
        },
    )
    assert response.status_code == 302
    phase_new = reverse(
        "staff:participation:phase_new",
        kwargs={"municipality": municipality.slug, "process": "pb-2570"},
    )
    response = client.post(
        phase_new,
        {
            "kind": "voting",
            "order": 1,
            "title_th": "ลงคะแนน",
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-11-30T09:00",
            "actions": ["budget_vote"],
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["ends_at"]
    response = client.post(
        phase_new,
        {
            "kind": "voting",
            "order": 1,
            "title_th": "ลงคะแนน",
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-31T09:00",
            "actions": ["budget_vote"],
        },
    )
    assert response.status_code == 302

    flag = services.flag_create(target=comment, user=None, reason="offensive")
    moderate = reverse(
        "staff:participation:moderate",
        kwargs={"municipality": municipality.slug, "flag_id": flag.pk},
    )
    login(client, officer).post(moderate, {"decision": "hide", "reason": "หยาบคาย"})
    comment.refresh_from_db()
    assert comment.is_hidden
    html = client.get(url("proposal", process, number=proposal.number)).content.decode()
    assert "หยาบคาย" in html and "เห็นด้วยอย่างยิ่ง" not in html


def test_volunteers_and_other_municipalities_cannot_use_staff_pages(
    client, municipality, other_municipality, make_staff, process
):
    home = reverse("staff:participation:home", kwargs={"municipality": municipality.slug})
    assert login(client, make_staff(municipality, "digital_centre")).get(home).status_code == 403
    assert (
        login(client, make_staff(other_municipality, "administrator")).get(home).status_code == 403
    )
    other = reverse(
        "participation:process",
        kwargs={"municipality": other_municipality.slug, "process": process.slug},
    )
    assert client.get(other).status_code == 404


def test_a_result_links_proposals_and_problem_reports(
    client, municipality, process, content, admin_user, category
):
    from thesaban.participation.models import Result, ResultSource
    from thesaban.reports import services as report_services

    proposal = content[0]
    report = report_services.report_create(
        municipality=municipality, category=category, description="ถนนพัง", address="ซอย 5"
    )
    new_result = reverse(
        "staff:participation:result_new",
        kwargs={"municipality": municipality.slug, "process": process.slug},
    )
    login(client, admin_user)
    response = client.post(
        new_result, {"title_th": "ซ่อมถนน", "proposals": "1, 99", "reports": report.tracking_code}
    )
    assert response.status_code == 200 and response.context["form"].errors["proposals"]
    response = client.post(
        new_result,
        {"title_th": "ซ่อมถนน", "proposals": str(proposal.number), "reports": "NOPE-2569-000001"},
    )
    assert response.context["form"].errors["reports"]
    response = client.post(
        new_result,
        {"title_th": "ซ่อมถนน", "proposals": str(proposal.number), "reports": report.tracking_code},
    )
    assert response.status_code == 302
    result = Result.objects.get(title_th="ซ่อมถนน")
    assert {source.source for source in ResultSource.objects.filter(result=result)} == {
        proposal,
        report,
    }
    page = client.get(url("you_said_we_did", municipality=municipality)).content.decode()
    assert report.tracking_code in page
