"""Counting rules against hand-computed cases (no database)."""

from decimal import Decimal

from thesaban.participation.voting.tally import (
    ProjectOutcome,
    TieBreak,
    budget_winners,
    instant_runoff,
    plurality,
)

A, B, C, D = 1, 2, 3, 4


def ballots(*groups):
    """("AB", 3) -> three ballots A > B."""
    names = {"A": A, "B": B, "C": C, "D": D}
    return [tuple(names[ch] for ch in ranking) for ranking, count in groups for _ in range(count)]


# --- plurality --------------------------------------------------------------------------------


def test_plurality_counts_every_option_and_names_the_winner():
    result = plurality(options=[A, B, C], counts={A: 5, B: 7}, ballots=12)
    assert result.counts == {A: 5, B: 7, C: 0}
    assert result.winners == (B,)
    assert not result.is_tie


def test_plurality_tie_is_reported_not_drawn():
    result = plurality(options=[A, B, C], counts={A: 4, B: 4, C: 1}, ballots=9)
    assert result.winners == (A, B)
    assert result.is_tie


def test_plurality_without_votes_has_no_winner():
    result = plurality(options=[A, B], counts={}, ballots=0)
    assert result.winners == ()
    assert result.to_json() == {
        "method": "plurality",
        "ballots": 0,
        "counts": {"1": 0, "2": 0},
        "winners": [],
    }


# --- instant runoff ---------------------------------------------------------------------------


def test_irv_majority_in_the_first_round():
    result = instant_runoff(options=[A, B, C], rankings=ballots(("A", 5), ("BC", 2), ("C", 2)))
    assert result.winner == A  # 5 of 9 > half
    assert len(result.rounds) == 1
    assert result.rounds[0].counts == {A: 5, B: 2, C: 2}


def test_irv_transfers_decide_the_winner():
    # Hand count: round 1 A 4, B 3, C 2 (9 ballots, majority needs 5): C eliminated, its two
    # ballots go to B; round 2 A 4, B 5: B wins although A led the first preferences.
    result = instant_runoff(options=[A, B, C], rankings=ballots(("AB", 4), ("BA", 3), ("CB", 2)))
    assert [r.counts for r in result.rounds] == [{A: 4, B: 3, C: 2}, {A: 4, B: 5}]
    assert result.rounds[0].eliminated == C
    assert result.rounds[0].tie_break == TieBreak.NONE
    assert result.winner == B
    assert result.first_preferences == {A: 4, B: 3, C: 2}


def test_irv_exhausted_ballots_leave_the_majority_base_and_earlier_rounds_break_ties():
    # 9 ballots: A×4, B×3 (only B), C×1 (only C), C>B×1.
    # Round 1: A 4, B 3, C 2; continuing 9, no majority (4 ≤ 4.5): C eliminated.
    # Round 2: the C-only ballot is exhausted, C>B goes to B: A 4, B 4; continuing 8, no
    #   majority (4 is not more than half of 8). A and B tie for fewest: in round 1 B had
    #   fewer (3 < 4), so B is eliminated.
    # Round 3: B's four ballots have nothing left: exhausted 5, continuing 4: A wins 4 of 4,
    #   a majority of the ballots still counting (not of all 9).
    result = instant_runoff(
        options=[A, B, C], rankings=ballots(("A", 4), ("B", 3), ("C", 1), ("CB", 1))
    )
    rounds = result.rounds
    assert [r.counts for r in rounds] == [{A: 4, B: 3, C: 2}, {A: 4, B: 4}, {A: 4}]
    assert [r.exhausted for r in rounds] == [0, 1, 5]
    assert [r.continuing_ballots for r in rounds] == [9, 8, 4]
    assert [r.eliminated for r in rounds] == [C, B, None]
    assert rounds[1].tie_break == TieBreak.EARLIER_ROUNDS
    assert result.winner == A
    assert result.ballots == 9


def test_irv_ties_equal_in_every_round_eliminate_the_option_listed_last():
    # Round 1: A 2, B 2, C 3 of 7: A and B tie for fewest and there is no earlier round, so
    # B (listed after A on the ballot) is eliminated; its ballots B>A go to A: A 4, C 3 → A.
    result = instant_runoff(options=[A, B, C], rankings=ballots(("A", 2), ("BA", 2), ("C", 3)))
    assert result.rounds[0].eliminated == B
    assert result.rounds[0].tie_break == TieBreak.BALLOT_ORDER
    assert result.rounds[1].counts == {A: 4, C: 3}
    assert result.winner == A
    # The ballot order decides, not the ids: list B first and A goes instead (its ballots
    # have no further choice), then C wins 3 of 5.
    flipped = instant_runoff(options=[B, A, C], rankings=ballots(("A", 2), ("BA", 2), ("C", 3)))
    assert flipped.rounds[0].eliminated == A
    assert flipped.rounds[1].counts == {B: 2, C: 3}
    assert flipped.rounds[1].exhausted == 2
    assert flipped.winner == C


