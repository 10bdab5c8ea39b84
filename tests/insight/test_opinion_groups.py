"""The opinion-group mathematics on synthetic vote matrices with planted groups."""

import random

import pytest

from thesaban.insight import opinion_groups as og


def planted(
    *,
    groups: int,
    per_group: int = 40,
    statements: int = 20,
    consensus: int = 3,
    flip: float = 0.08,
    passes: float = 0.05,
    missing: float = 0.3,
    seed: int = 1,
):
    """Votes of `groups` planted opinion groups. Statements 0..consensus-1 everyone agrees
    with; the others are split into one block per group: a group agrees with its own block and
    disagrees with the other blocks. Each vote is flipped with probability `flip`, a pass with
    `passes`, and missing with `missing`."""
    rng = random.Random(seed)
    rest = list(range(consensus, statements))
    blocks = [rest[g::groups] for g in range(groups)]
    profile = {}
    for g in range(groups):
        for s in range(statements):
            profile[g, s] = 1 if s < consensus or s in blocks[g] else -1
    votes, labels = [], {}
    participant = 0
    for g in range(groups):
        for _ in range(per_group):
            labels[participant] = g
            for s in rng.sample(range(statements), statements):
                if rng.random() < missing:
                    continue
                choice = profile[g, s]
                roll = rng.random()
                if roll < flip:
                    choice = -choice
                elif roll < flip + passes:
                    choice = 0
                votes.append((participant, s, choice))
            participant += 1
    return votes, labels, blocks


def _ari(result, labels):
    found = {point.participant: point.group for point in result.points}
    keys = sorted(found)
    return og.adjusted_rand([labels[k] for k in keys], [found[k] for k in keys])


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_three_planted_groups_with_noise_and_missing_votes_are_recovered(seed):
    votes, labels, _blocks = planted(groups=3, seed=seed)
    result = og.compute(votes)
    assert result.k == 3
    assert _ari(result, labels) >= 0.9
    assert sorted(group.size for group in result.groups) == sorted(
        sum(1 for p in result.points if p.group == g) for g in range(3)
    )
    assert result.silhouette is not None and result.silhouette > 0.3


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_planted_groups_choose_two(seed):
    votes, labels, _blocks = planted(groups=2, seed=seed)
    result = og.compute(votes)
    assert result.k == 2
    assert _ari(result, labels) >= 0.9


def test_a_statement_everyone_agrees_with_is_the_top_consensus_statement():
    votes, _labels, _blocks = planted(groups=3, consensus=1, seed=7)
    # Statement 99: every participant agrees, no noise.
    participants = sorted({p for p, _s, _c in votes})
    votes += [(p, 99, og.AGREE) for p in participants]
    result = og.compute(votes)
    assert result.consensus[0].statement_id == 99
    assert all(p > 0.9 for p in result.consensus[0].p_agree_by_group)
    # A group's own block is never a consensus: the other groups disagree with it.
    consensus_ids = {item.statement_id for item in result.consensus}
    assert consensus_ids <= {0, 99}


def test_representative_statements_are_each_groups_distinctive_ones():
    votes, labels, blocks = planted(groups=3, seed=11)
    result = og.compute(votes)
    assert result.k == 3
    for group in result.groups:
        # The planted group most of this group's members come from.
        planted_group = max(range(3), key=lambda g: sum(labels[m] == g for m in group.members))
        assert group.representative, f"group {group.id} has no representative statement"
        for item in group.representative:
            if item.direction == "agree":
                assert item.statement_id in blocks[planted_group]
            else:
                assert item.statement_id not in blocks[planted_group]
            assert item.ratio > 1 and item.p_in > 0.5
        top_agree = [i.statement_id for i in group.representative if i.direction == "agree"]
        assert top_agree and top_agree[0] in blocks[planted_group]


def test_participants_with_too_few_votes_are_left_out():
    votes, _labels, _blocks = planted(groups=2, seed=3)
    votes += [("few-1", 0, og.AGREE), ("few-1", 5, og.DISAGREE)]
    votes += [("few-2", s, og.AGREE) for s in range(og.MIN_VOTES - 1)]
    votes += [("enough", s, og.DISAGREE) for s in range(og.MIN_VOTES)]
    result = og.compute(votes)
    placed = {point.participant for point in result.points}
    assert "few-1" not in placed and "few-2" not in placed
    assert set(result.excluded) >= {"few-1", "few-2"}
    assert "enough" in placed
    assert result.min_votes == og.MIN_VOTES
    assert result.n_participants == len(placed) + len(result.excluded)


def test_with_fewer_statements_than_the_threshold_everyone_who_voted_on_all_counts():
    votes = [(p, s, og.AGREE if p % 2 else og.DISAGREE) for p in range(10) for s in range(3)]
    votes.append((99, 0, og.AGREE))  # voted on one of three
    result = og.compute(votes)
    assert result.min_votes == 3
    assert result.excluded == [99]
    assert result.k == 2 and sorted(g.size for g in result.groups) == [5, 5]


def test_the_same_votes_give_the_same_map_in_any_order():
    votes, _labels, _blocks = planted(groups=3, seed=5)
    first = og.compute(votes)
    shuffled = list(votes)
    random.Random(0).shuffle(shuffled)
    second = og.compute(shuffled)
    assert first.as_dict() == second.as_dict()
    assert first.fingerprint == og.fingerprint(votes)


def test_the_last_vote_counts_and_votes_on_other_statements_are_ignored():
    votes = [(1, 1, og.AGREE), (1, 1, og.DISAGREE), (1, 2, og.PASS), (1, 3, og.AGREE)]
    rows, columns, matrix = og.vote_matrix(votes, statements=[1, 2])
    assert rows == [1] and columns == [1, 2]
    assert matrix.tolist() == [[-1.0, 0.0]]
    with pytest.raises(ValueError):
        og.vote_matrix([(1, 1, 2)])


def test_small_or_empty_inputs_do_not_fail():
    assert og.compute([]).points == []
    few = og.compute([(1, 1, og.AGREE), (2, 1, og.DISAGREE)])
    assert few.k == 0 and len(few.points) == 2 and few.groups == []
    same = og.compute([(p, s, og.AGREE) for p in range(6) for s in range(8)])
    assert same.k == 1 and same.groups[0].size == 6 and same.consensus == []


def test_statement_totals_count_every_voter():
    votes = [(1, 7, og.AGREE), (2, 7, og.DISAGREE), (3, 7, og.PASS), (4, 7, og.AGREE)]
    assert og.compute(votes).totals == {7: {"agree": 2, "disagree": 1, "pass": 1}}
