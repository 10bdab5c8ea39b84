"""Counting rules, as pure functions over numbers (no database): plurality for single and
multiple choice, instant runoff for ranked choice, and the participatory-budget winner
selection. docs/voting.md states the same rules in words; tests/voting/test_tally.py checks
them against hand-computed cases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# --- single and multiple choice -------------------------------------------------------------


@dataclass(frozen=True)
class PluralityResult:
    counts: dict[int, int]  # every option, in ballot order, with its votes
    ballots: int
    winners: tuple[int, ...]  # the option(s) with the most votes; several = a tie

    @property
    def is_tie(self) -> bool:
        return len(self.winners) > 1

    def to_json(self) -> dict[str, Any]:
        return {
            "method": "plurality",
            "ballots": self.ballots,
            "counts": {str(option): votes for option, votes in self.counts.items()},
            "winners": list(self.winners),
        }


def plurality(
    *, options: Sequence[int], counts: Mapping[int, int], ballots: int
) -> PluralityResult:
    """Most votes wins. Equal top counts are reported as a tie: nothing is drawn, the
    municipality decides (docs/voting.md). No winner when nobody voted."""
    full = {option: int(counts.get(option, 0)) for option in options}
    top = max(full.values(), default=0)
    winners = tuple(option for option, votes in full.items() if votes == top) if top > 0 else ()
    return PluralityResult(counts=full, ballots=ballots, winners=winners)


# --- ranked choice: instant runoff ------------------------------------------------------------


class TieBreak:
    NONE = ""
    EARLIER_ROUNDS = "earlier_rounds"  # fewer votes in the latest round where they differed
    BALLOT_ORDER = "ballot_order"  # still equal in every round: the one listed last goes


@dataclass(frozen=True)
class IrvRound:
    number: int
    counts: dict[int, int]  # continuing options (ballot order) -> ballots counting for them
    exhausted: int  # ballots with no continuing option left
    continuing_ballots: int  # ballots still counting; a majority is more than half of these
    eliminated: int | None = None
    tie_break: str = TieBreak.NONE

    def to_json(self) -> dict[str, Any]:
        return {
            "round": self.number,
            "counts": {str(option): votes for option, votes in self.counts.items()},
            "exhausted": self.exhausted,
            "continuing_ballots": self.continuing_ballots,
            "eliminated": self.eliminated,
            "tie_break": self.tie_break,
        }


@dataclass(frozen=True)
class IrvResult:
    ballots: int
    rounds: list[IrvRound] = field(default_factory=list)
    winner: int | None = None
    tied: tuple[int, ...] = ()  # the last two options, equal in every round: no winner

    @property
    def first_preferences(self) -> dict[int, int]:
        return dict(self.rounds[0].counts) if self.rounds else {}

    def to_json(self) -> dict[str, Any]:
        return {
            "method": "instant_runoff",
            "ballots": self.ballots,
            "rounds": [round_.to_json() for round_ in self.rounds],
            "winner": self.winner,
            "tied": list(self.tied),
        }


def rankings_counter(rankings: Iterable[Sequence[int]]) -> Counter[tuple[int, ...]]:
    """Identical rankings grouped with their number of ballots (IRV counts each group once)."""
    return Counter(tuple(ranking) for ranking in rankings)


def instant_runoff(
    *, options: Sequence[int], rankings: Mapping[tuple[int, ...], int] | Iterable[Sequence[int]]
) -> IrvResult:
    """Instant-runoff count.

    - `options`: the option ids in ballot order (it decides the last tie-break).
    - `rankings`: each ballot's options, most preferred first (or a mapping ranking -> number
      of ballots). Options not in `options` are skipped.

    Each round every ballot counts for its most preferred option still in the count. A ballot
    with none left is *exhausted* and no longer counts. An option with more than half of the
    ballots still counting wins. Otherwise the option with the fewest votes is eliminated; on a
    tie for fewest, the one with fewer votes in the latest earlier round where the tied
    options differed goes (back to the first preferences); if they were equal in every round,
    the one listed last on the ballot goes — except when only two options are left: then the
    result is a tie and nobody wins. No ballot counting at all: no winner.
    """
    grouped: Mapping[tuple[int, ...], int] = (
        rankings if isinstance(rankings, Mapping) else rankings_counter(rankings)
    )
    position = {option: index for index, option in enumerate(options)}
    # Drop unknown options once, so the rounds only walk valid preferences.
    clean: Counter[tuple[int, ...]] = Counter()
    for ranking, weight in grouped.items():
        clean[tuple(option for option in ranking if option in position)] += weight
    ballots = sum(clean.values())
    continuing = list(options)
    history: list[dict[int, int]] = []
    rounds: list[IrvRound] = []
    while continuing:
        alive = set(continuing)
        counts = dict.fromkeys(continuing, 0)
        exhausted = 0
        for ranking, weight in clean.items():
            for option in ranking:
                if option in alive:
                    counts[option] += weight
                    break
            else:
                exhausted += weight
        active = ballots - exhausted
        number = len(rounds) + 1
        if active == 0:
            rounds.append(IrvRound(number, counts, exhausted, active))
            return IrvResult(ballots, rounds)
        leader = max(continuing, key=lambda option: counts[option])
        if counts[leader] * 2 > active:
            rounds.append(IrvRound(number, counts, exhausted, active))
            return IrvResult(ballots, rounds, winner=leader)
        fewest = min(counts.values())
        candidates = [option for option in continuing if counts[option] == fewest]
        tie_break = TieBreak.NONE
        if len(candidates) > 1:
            tie_break = TieBreak.EARLIER_ROUNDS
            for earlier in reversed(history):
                least = min(earlier[option] for option in candidates)
                candidates = [option for option in candidates if earlier[option] == least]
                if len(candidates) == 1:
                    break
            if len(candidates) > 1:
                if len(continuing) == 2:
                    rounds.append(IrvRound(number, counts, exhausted, active))
                    return IrvResult(ballots, rounds, tied=tuple(continuing))
                tie_break = TieBreak.BALLOT_ORDER
                candidates = [max(candidates, key=lambda option: position[option])]
        eliminated = candidates[0]
        rounds.append(IrvRound(number, counts, exhausted, active, eliminated, tie_break))
        history.append(counts)
        continuing.remove(eliminated)
    return IrvResult(ballots, rounds)  # pragma: no cover - the loop always returns


# --- participatory budget ------------------------------------------------------------------


class ProjectOutcome:
    SELECTED = "selected"
    DOES_NOT_FIT = "does_not_fit"  # fewer votes than the budget left could pay for
    NO_VOTES = "no_votes"


@dataclass(frozen=True)
class ProjectResult:
    project_id: int
    votes: int
    cost: Decimal
    rank: int  # 1 = most votes, after the tie rule
    outcome: str
    remaining_after: Decimal  # budget left after this project was considered

    @property
    def selected(self) -> bool:
        return self.outcome == ProjectOutcome.SELECTED

    def to_json(self) -> dict[str, Any]:
        return {
            "project": self.project_id,
            "votes": self.votes,
            "cost": str(self.cost),
            "rank": self.rank,
            "outcome": self.outcome,
            "remaining_after": str(self.remaining_after),
        }


@dataclass(frozen=True)
class BudgetResult:
    total: Decimal
    ballots: int
    projects: list[ProjectResult]

    @property
    def winners(self) -> list[ProjectResult]:
        return [project for project in self.projects if project.selected]

    @property
    def allocated(self) -> Decimal:
        return sum((project.cost for project in self.winners), Decimal("0"))

    def to_json(self) -> dict[str, Any]:
        return {
            "method": "budget_greedy",
            "total": str(self.total),
            "ballots": self.ballots,
            "allocated": str(self.allocated),
            "projects": [project.to_json() for project in self.projects],
        }


def budget_winners(
    *,
    total: Decimal,
    projects: Iterable[tuple[int, Decimal]],
    votes: Mapping[int, int],
    ballots: int,
) -> BudgetResult:
    """Rank projects by votes (ties: lower cost first, then the earlier project, i.e. lower
    id) and walk down the ranking: a project that still fits in what is left of the budget is
    selected; one that does not fit is skipped and the walk continues with the next. A project
    without votes is never selected."""
    ranked = sorted(
        (
            (project_id, Decimal(cost), int(votes.get(project_id, 0)))
            for project_id, cost in projects
        ),
        key=lambda row: (-row[2], row[1], row[0]),
    )
    remaining = Decimal(total)
    results = []
    for rank, (project_id, cost, count) in enumerate(ranked, start=1):
        if count == 0:
            outcome = ProjectOutcome.NO_VOTES
        elif cost <= remaining:
            outcome = ProjectOutcome.SELECTED
            remaining -= cost
        else:
            outcome = ProjectOutcome.DOES_NOT_FIT
        results.append(ProjectResult(project_id, count, cost, rank, outcome, remaining))
    return BudgetResult(total=Decimal(total), ballots=ballots, projects=results)