def test_irv_two_options_equal_in_every_round_is_a_tie_without_winner():
    result = instant_runoff(options=[A, B], rankings=ballots(("AB", 2), ("BA", 2)))
    assert result.winner is None
    assert result.tied == (A, B)
    assert result.to_json()["tied"] == [A, B]


def test_irv_ballot_order_elimination_can_hand_the_win_to_the_tied_partner():
    # Round 1: A 3, B 2, C 2 (7): B and C tie, ballot order eliminates C; C>B go to B.
    # Round 2: A 3, B 4 of 7 → B wins outright (4 > 3.5).
    result = instant_runoff(options=[A, B, C], rankings=ballots(("A", 3), ("B", 2), ("CB", 2)))
    assert result.rounds[0].eliminated == C
    assert result.winner == B


def test_irv_without_ballots_or_with_only_unknown_options_has_no_winner():
    assert instant_runoff(options=[A, B], rankings=[]).winner is None
    result = instant_runoff(options=[A, B], rankings=[(99,), (98, 97)])
    assert result.winner is None
    assert result.rounds[0].exhausted == 2


def test_irv_skips_unknown_options_inside_a_ranking_and_accepts_grouped_rankings():
    grouped = {(99, B): 3, (A,): 2}
    result = instant_runoff(options=[A, B], rankings=grouped)
    assert result.rounds[0].counts == {A: 2, B: 3}
    assert result.winner == B


def test_irv_json_round_table():
    data = instant_runoff(
        options=[A, B, C], rankings=ballots(("AB", 4), ("BA", 3), ("CB", 2))
    ).to_json()
    assert data["method"] == "instant_runoff"
    assert data["winner"] == B
    assert data["rounds"][0] == {
        "round": 1,
        "counts": {"1": 4, "2": 3, "3": 2},
        "exhausted": 0,
        "continuing_ballots": 9,
        "eliminated": C,
        "tie_break": "",
    }


# --- participatory budget ---------------------------------------------------------------------


def test_budget_winners_skip_a_project_that_does_not_fit_and_continue():
    # Budget 100: P1 (60, 10 votes) fits → 40 left; P2 (50, 8) does not fit → skipped;
    # P3 (40, 7) fits exactly → 0 left; P4 has no votes → never selected.
    result = budget_winners(
        total=Decimal("100"),
        projects=[(1, Decimal("60")), (2, Decimal("50")), (3, Decimal("40")), (4, Decimal("30"))],
        votes={1: 10, 2: 8, 3: 7},
        ballots=12,
    )
    assert [(p.project_id, p.rank, p.outcome) for p in result.projects] == [
        (1, 1, ProjectOutcome.SELECTED),
        (2, 2, ProjectOutcome.DOES_NOT_FIT),
        (3, 3, ProjectOutcome.SELECTED),
        (4, 4, ProjectOutcome.NO_VOTES),
    ]
    assert [p.remaining_after for p in result.projects] == [Decimal(40), Decimal(40), 0, 0]
    assert result.allocated == Decimal("100")
    assert [w.project_id for w in result.winners] == [1, 3]


def test_budget_tie_rule_lower_cost_first_then_lower_id():
    # Equal votes: 30-baht projects before the 50-baht one; between the two 30-baht
    # projects the earlier one (id 2) first. Budget 60: 2 and 3 fit, 1 does not.
    result = budget_winners(
        total=Decimal("60"),
        projects=[(1, Decimal("50")), (3, Decimal("30")), (2, Decimal("30"))],
        votes={1: 5, 2: 5, 3: 5},
        ballots=5,
    )
    assert [p.project_id for p in result.projects] == [2, 3, 1]
    assert [p.outcome for p in result.projects] == ["selected", "selected", "does_not_fit"]


def test_budget_json_keeps_amounts_exact():
    data = budget_winners(
        total=Decimal("1000000.50"), projects=[(7, Decimal("250000.25"))], votes={7: 1}, ballots=1
    ).to_json()
    assert data["total"] == "1000000.50"
    assert data["allocated"] == "250000.25"
    assert data["projects"][0]["remaining_after"] == "750000.25"
