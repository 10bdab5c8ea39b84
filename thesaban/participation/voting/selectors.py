"""Reads of polls and participatory budgets: lists start from the municipality; tallies are
counted from the stored ballots (never from the participation rows, which say only who voted).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, QuerySet, When

from thesaban.municipalities.models import Community, Municipality
from thesaban.participation.models import Process
from thesaban.participation.voting.models import (
    Budget,
    BudgetBallot,
    BudgetBallotLine,
    BudgetParticipation,
    BudgetProject,
    Poll,
    PollBallot,
    PollBallotChoice,
    PollOption,
    PollParticipation,
)
from thesaban.participation.voting.secrecy import voter_key
from thesaban.participation.voting.tally import (
    BudgetResult,
    IrvResult,
    PluralityResult,
    budget_winners,
    instant_runoff,
    plurality,
)

# --- lists ------------------------------------------------------------------------------------


def poll_list_public(*, municipality: Municipality) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(
            municipality=municipality, is_published=True, process__is_published=True
        )
        .select_related("process")
        .order_by("-opens_at", "-id")
    )


def budget_list_public(*, municipality: Municipality) -> QuerySet[Budget]:
    return (
        Budget.objects.filter(
            municipality=municipality, is_published=True, process__is_published=True
        )
        .select_related("process")
        .order_by("-opens_at", "-id")
    )


def poll_list_staff(*, municipality: Municipality) -> QuerySet[Poll]:
    return (
        Poll.objects.filter(municipality=municipality)
        .select_related("process")
        .annotate(participant_count=Count("participations", distinct=True))
        .order_by("-opens_at", "-id")
    )


def budget_list_staff(*, municipality: Municipality) -> QuerySet[Budget]:
    return (
        Budget.objects.filter(municipality=municipality)
        .select_related("process")
        .annotate(participant_count=Count("participations", distinct=True))
        .order_by("-opens_at", "-id")
    )


def process_choices(*, municipality: Municipality) -> QuerySet[Process]:
    return Process.objects.filter(municipality=municipality).order_by("-created_at")


def community_choices(*, municipality: Municipality) -> QuerySet[Community]:
    return Community.objects.filter(municipality=municipality).order_by("name_th")


def proposals_by_number(*, process: Process, numbers: Iterable[int]) -> list:
    """The process's proposals with these public numbers (empty if the proposals feature is
    not installed)."""
    numbers = [int(n) for n in numbers]
    if not numbers:
        return []
    try:
        from thesaban.participation.models import Proposal
    except ImportError:  # pragma: no cover - the proposals model ships with participation
        return []
    return list(
        Proposal.objects.filter(
            municipality_id=process.municipality_id, process=process, number__in=numbers
        ).order_by("number")
    )


# --- polls ------------------------------------------------------------------------------------


def poll_options(*, poll: Poll) -> QuerySet[PollOption]:
    return PollOption.objects.filter(municipality_id=poll.municipality_id, poll=poll).order_by(
        "order", "id"
    )


def poll_ballot_count(*, poll: Poll) -> int:
    return PollBallot.objects.filter(municipality_id=poll.municipality_id, poll=poll).count()


def poll_participant_count(*, poll: Poll) -> int:
    return PollParticipation.objects.filter(municipality_id=poll.municipality_id, poll=poll).count()


def poll_has_voted(*, poll: Poll, user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return PollParticipation.objects.filter(
        municipality_id=poll.municipality_id, poll=poll, user_id=user.pk
    ).exists()


def poll_my_choices(*, poll: Poll, user) -> list[int]:
    """The option ids of the signed-in person's own ballot (for them alone to see and change),
    found through their voter key."""
    if user is None or not user.is_authenticated:
        return []
    key = voter_key(kind="poll", object_id=poll.pk, user_id=user.pk)
    return list(
        PollBallotChoice.objects.filter(
            municipality_id=poll.municipality_id, ballot__poll=poll, ballot__voter_key=key
        )
        .order_by("rank")
        .values_list("option_id", flat=True)
    )


def poll_rankings(*, poll: Poll) -> Counter[tuple[int, ...]]:
    """Every ballot of a ranked poll as its tuple of option ids, most preferred first,
    grouped: identical rankings come back once, with their number of ballots.

    The grouping happens in the database, portably: one row per ballot with a column per
    rank (`MAX(CASE WHEN rank = k THEN option_id END)`), then `GROUP BY` those columns. A
    million ballots come back as the few hundred distinct rankings they contain.
    """
    depth = poll.max_choices or poll_options(poll=poll).count()
    if depth == 0:
        return Counter()
    columns = {
        f"r{k}": Max(Case(When(rank=k, then=F("option_id")), output_field=IntegerField()))
        for k in range(1, depth + 1)
    }
    per_ballot = (
        PollBallotChoice.objects.filter(municipality_id=poll.municipality_id, poll=poll)
        .order_by()
        .values("ballot_id")
        .annotate(**columns)
        .values(*columns)
    )
    inner, params = per_ballot.query.sql_with_params()
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    grouped: Counter[tuple[int, ...]] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {names}, COUNT(*) FROM ({inner}) AS ballots GROUP BY {names}", params
        )
        for *ranks, count in cursor.fetchall():
            grouped[tuple(option for option in ranks if option is not None)] += count
    return grouped


def poll_tally(*, poll: Poll) -> PluralityResult | IrvResult:
    options = list(poll_options(poll=poll).values_list("id", flat=True))
    if poll.kind == Poll.Kind.RANKED:
        return instant_runoff(options=options, rankings=poll_rankings(poll=poll))
    counts = dict(
        PollBallotChoice.objects.filter(municipality_id=poll.municipality_id, poll=poll)
        .values("option_id")
        .annotate(votes=Count("*"))
        .values_list("option_id", "votes")
    )
    return plurality(options=options, counts=counts, ballots=poll_ballot_count(poll=poll))


def poll_winner(result: PluralityResult | IrvResult) -> int | None:
    if isinstance(result, IrvResult):
        return result.winner
    return result.winners[0] if len(result.winners) == 1 else None


def _canonical(data: dict[str, Any]) -> dict[str, Any]:
    """As it comes back from a JSON column, so a stored and a fresh tally compare equal."""
    return json.loads(json.dumps(data, sort_keys=True))


def poll_tally_json(*, poll: Poll, result: PluralityResult | IrvResult | None = None) -> dict:
    result = result or poll_tally(poll=poll)
    return _canonical({**result.to_json(), "participants": poll_participant_count(poll=poll)})


@dataclass(frozen=True)
class Recount:
    published: dict | None
    recounted: dict

    @property
    def matches(self) -> bool:
        return (
            self.published is not None
            and self.published == self.recounted
            and self.recounted.get("ballots") == self.recounted.get("participants")
        )


def poll_recount(*, poll: Poll) -> Recount:
    """Count the stored ballots again and put the result beside the published tally."""
    return Recount(published=poll.published_tally, recounted=poll_tally_json(poll=poll))


@dataclass(frozen=True)
class OptionRow:
    option: PollOption
    votes: int
    percent: float
    is_winner: bool


@dataclass(frozen=True)
class PollResults:
    """What the poll page shows: per option, votes and share (first preferences for ranked),
    and the rounds of an instant-runoff count."""

    ballots: int
    rows: list[OptionRow]
    rounds: list[dict] = field(default_factory=list)
    tie: bool = False
    published: bool = False


def poll_results(*, poll: Poll) -> PollResults:
    options = list(poll_options(poll=poll))
    by_id = {option.pk: option for option in options}
    data = poll.published_tally or poll_tally_json(poll=poll)
    ballots = data["ballots"]
    if data["method"] == "instant_runoff":
        first = data["rounds"][0]["counts"] if data["rounds"] else {}
        winners = {data["winner"]} if data["winner"] else set()
        counts = {int(k): v for k, v in first.items()}
        rounds = [
            {
                "number": round_["round"],
                "counts": [
                    (by_id[int(k)], v) for k, v in round_["counts"].items() if int(k) in by_id
                ],
                "exhausted": round_["exhausted"],
                "continuing": round_["continuing_ballots"],
                "eliminated": by_id.get(round_["eliminated"]),
                "tie_break": round_["tie_break"],
            }
            for round_ in data["rounds"]
        ]
        tie = bool(data["tied"])
    else:
        counts = {int(k): v for k, v in data["counts"].items()}
        winners = set(data["winners"])
        rounds = []
        tie = len(winners) > 1
    rows = [
        OptionRow(
            option=option,
            votes=counts.get(option.pk, 0),
            percent=(100.0 * counts.get(option.pk, 0) / ballots) if ballots else 0.0,
            is_winner=option.pk in winners,
        )
        for option in options
    ]
    rows.sort(key=lambda row: -row.votes)
    return PollResults(
        ballots=ballots,
        rows=rows,
        rounds=rounds,
        tie=tie,
        published=poll.published_tally is not None,
    )


# --- budgets ------------------------------------------------------------------------------------


def budget_projects(*, budget: Budget, category: str = "") -> QuerySet[BudgetProject]:
    projects = BudgetProject.objects.filter(municipality_id=budget.municipality_id, budget=budget)
    if category:
        projects = projects.filter(category_th=category)
    return projects.order_by("id")


def budget_categories(*, budget: Budget) -> list[tuple[str, str]]:
    """(Thai, English) category names used by the budget's projects."""
    return list(
        budget_projects(budget=budget)
        .exclude(category_th="")
        .order_by("category_th")
        .values_list("category_th", "category_en")
        .distinct()
    )


