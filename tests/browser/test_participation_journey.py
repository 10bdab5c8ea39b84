"""Participation in a real browser on a phone: a resident chooses a public name, proposes,
a verified neighbour supports, they discuss, staff answer; the proposal becomes a project of
the participatory budget, residents vote in it, staff publish the results, and the "you said,
we did" page shows what became of the proposal."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_report_journey import (
    STAFF_PASSWORD,
    assert_no_horizontal_scroll,
    keep_offline,
    staff_login,
)
from tests.participation.conftest import ALL_ACTIONS, make_process
from thesaban.accounts.services import staff_role_grant
from thesaban.participation import services
from thesaban.participation.models import Phase, Proposal, Result
from thesaban.participation.voting import services as voting_services
from thesaban.participation.voting.models import Budget


def sign_in(page, live_server, user, next_path):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(STAFF_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}{next_path}")


@pytest.mark.django_db(transaction=True)
def test_propose_support_comment_answer_and_see_what_became_of_it(live_server, phone, desktop):
    municipality = factories.MunicipalityFactory(slug="alpha", tracking_prefix="ALPHA")
    process = make_process(
        municipality,
        slug="plan-2570",
        support_threshold=1,
        actions=[*ALL_ACTIONS, Phase.Action.BUDGET_VOTE],
    )
    keep_offline(phone.context, live_server)
    keep_offline(desktop.context, live_server)
    resident = factories.UserFactory()
    neighbour = factories.UserFactory(national_id_verified=True)
    admin = factories.UserFactory()
    staff_role_grant(municipality=municipality, user=admin, role="administrator")
    base = f"/alpha/participate/{process.slug}/"

    # The resident picks a public name, then proposes.
    sign_in(phone, live_server, resident, "/alpha/participate/profile/")
    phone.locator("input[name=pseudonym]").fill("ต้นกล้า")
    phone.locator("main form button[type=submit]").click()
    phone.goto(f"{live_server.url}{base}proposals/new/")
    assert_no_horizontal_scroll(phone)
    phone.locator("input[name=title]").fill("ลานกีฬาชุมชนข้างตลาด")
    phone.locator("textarea[name=body]").fill("ปรับที่ว่างข้างตลาดเป็นลานกีฬาและลานออกกำลังกาย")
    phone.locator("select[name=topic]").select_option("culture")
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"{base}proposals/1/$"))
    expect(phone.locator("h1")).to_have_text("ลานกีฬาชุมชนข้างตลาด")
    expect(phone.locator("main")).to_contain_text("ต้นกล้า")
    assert resident.email not in phone.content()

    # A verified neighbour supports and comments "in favour"; the resident replies.
    phone.context.clear_cookies()
    sign_in(phone, live_server, neighbour, f"{base}proposals/1/")
    phone.locator("#support button[type=submit]").click()
    expect(phone.locator("#support .stat strong")).to_have_text("1")
    # Commenting asks for a public name first, then comes back here.
    phone.locator("#comments a", has_text=re.compile(".+")).first.click()
    phone.locator("input[name=pseudonym]").fill("ฟ้าใส")
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(rf"{base}proposals/1/$"))
    phone.locator(".comment-form textarea[name=body]").fill("เห็นด้วยค่ะ")
    phone.locator(".comment-form input[name=alignment][value=for]").check()
    phone.locator(".comment-form button[type=submit]").click()
    expect(phone.locator(".comment").first).to_contain_text("เห็นด้วยค่ะ")
    expect(phone.locator(".alignment-summary")).to_contain_text("1")

    # Staff see it among the proposals that must be answered, answer, publish a result.
    staff_login(desktop, live_server, admin.email, "/alpha/staff/participation/")
    desktop.locator("#awaiting a.button").click()
    desktop.locator("input[name=answer][value=accepted]").check()
    desktop.locator("textarea[name=reason]").fill("บรรจุในแผนพัฒนาท้องถิ่น พ.ศ. 2570")
    desktop.locator("main form button[type=submit]").click()
    proposal = Proposal.objects.get()
    assert proposal.answer == "accepted"

    # The proposal becomes a project of the participatory budget; residents vote.
    now = timezone.now()
    budget = voting_services.budget_save(
        municipality=municipality,
        actor=admin,
        data={
            "process": process,
            "title_th": "งบประมาณชุมชน 2570",
            "title_en": "Community budget 2027",
            "total": Decimal("600000"),
            "min_spend_percent": 0,
            "min_projects": 1,
            "max_projects": 2,
            "eligibility": "any",
            "community": None,
            "community_check": "declared",
            "results_visibility": "after_close",
            "opens_at": now - timedelta(hours=1),
            "closes_at": now + timedelta(days=7),
            "is_published": True,
        },
    )
    for title, cost, numbers in (
        ("ลานกีฬาชุมชนตลาด", "450000", [proposal.number]),
        ("ศาลาพักผู้สูงอายุ", "300000", []),
    ):
        voting_services.budget_project_save(
            budget=budget,
            actor=admin,
            data={"title_th": title, "cost": Decimal(cost), "proposal_numbers": numbers},
        )
    phone.goto(f"{live_server.url}{base}")
    phone.locator(".process-votes a", has_text="งบประมาณชุมชน 2570").click()
    assert_no_horizontal_scroll(phone)
    sport = phone.locator(".projects > li", has_text="ลานกีฬาชุมชนตลาด")
    sport.locator("button", has_text=re.compile(".+")).click()
    expect(phone.locator("#basket")).to_contain_text("ลานกีฬาชุมชนตลาด")
    phone.locator("#basket form button[type=submit]").click()
    expect(phone.locator("main")).to_contain_text(re.compile("ลงคะแนน|vote", re.IGNORECASE))

    # Voting closes; staff publish the results, which turn the winner into a result.
    Budget.objects.filter(pk=budget.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    budget.refresh_from_db()
    voting_services.budget_results_publish(budget=budget, actor=admin)
    phone.goto(f"{live_server.url}/alpha/votes/budgets/{budget.pk}/")
    expect(phone.locator(".results-table tr.winner")).to_contain_text("ลานกีฬาชุมชนตลาด")
    result = Result.objects.get(title_th="ลานกีฬาชุมชนตลาด")
    services.result_update_add(
        result=result,
        actor=admin,
        status="in_progress",
        progress=60,
        spent=Decimal("262500"),
        note_th="เทพื้นแล้ว",
    )

    # Anyone sees what became of it.
    phone.goto(f"{live_server.url}/alpha/participate/you-said-we-did/")
    row = phone.locator("tbody tr", has_text="ลานกีฬาชุมชนข้างตลาด")
    expect(row).to_contain_text("ลานกีฬาชุมชนตลาด")
    expect(row).to_contain_text("60%")
    row.locator("a", has_text="ลานกีฬาชุมชนตลาด").click()
    expect(phone.locator(".timeline")).to_contain_text("เทพื้นแล้ว")
