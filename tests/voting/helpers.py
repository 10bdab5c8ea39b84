"""Builders for voting tests (also used by tests/test_tenant_isolation.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests import factories
from thesaban.participation.models import Participant, Phase, Process
from thesaban.participation.voting.models import (
    Budget,
    BudgetProject,
    Eligibility,
    Poll,
    PollOption,
)


def process(municipality, *, actions=("vote", "budget_vote"), start=None, end=None, slug=None):
    now = timezone.now()
    start = start or now - timedelta(days=10)
    end = end or now + timedelta(days=10)
    proc = Process.objects.create(
        municipality=municipality,
        slug=slug or f"p{Process.objects.count() + 1}",
        kind=Process.Kind.PARTICIPATORY_BUDGET,
        title_th="งบประมาณแบบมีส่วนร่วม 2569",
        title_en="Participatory budget 2026",
        is_published=True,
    )
    Phase.objects.create(
        municipality=municipality,
        process=proc,
        kind=Phase.Kind.VOTING,
        title_th="ลงคะแนน",
        title_en="Voting",
        starts_at=start,
        ends_at=end,
        actions=list(actions),
    )
    return proc


def poll(
    municipality,
    *,
    proc=None,
    kind=Poll.Kind.SINGLE,
    options=("ก", "ข", "ค"),
    max_choices=0,
    allows_change=True,
    eligibility=Eligibility.ANY_ACCOUNT,
    opens_at=None,
    closes_at=None,
    **extra,
) -> Poll:
    now = timezone.now()
    proc = proc or process(municipality)
    created = Poll.objects.create(
        municipality=municipality,
        process=proc,
        title_th="คำถามทดสอบ",
        title_en="Test question",
        kind=kind,
        max_choices=1 if kind == Poll.Kind.SINGLE else max_choices,
        allows_change=allows_change,
        eligibility=eligibility,
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=1),
        is_published=True,
        **extra,
    )
    for order, title in enumerate(options, start=1):
        PollOption.objects.create(
            municipality=municipality,
            poll=created,
            title_th=title,
            title_en=f"Option {order}",
            order=order,
        )
    return created


def budget(
    municipality,
    *,
    proc=None,
    total="1000000",
    costs=("400000", "300000", "250000", "600000"),
    min_spend_percent=0,
    min_projects=1,
    max_projects=0,
    eligibility=Eligibility.ANY_ACCOUNT,
    opens_at=None,
    closes_at=None,
    **extra,
) -> Budget:
    now = timezone.now()
    proc = proc or process(municipality)
    created = Budget.objects.create(
        municipality=municipality,
        process=proc,
        title_th="งบประมาณชุมชน",
        title_en="Community budget",
        total=Decimal(total),
        min_spend_percent=min_spend_percent,
        min_projects=min_projects,
        max_projects=max_projects,
        eligibility=eligibility,
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at or now + timedelta(days=1),
        is_published=True,
        **extra,
    )
    for number, cost in enumerate(costs, start=1):
        BudgetProject.objects.create(
            municipality=municipality,
            budget=created,
            title_th=f"โครงการ {number}",
            title_en=f"Project {number}",
            cost=Decimal(cost),
            category_th="ถนน" if number % 2 else "สวน",
            category_en="Roads" if number % 2 else "Parks",
        )
    return created


def options_of(target: Poll) -> list[int]:
    return list(target.options.order_by("order", "id").values_list("id", flat=True))


def projects_of(target: Budget) -> list[BudgetProject]:
    return list(target.projects.order_by("id"))


def resident(municipality=None, *, verified=False, community=None, community_verified=False):
    user = factories.UserFactory()
    if verified:
        user.national_id_verified = True
        user.save(update_fields=["national_id_verified"])
    if community is not None:
        Participant.objects.create(
            municipality=municipality,
            user=user,
            community=community,
            community_verified=community_verified,
        )
    return user


def voting_objects(municipality) -> dict:
    """One poll with options and one budget with projects, for URL-walking tests."""
    created_poll = poll(municipality)
    created_budget = budget(municipality, proc=created_poll.process)
    return {
        "poll_id": created_poll.pk,
        "option_id": options_of(created_poll)[0],
        "budget_id": created_budget.pk,
        "project_id": projects_of(created_budget)[0].pk,
    }
