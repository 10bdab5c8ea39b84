"""Themes in a set of Thai comments: plain Python, numpy and scikit-learn, no Django.

The pipeline, and why each step:

1. **Words.** Each comment is normalised and split with `thesaban.insight.text.words` (newmm);
   stop words, politeness particles, one-character tokens and bare numbers are dropped. A
   comment with no word left ("555", an emoji) cannot be placed and is counted apart.
2. **TF-IDF** over unigrams and bigrams (Thai writes "น้ำท่วม" as two newmm words: the bigram
   keeps the phrase), terms in at least `min_df` comments, sub-linear term frequency.
3. **TruncatedSVD** to at most `svd_dims` dimensions, then L2 normalisation: short comments
   share few exact words, the latent dimensions let "ท่อ" and "ระบายน้ำ" meet; on unit vectors
   Euclidean k-means is cosine clustering.
4. **k-means** with a fixed seed for every k in `min_k..max_k` (fewer for few comments); the k
   with the best silhouette (computed on a seeded sample when there are many comments) wins,
   the smaller k on a tie.
5. **Keywords** per theme by class-based TF-IDF (c-TF-IDF): a term's share of the theme's
   words times `log(1 + average words per theme / the term's count in all themes)`, so a term
   is chosen for being frequent in the theme *and* rare elsewhere; terms found in a single
   comment are skipped; a word already inside a chosen phrase is not repeated.
6. **Representative comments**: the ones nearest the theme's centre, without repeating the
   same text twice.

Everything is deterministic for a given input and seed; the result records the seed, the
parameters and a sha256 fingerprint of the input (ids and texts, in id order).
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from thesaban.insight.text import normalise, stopwords, words

ALGORITHM = "tfidf-svd-kmeans-ctfidf/1"
DEFAULT_SEED = 2569
# Below this many usable comments there is nothing to cluster: say so rather than invent themes.
MIN_COMMENTS = 10
EXCERPT_CHARS = 200

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Parameters:
    min_k: int = 2
    max_k: int = 8
    svd_dims: int = 100
    min_df: int = 2
    max_df: float = 0.95
    ngram_max: int = 2
    n_init: int = 4
    silhouette_sample: int = 2000
    n_keywords: int = 8
    n_representatives: int = 3
    min_comments: int = MIN_COMMENTS
    k: int | None = None  # a fixed number of themes (skips the silhouette search)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Parameters:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in (data or {}).items() if key in known})


@dataclass
class Theme:
    label: str
    keywords: list[str]
    size: int
    share: float  # of the clustered comments, 0..1
    representatives: list[dict[str, Any]]  # [{"id": 3, "excerpt": "..."}]
    members: list[int]  # comment ids, nearest the centre first


@dataclass
class Analysis:
    status: str  # "ready" or "too_few"
    n_comments: int
    n_clustered: int
    fingerprint: str
    seed: int
    parameters: dict[str, Any]
    algorithm: str = ALGORITHM
    k: int = 0
    silhouette: float | None = None
    silhouette_by_k: dict[str, float] = field(default_factory=dict)
    themes: list[Theme] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fingerprint(comments: Iterable[tuple[int, str]]) -> str:
    """sha256 of the comments' ids and texts in id order: the same input, the same print."""
    digest = hashlib.sha256()
    for comment_id, text in sorted(comments, key=lambda item: item[0]):
        digest.update(f"{comment_id}\t{text}\n".encode())
    return digest.hexdigest()


def tokens(text: str) -> list[str]:
    """The words of a comment that can carry a theme."""
    stop = stopwords()
    return [
        word
        for word in words(text)
        if word not in stop and len(word) > 1 and not word.replace(".", "").isdigit()
    ]


def display_term(term: str) -> str:
    """A bigram is stored as "ถนน ชำรุด"; Thai writes it without the space."""
    parts = term.split(" ")
    if len(parts) == 1:
        return term
    shown = parts[0]
    for part in parts[1:]:
        both_thai = _is_thai(shown[-1]) and _is_thai(part[0])
        shown += part if both_thai else " " + part
    return shown