def budget_ballot_count(*, budget: Budget, checked_out: bool | None = True) -> int:
    """Checked-out ballots; `checked_out=None` counts baskets too."""
    ballots = BudgetBallot.objects.filter(municipality_id=budget.municipality_id, budget=budget)
    if checked_out is not None:
        ballots = ballots.filter(checked_out=checked_out)
    return ballots.count()


def budget_participant_count(*, budget: Budget) -> int:
    return BudgetParticipation.objects.filter(
        municipality_id=budget.municipality_id, budget=budget
    ).count()


def basket_projects(*, ballot: BudgetBallot) -> list[BudgetProject]:
    return list(
        BudgetProject.objects.filter(
            municipality_id=ballot.municipality_id, budget_id=ballot.budget_id
        )
        .filter(pk__in=ballot.lines.values("project_id"))
        .order_by("id")
    )


@dataclass(frozen=True)
class Basket:
    projects: list[BudgetProject]
    checked_out: bool
    budget: Budget

    @property
    def project_ids(self) -> set[int]:
        return {project.pk for project in self.projects}

    @property
    def spent(self) -> Decimal:
        return sum((project.cost for project in self.projects), Decimal("0"))

    @property
    def left(self) -> Decimal:
        return self.budget.total - self.spent

    @property
    def percent(self) -> float:
        return float(100 * self.spent / self.budget.total) if self.budget.total else 0.0


