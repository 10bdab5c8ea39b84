"""Opinion groups from agree / disagree / pass votes on short statements, as Pol.is does.

Pure numpy and scikit-learn, no Django: `compute(votes)` takes (participant, statement, choice)
triples (choice +1 agree, -1 disagree, 0 pass) and returns plain dataclasses.

1. The vote matrix: participants × statements, +1 / -1 / 0, missing where someone did not vote.
2. Participants with fewer than `min(MIN_VOTES, number of statements)` votes are left out: a
   person who voted on two statements has no place on a map of opinions yet.
3. A missing vote is imputed with the statement's mean vote among the kept participants (so
   not voting pulls nobody towards "agree" or "disagree"), then PCA to two components.
   Coordinates are scaled by sqrt(statements / votes cast), as Pol.is does, so a sparse voter
   is not crowded into the centre by the imputed means.
4. k-means on the 2D points for k = 2..5 (bounded by the distinct points), k chosen by the best
   silhouette (a tie keeps the smaller k). Fixed n_init and random_state: the same votes always
   give the same map.
5. Representative statements of a group (Pol.is "repness"): for agree,
   ((1 + agree_in) / (2 + votes_in)) ÷ ((1 + agree_out) / (2 + votes_out)), likewise for
   disagree; kept when the ratio is above 1, the group mostly takes that side and at least
   `MIN_GROUP_VOTES` of its members voted; ranked by ratio × the group's share.
6. Group-informed consensus: the product over groups of (1 + agree_g) / (2 + votes_g); a
   statement every group tends to agree with scores high even when the groups are of very
   different sizes, which a plain majority would not show.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

# A participant needs this many votes (or a vote on every statement, when there are fewer) to
# be placed on the map; Pol.is uses the same 7.
MIN_VOTES = 7
# Fewer kept participants than this: no groups (k-means and the silhouette need some points).
MIN_PARTICIPANTS = 4
K_MIN, K_MAX = 2, 5
SEED = 2569
N_INIT = 10
# A group's representative statement needs at least this many votes from the group.
MIN_GROUP_VOTES = 3
REPRESENTATIVE_PER_GROUP = 5
CONSENSUS_TOP = 5
# Above this many points the silhouette is estimated on a fixed sample (it is quadratic).
SILHOUETTE_SAMPLE = 1500

AGREE, PASS, DISAGREE = 1, 0, -1


@dataclass(frozen=True)
class Representative:
    statement_id: Hashable
    direction: str  # "agree" or "disagree"
    ratio: float  # how much likelier the group takes this side than everyone else
    p_in: float  # the group's smoothed share on that side: (1 + n_side) / (2 + n_votes)
    p_out: float  # the same share among everyone else
    votes_in: int
    # Kept for the agree side too, so a page can say "x % of the group agrees".
    p_agree_in: float
    p_agree_out: float


@dataclass(frozen=True)
class Group:
    id: int
    size: int
    members: list[Hashable]
    centre: tuple[float, float]
    representative: list[Representative] = field(default_factory=list)


@dataclass(frozen=True)
class Consensus:
    statement_id: Hashable
    score: float
    p_agree_by_group: list[float]


@dataclass(frozen=True)
class Point:
    participant: Hashable
    x: float
    y: float
    group: int | None
    votes: int


@dataclass
class OpinionGroups:
    n_participants: int  # everyone who voted at least once
    n_statements: int
    min_votes: int  # the threshold applied
    points: list[Point]  # the kept participants, in a stable order
    excluded: list[Hashable]  # voted, but too few times
    k: int  # 0 when there are too few participants for groups
    silhouette: float | None
    groups: list[Group]
    consensus: list[Consensus]
    totals: dict[Hashable, dict[str, int]]  # per statement: agree / disagree / pass
    fingerprint: str
    seed: int

    @property
    def n_clustered(self) -> int:
        return len(self.points)

    def as_dict(self) -> dict:
        return asdict(self) | {"n_clustered": self.n_clustered}


def _sorted(keys: Iterable[Hashable]) -> list[Hashable]:
    keys = list(keys)
    try:
        return sorted(keys)
    except TypeError:  # mixed key types: order by their text, still stable
        return sorted(keys, key=repr)


def fingerprint(votes: Iterable[tuple[Hashable, Hashable, int]], *, seed: int = SEED) -> str:
    """SHA-256 of the vote matrix (order-independent) and the parameters that shape the map."""
    digest = hashlib.sha256(
        f"opinion-groups:v1:{MIN_VOTES}:{K_MIN}-{K_MAX}:{N_INIT}:{seed}\n".encode()
    )
    for row in sorted(f"{p!r}\t{s!r}\t{int(c)}" for p, s, c in votes):
        digest.update(row.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def vote_matrix(
    votes: Iterable[tuple[Hashable, Hashable, int]],
    statements: Sequence[Hashable] | None = None,
) -> tuple[list[Hashable], list[Hashable], np.ndarray]:
    """(participants, statements, matrix) with NaN for a missing vote; the last vote of a
    (participant, statement) pair wins. Votes on statements outside `statements` are ignored."""
    latest: dict[tuple[Hashable, Hashable], int] = {}
    for participant, statement, choice in votes:
        if choice not in (AGREE, PASS, DISAGREE):
            raise ValueError(f"a vote is +1, 0 or -1, not {choice!r}")
        latest[(participant, statement)] = int(choice)
    if statements is None:
        columns = _sorted({statement for _p, statement in latest})
    else:
        columns = list(dict.fromkeys(statements))
        allowed = set(columns)
        latest = {key: value for key, value in latest.items() if key[1] in allowed}
    rows = _sorted({participant for participant, _s in latest})
    row_of = {key: index for index, key in enumerate(rows)}
    column_of = {key: index for index, key in enumerate(columns)}
    matrix = np.full((len(rows), len(columns)), np.nan)
    for (participant, statement), choice in latest.items():
        matrix[row_of[participant], column_of[statement]] = choice
    return rows, columns, matrix


def _project(matrix: np.ndarray) -> np.ndarray:
    """Impute with column means, PCA to 2D (deterministic signs), Pol.is' sparsity scaling."""
    n_rows, n_columns = matrix.shape
    voted = ~np.isnan(matrix)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column nobody kept voted on
        means = np.nanmean(matrix, axis=0)
    means = np.nan_to_num(means, nan=0.0)
    filled = np.where(voted, matrix, means)
    coords = np.zeros((n_rows, 2))
    if n_rows >= 2 and np.ptp(filled, axis=0).any():
        # PCA through the eigenvectors of the statements' covariance matrix: statements are
        # few (tens to hundreds), so this is fast for any number of participants, and exact.
        centred = filled - filled.mean(axis=0)
        covariance = centred.T @ centred / (n_rows - 1)
        values, vectors = np.linalg.eigh(covariance)
        order = np.argsort(values)[::-1][: min(2, n_columns)]
        for index, column in enumerate(order):
            vector = vectors[:, column]
            if values[column] <= 1e-12:
                continue
            # An eigenvector's sign is arbitrary: make its largest loading positive.
            if vector[np.argmax(np.abs(vector))] < 0:
                vector = -vector
            coords[:, index] = centred @ vector
    counts = voted.sum(axis=1)
    scale = np.sqrt(n_columns / np.maximum(counts, 1))
    return coords * scale[:, None]