def _is_thai(character: str) -> bool:
    return "\u0e00" <= character <= "\u0e7f"


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def cluster_comments(
    comments: Iterable[tuple[int, str]],
    *,
    seed: int = DEFAULT_SEED,
    parameters: Parameters | None = None,
    progress: Progress | None = None,
    threads: int | None = 1,
) -> Analysis:
    """Group `comments` ((id, text) pairs) into themes. Never raises on odd input: empty or
    too few comments give `status="too_few"`.

    `threads` caps the BLAS/OpenMP threads of the numeric steps (None: the libraries'
    default). One thread is the default because the analysis runs beside web requests, and
    because k-means' thread pools, on a busy two-core server, were measured several times
    slower than one thread (docs/insight-topics.md). The result does not depend on it."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads):
        return _cluster(comments, seed=seed, parameters=parameters, progress=progress)


def _cluster(
    comments: Iterable[tuple[int, str]],
    *,
    seed: int,
    parameters: Parameters | None,
    progress: Progress | None,
) -> Analysis:
    parameters = parameters or Parameters()
    report = progress or (lambda percent, stage: None)
    items = sorted(((int(i), text or "") for i, text in comments), key=lambda item: item[0])
    result = Analysis(
        status="too_few",
        n_comments=len(items),
        n_clustered=0,
        fingerprint=fingerprint(items),
        seed=seed,
        parameters=parameters.as_dict(),
    )
    timings = result.timings

    # 1. Words.
    started = time.perf_counter()
    documents: list[list[str]] = []
    step = max(1, len(items) // 20)
    seen: dict[str, list[str]] = {}  # campaigns paste the same text: split it once
    for index, (_id, text) in enumerate(items):
        if text not in seen:
            seen[text] = tokens(text)
        documents.append(seen[text])
        if index % step == 0:
            report(int(50 * index / max(1, len(items))), "tokenise")
    timings["tokenise_s"] = time.perf_counter() - started
    usable = [index for index, document in enumerate(documents) if document]
    result.n_clustered = len(usable)
    if len(usable) < max(parameters.min_comments, 2):
        report(100, "done")
        return result
    ids = [items[index][0] for index in usable]
    texts = [items[index][1] for index in usable]
    documents = [documents[index] for index in usable]
    report(50, "vectorise")

    # 2-3. TF-IDF and the latent space.
    started = time.perf_counter()
    counts, vocabulary = _count_matrix(documents, parameters)
    if counts is None:
        timings["vectorise_s"] = time.perf_counter() - started
        report(100, "done")
        return result
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    vectors = _latent(tfidf, parameters, seed)
    timings["vectorise_s"] = time.perf_counter() - started
    report(60, "cluster")

    # 4. k-means, k by silhouette.
    started = time.perf_counter()
    labels, centres, chosen, scores = _choose_k(vectors, parameters, seed, report)
    timings["cluster_s"] = time.perf_counter() - started
    result.k = chosen
    result.silhouette_by_k = {str(k): round(score, 4) for k, score in scores.items()}
    result.silhouette = result.silhouette_by_k.get(str(chosen))
    report(92, "keywords")

    # 5-6. Keywords and representatives.
    started = time.perf_counter()
    keywords = _keywords(counts, labels, chosen, vocabulary, parameters)
    themes = []
    for cluster in range(chosen):
        members = np.flatnonzero(labels == cluster)
        if not len(members):
            continue
        centre = centres[cluster] / (np.linalg.norm(centres[cluster]) or 1.0)
        closeness = vectors[members] @ centre
        order = members[np.lexsort((np.array(ids)[members], -closeness))]
        representatives, seen = [], set()
        for index in order:
            key = normalise(texts[index])
            if key in seen:
                continue
            seen.add(key)
            representatives.append({"id": ids[index], "excerpt": excerpt(texts[index])})
            if len(representatives) >= parameters.n_representatives:
                break
        themes.append(
            Theme(
                label=" · ".join(keywords[cluster][:3]),
                keywords=keywords[cluster],
                size=int(len(members)),
                share=round(len(members) / len(ids), 4),
                representatives=representatives,
                members=[ids[index] for index in order],
            )
        )
    themes.sort(key=lambda theme: (-theme.size, theme.members[0]))
    result.themes = themes
    result.status = "ready"
    timings["keywords_s"] = time.perf_counter() - started
    for key in timings:
        timings[key] = round(timings[key], 4)
    report(100, "done")
    return result


def _analyzer(ngram_max: int) -> Callable[[list[str]], list[str]]:
    def analyse(document: list[str]) -> list[str]:
        terms = list(document)
        for n in range(2, ngram_max + 1):
            terms.extend(" ".join(document[i : i + n]) for i in range(len(document) - n + 1))
        return terms

    return analyse


def _count_matrix(documents: list[list[str]], parameters: Parameters):
    from sklearn.feature_extraction.text import CountVectorizer

    # With few comments a term in two of them is already a pattern; min_df never exceeds a
    # tenth of the comments, and falls back to 1 when nothing repeats at all.
    min_df = max(1, min(parameters.min_df, len(documents) // 10))
    for attempt in (min_df, 1):
        vectorizer = CountVectorizer(
            analyzer=_analyzer(parameters.ngram_max),
            min_df=attempt,
            max_df=parameters.max_df if len(documents) >= 20 else 1.0,
        )
        try:
            counts = vectorizer.fit_transform(documents)
        except ValueError:  # no term left after min_df/max_df
            continue
        if counts.shape[1] >= 2:
            return counts.tocsr(), vectorizer.get_feature_names_out()
    return None, None


def _latent(tfidf, parameters: Parameters, seed: int) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dims = min(parameters.svd_dims, tfidf.shape[1] - 1, tfidf.shape[0] - 1)
    if dims >= 2:
        vectors = TruncatedSVD(n_components=dims, random_state=seed).fit_transform(tfidf)
    else:
        vectors = tfidf.toarray()
    return normalize(vectors)


def _choose_k(vectors: np.ndarray, parameters: Parameters, seed: int, report: Progress):
    """k-means for each candidate k on (a seeded sample of) the comments, scored by
    silhouette; the winner is then fitted on all of them."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    def fit(data: np.ndarray, k: int) -> KMeans:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning on near-duplicate comments
            return KMeans(n_clusters=k, random_state=seed, n_init=parameters.n_init).fit(data)

    n = len(vectors)
    distinct = len(np.unique(np.round(vectors, 6), axis=0))
    if parameters.k:
        candidates = [max(1, min(parameters.k, distinct))]
    else:
        # About five comments a theme at least: 10 comments allow 2 themes, 40 allow 8.
        top = min(parameters.max_k, max(parameters.min_k, n // 5), distinct - 1)
        candidates = list(range(parameters.min_k, top + 1)) or [max(1, min(2, distinct))]
    scores: dict[int, float] = {}
    if len(candidates) > 1:
        sample = vectors
        if n > parameters.silhouette_sample:
            picked = np.random.default_rng(seed).choice(
                n, parameters.silhouette_sample, replace=False
            )
            sample = vectors[np.sort(picked)]
        for position, k in enumerate(candidates):
            labels = fit(sample, k).labels_
            if 1 < len(set(labels)) < len(sample):
                scores[k] = float(silhouette_score(sample, labels))
            report(60 + int(25 * (position + 1) / len(candidates)), "cluster")
    # The best silhouette; the smaller k on a tie (or when no k could be scored).
    chosen = max(scores, key=lambda k: (round(scores[k], 6), -k)) if scores else candidates[0]
    model = fit(vectors, chosen)
    report(90, "cluster")
    return model.labels_, model.cluster_centers_, chosen, scores


def _keywords(counts, labels: np.ndarray, k: int, vocabulary, parameters: Parameters):
    """c-TF-IDF: rows are themes, each theme one long document."""
    from scipy import sparse

    membership = sparse.csr_matrix(
        (np.ones(len(labels)), (labels, np.arange(len(labels)))), shape=(k, len(labels))
    )
    per_theme = np.asarray((membership @ counts).todense(), dtype=float)  # k × V term counts
    present = np.asarray((membership @ (counts > 0).astype(float)).todense())  # comments with it
    totals = per_theme.sum(axis=1, keepdims=True)
    tf = per_theme / np.where(totals == 0, 1, totals)
    average_words = per_theme.sum() / k
    idf = np.log(1 + average_words / np.maximum(per_theme.sum(axis=0), 1))
    scores = tf * idf
    scores[present < 2] = 0  # a term from one comment says nothing about a theme
    # Rare elsewhere: the theme holds clearly more of the term's uses than of all words (a
    # filler word spread evenly over the themes has a lift of 1). The bar is lower for a theme
    # that holds most of the words, whose terms cannot reach a lift of 1.5.
    theme_share = totals / max(per_theme.sum(), 1)
    lift = (per_theme / np.maximum(per_theme.sum(axis=0), 1)) / np.maximum(theme_share, 1e-9)
    bar = np.minimum(1.5, (1 + 1 / np.maximum(theme_share, 1e-9)) / 2)
    scores[lift < bar] = 0
    position_of = {str(term): index for index, term in enumerate(vocabulary)}
    chosen_all = []
    for theme in range(k):
        chosen: list[str] = []
        for index in np.argsort(-scores[theme], kind="stable"):
            if scores[theme, index] <= 0 or len(chosen) >= parameters.n_keywords:
                break
            term = str(vocabulary[index])
            pieces = term.split(" ")
            if len(pieces) == 1:
                if not any(term in other.split(" ") for other in chosen):
                    chosen.append(term)
                continue
            # A pair of words is a phrase when it accounts for at least half the uses of its
            # rarer word in the theme ("ขุด ลอก"); a chance neighbourhood is not a keyword.
            piece_counts = [
                per_theme[theme, position_of[piece]] for piece in pieces if piece in position_of
            ]
            if piece_counts and per_theme[theme, index] < 0.5 * min(piece_counts):
                continue
            # ...and each of its words belongs to the theme too: no "โครงการ" + "น้ำท่วม".
            if any(
                lift[theme, position_of[piece]] < bar[theme, 0]
                for piece in pieces
                if piece in position_of
            ):
                continue
            # A phrase replaces the words of it already chosen ("ขุด" gives way to "ขุด ลอก").
            inside = [position for position, other in enumerate(chosen) if other in pieces]
            if inside:
                chosen[inside[0]] = term
                chosen = [other for p, other in enumerate(chosen) if p not in inside[1:]]
            elif not all(any(piece in other.split(" ") for other in chosen) for piece in pieces):
                chosen.append(term)
        chosen_all.append([display_term(term) for term in chosen])
    return chosen_all