def budget_basket(*, budget: Budget, user) -> Basket:
    """The signed-in person's basket (empty if they have none), found by their voter key."""
    empty = Basket(projects=[], checked_out=False, budget=budget)
    if user is None or not user.is_authenticated:
        return empty
    key = voter_key(kind="budget", object_id=budget.pk, user_id=user.pk)
    ballot = BudgetBallot.objects.filter(
        municipality_id=budget.municipality_id, budget=budget, voter_key=key
    ).first()
    if ballot is None:
        return empty
    return Basket(
        projects=basket_projects(ballot=ballot), checked_out=ballot.checked_out, budget=budget
    )


def budget_votes(*, budget: Budget) -> dict[int, int]:
    """Votes per project, from checked-out ballots only (baskets do not count)."""
    return dict(
        BudgetBallotLine.objects.filter(
            municipality_id=budget.municipality_id,
            ballot__budget=budget,
            ballot__checked_out=True,
        )
        .values("project_id")
        .annotate(votes=Count("*"))
        .values_list("project_id", "votes")
    )


def budget_tally(*, budget: Budget) -> BudgetResult:
    projects = budget_projects(budget=budget).values_list("id", "cost")
    return budget_winners(
        total=budget.total,
        projects=list(projects),
        votes=budget_votes(budget=budget),
        ballots=budget_ballot_count(budget=budget),
    )


def budget_tally_json(*, budget: Budget, result: BudgetResult | None = None) -> dict:
    result = result or budget_tally(budget=budget)
    return _canonical({**result.to_json(), "participants": budget_participant_count(budget=budget)})


def budget_recount(*, budget: Budget) -> Recount:
    return Recount(published=budget.published_tally, recounted=budget_tally_json(budget=budget))


@dataclass(frozen=True)
class ProjectRow:
    project: BudgetProject
    votes: int
    rank: int
    outcome: str
    percent_of_ballots: float


@dataclass(frozen=True)
class BudgetResults:
    ballots: int
    total: Decimal
    allocated: Decimal
    rows: list[ProjectRow]
    published: bool

    @property
    def winners(self) -> list[ProjectRow]:
        return [row for row in self.rows if row.outcome == "selected"]


def budget_results(*, budget: Budget) -> BudgetResults:
    data = budget.published_tally or budget_tally_json(budget=budget)
    projects = {project.pk: project for project in budget_projects(budget=budget)}
    ballots = data["ballots"]
    rows = [
        ProjectRow(
            project=projects[item["project"]],
            votes=item["votes"],
            rank=item["rank"],
            outcome=item["outcome"],
            percent_of_ballots=(100.0 * item["votes"] / ballots) if ballots else 0.0,
        )
        for item in data["projects"]
        if item["project"] in projects
    ]
    return BudgetResults(
        ballots=ballots,
        total=Decimal(data["total"]),
        allocated=Decimal(data["allocated"]),
        rows=rows,
        published=budget.published_tally is not None,
    )