def _choose_k(coords: np.ndarray, *, seed: int) -> tuple[int, np.ndarray, float | None]:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # small matrices: threads cost more than they save
        return _choose_k_serial(coords, seed=seed, kmeans=KMeans, silhouette=silhouette_score)


def _choose_k_serial(coords: np.ndarray, *, seed: int, kmeans, silhouette):
    distinct = len(np.unique(np.round(coords, 9), axis=0))
    best: tuple[float, int, np.ndarray] | None = None
    for k in range(K_MIN, min(K_MAX, distinct, len(coords) - 1) + 1):
        labels = kmeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit_predict(coords)
        if len(set(labels)) < 2:
            continue
        sample = SILHOUETTE_SAMPLE if len(coords) > SILHOUETTE_SAMPLE else None
        score = float(silhouette(coords, labels, sample_size=sample, random_state=seed))
        if best is None or score > best[0] + 1e-12:
            best = (score, k, labels)
    if best is None:
        return 1, np.zeros(len(coords), dtype=int), None
    return best[1], best[2], best[0]


def _relabel(labels: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """Group ids by size (largest is 0, "A"), then by centre: stable across recomputations."""
    keys = []
    for label in np.unique(labels):
        members = labels == label
        centre = coords[members].mean(axis=0)
        keys.append((-int(members.sum()), round(float(centre[0]), 9), int(label)))
    order = {label: new for new, (_size, _x, label) in enumerate(sorted(keys))}
    return np.array([order[int(label)] for label in labels], dtype=int)


def _share(side: np.ndarray, voted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed share (1 + n_side) / (2 + n_voted) per statement, and n_voted."""
    n_side = side.sum(axis=0)
    n_voted = voted.sum(axis=0)
    return (1 + n_side) / (2 + n_voted), n_voted


def _representatives(
    matrix: np.ndarray, labels: np.ndarray, group: int, columns: list[Hashable]
) -> list[Representative]:
    voted = ~np.isnan(matrix)
    inside = labels == group
    agree = matrix == AGREE
    disagree = matrix == DISAGREE
    p_agree_in, n_in = _share(agree[inside], voted[inside])
    p_agree_out, _n_out = _share(agree[~inside], voted[~inside])
    p_disagree_in, _ = _share(disagree[inside], voted[inside])
    p_disagree_out, _ = _share(disagree[~inside], voted[~inside])
    found = []
    for index, statement in enumerate(columns):
        if n_in[index] < MIN_GROUP_VOTES:
            continue
        options = (
            ("agree", p_agree_in[index], p_agree_out[index]),
            ("disagree", p_disagree_in[index], p_disagree_out[index]),
        )
        candidates = [
            (p_in / p_out * p_in, direction, p_in, p_out)
            for direction, p_in, p_out in options
            if p_in / p_out > 1 and p_in > 0.5
        ]
        if not candidates:
            continue
        metric, direction, p_in, p_out = max(candidates)
        found.append(
            (
                -metric,
                index,
                Representative(
                    statement_id=statement,
                    direction=direction,
                    ratio=round(float(p_in / p_out), 4),
                    p_in=round(float(p_in), 4),
                    p_out=round(float(p_out), 4),
                    votes_in=int(n_in[index]),
                    p_agree_in=round(float(p_agree_in[index]), 4),
                    p_agree_out=round(float(p_agree_out[index]), 4),
                ),
            )
        )
    found.sort(key=lambda item: (item[0], item[1]))
    return [item[2] for item in found[:REPRESENTATIVE_PER_GROUP]]


def _consensus(
    matrix: np.ndarray, labels: np.ndarray, k: int, columns: list[Hashable]
) -> list[Consensus]:
    voted = ~np.isnan(matrix)
    agree = matrix == AGREE
    shares = np.vstack([_share(agree[labels == g], voted[labels == g])[0] for g in range(k)])
    scores = shares.prod(axis=0)
    ranked = sorted(range(len(columns)), key=lambda index: (-scores[index], index))
    found = []
    for index in ranked:
        if not (shares[:, index] > 0.5).all():
            continue  # some group does not tend to agree: not a consensus
        found.append(
            Consensus(
                statement_id=columns[index],
                score=round(float(scores[index]), 4),
                p_agree_by_group=[round(float(p), 4) for p in shares[:, index]],
            )
        )
        if len(found) == CONSENSUS_TOP:
            break
    return found


def _totals(matrix: np.ndarray, columns: list[Hashable]) -> dict[Hashable, dict[str, int]]:
    return {
        statement: {
            "agree": int((matrix[:, index] == AGREE).sum()),
            "disagree": int((matrix[:, index] == DISAGREE).sum()),
            "pass": int((matrix[:, index] == PASS).sum()),
        }
        for index, statement in enumerate(columns)
    }


def compute(
    votes: Iterable[tuple[Hashable, Hashable, int]],
    statements: Sequence[Hashable] | None = None,
    *,
    seed: int = SEED,
) -> OpinionGroups:
    """The opinion groups of a set of votes. `statements` fixes the columns (e.g. the approved
    statements, including ones nobody voted on yet); by default, every statement voted on."""
    votes = list(votes)
    rows, columns, matrix = vote_matrix(votes, statements)
    counts = (~np.isnan(matrix)).sum(axis=1) if len(rows) else np.zeros(0, dtype=int)
    threshold = max(1, min(MIN_VOTES, len(columns)))
    kept = counts >= threshold
    kept_rows = [row for row, keep in zip(rows, kept, strict=True) if keep]
    excluded = [row for row, keep in zip(rows, kept, strict=True) if not keep]
    sub = matrix[kept] if len(rows) else matrix
    result = OpinionGroups(
        n_participants=len(rows),
        n_statements=len(columns),
        min_votes=threshold,
        points=[],
        excluded=excluded,
        k=0,
        silhouette=None,
        groups=[],
        consensus=[],
        totals=_totals(matrix, columns),
        fingerprint=fingerprint(
            [(p, s, c) for (p, s), c in _latest(votes, columns).items()], seed=seed
        ),
        seed=seed,
    )
    if len(kept_rows) == 0 or len(columns) == 0:
        return result
    coords = _project(sub)
    if len(kept_rows) < MIN_PARTICIPANTS:
        labels = None
    else:
        k, labels, score = _choose_k(coords, seed=seed)
        labels = _relabel(labels, coords)
        result.k = k
        result.silhouette = None if score is None else round(score, 4)
    kept_counts = counts[kept]
    result.points = [
        Point(
            participant=row,
            x=round(float(coords[index, 0]), 5),
            y=round(float(coords[index, 1]), 5),
            group=None if labels is None else int(labels[index]),
            votes=int(kept_counts[index]),
        )
        for index, row in enumerate(kept_rows)
    ]
    if labels is None:
        return result
    for group in range(result.k):
        members = labels == group
        centre = coords[members].mean(axis=0)
        result.groups.append(
            Group(
                id=group,
                size=int(members.sum()),
                members=[row for row, inside in zip(kept_rows, members, strict=True) if inside],
                centre=(round(float(centre[0]), 5), round(float(centre[1]), 5)),
                representative=_representatives(sub, labels, group, columns)
                if result.k > 1
                else [],
            )
        )
    if result.k > 1:
        result.consensus = _consensus(sub, labels, result.k, columns)
    return result


def _latest(
    votes: list[tuple[Hashable, Hashable, int]], columns: list[Hashable]
) -> dict[tuple[Hashable, Hashable], int]:
    allowed = set(columns)
    latest: dict[tuple[Hashable, Hashable], int] = {}
    for participant, statement, choice in votes:
        if statement in allowed:
            latest[(participant, statement)] = int(choice)
    return latest


def adjusted_rand(labels_a: Sequence[int], labels_b: Sequence[int]) -> float:
    """Agreement of two labellings (1 = the same partition); for tests and evaluation."""
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(list(labels_a), list(labels_b)))


__all__ = [
    "MIN_VOTES",
    "Consensus",
    "Group",
    "OpinionGroups",
    "Point",
    "Representative",
    "adjusted_rand",
    "compute",
    "fingerprint",
    "vote_matrix",
]
