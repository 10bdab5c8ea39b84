"""The duplicate detector: is a new (or a triaged) report one the municipality already has?

A score in [0, 1] made of four plain signals, each shown to the person who decides:

- **text**: cosine similarity of the content words (PyThaiNLP newmm, stop words and politeness
  particles dropped) of the normalised descriptions, binary and weighted by inverse document
  frequency computed among the candidates and the query (so a word every nearby report uses,
  such as the street's name, counts little, "หลุม" a lot). No trained model. Character n-grams
  were measured too and separate the same problem from a neighbouring one less well (see
  docs/insight-duplicates.md).
- **distance**: exp(-(d / 100 m)^2): 1 at the same spot, 0.78 at 50 m, 0.37 at 100 m, ~0 at 300 m.
- **time**: exp(-Δt / 10 days) between the query's moment and the candidate's submission.
- **category**: 1 for the same category, 0.5 for another category of the same department (a
  duplicate is often filed under a neighbouring category), else 0.

The weighted mean (WEIGHTS) is the score; without text (the form before the resident has
typed) the text part is left out and the other weights renormalised. Candidates: the
municipality's reports within RADIUS_M of the point, submitted within WINDOW_DAYS of the
query's moment, open or resolved within RECENTLY_RESOLVED_DAYS, any category, the
MAX_CANDIDATES most recent. Nothing here changes a report: the finder only ranks (see
docs/insight-duplicates.md).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache

from django.db.models import Q
from django.utils import timezone

from thesaban.insight.text import normalise, stopwords, words
from thesaban.municipalities import geo
from thesaban.reports.models import Category, Report
from thesaban.reports.registry import DuplicateCandidate
from thesaban.reports.workflow import DONE_STATUSES, OPEN_STATUSES

RADIUS_M = 300.0
WINDOW_DAYS = 60
RECENTLY_RESOLVED_DAYS = 14
MAX_CANDIDATES = 300
DISTANCE_SCALE_M = 100.0
TIME_SCALE_HOURS = 10 * 24.0
WEIGHTS = {"text": 0.45, "distance": 0.30, "time": 0.10, "category": 0.15}
THRESHOLD = 0.5
SAME_DEPARTMENT = 0.5
# Long descriptions say the essential first; the tail only costs time.
TEXT_CHARS = 300


# -- the signals -----------------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def _terms(text: str) -> frozenset[str]:
    """The content words of a description: newmm tokens of its normalised start, without stop
    words and politeness particles. Cached per process: the same nearby reports are compared
    again and again while residents type, and segmentation is the costly step."""
    sample = normalise(text[: TEXT_CHARS * 2])[:TEXT_CHARS]
    stop = stopwords()
    return frozenset(word for word in words(sample, normalised=True) if word not in stop)


def text_similarities(query: str, texts: Iterable[str]) -> list[float]:
    """Cosine similarity of `query` to each text: binary word vectors weighted by smooth IDF,
    with the document frequencies counted over the texts and the query together (so a word
    every nearby report uses, such as the street's name, weighs little)."""
    query_terms = _terms(query)
    doc_terms = [_terms(text) for text in texts]
    if not query_terms:
        return [0.0 for _ in doc_terms]
    total = len(doc_terms) + 1
    frequency: Counter[str] = Counter(query_terms)
    for terms in doc_terms:
        frequency.update(terms)
    # Squared IDF: the weight a term adds to a dot product or a squared norm.
    weight = {
        term: (math.log((1 + total) / (1 + count)) + 1.0) ** 2 for term, count in frequency.items()
    }
    query_norm = math.sqrt(sum(map(weight.__getitem__, query_terms)))
    result = []
    for terms in doc_terms:
        shared = terms & query_terms
        if not shared:
            result.append(0.0)
            continue
        dot = sum(map(weight.__getitem__, shared))
        norm = math.sqrt(sum(map(weight.__getitem__, terms)))
        result.append(min(1.0, dot / (query_norm * norm)))
    return result


def distance_score(distance_m: float) -> float:
    return math.exp(-((distance_m / DISTANCE_SCALE_M) ** 2))


def time_score(hours_apart: float) -> float:
    return math.exp(-abs(hours_apart) / TIME_SCALE_HOURS)


def combine(*, text: float | None, distance: float, time: float, category: float) -> float:
    """The weighted mean of the parts present (text is None when the query has none)."""
    parts = {"distance": distance, "time": time, "category": category}
    if text is not None:
        parts["text"] = text
    weight = sum(WEIGHTS[name] for name in parts)
    return sum(WEIGHTS[name] * value for name, value in parts.items()) / weight


# -- the finder ------------------------------------------------------------------------------


def _category_ids(municipality, category) -> tuple[int | None, int | None]:
    """(category id, its department id) of whatever the caller passed."""
    if category is None or category == "":
        return None, None
    if isinstance(category, Category):
        return category.pk, category.department_id
    row = (
        Category.objects.filter(municipality=municipality, pk=category)
        .values_list("pk", "department_id")
        .first()
    )
    return row if row else (None, None)


def find_duplicates(
    *,
    municipality,
    category: Category | int | None = None,
    lat: float | None,
    lng: float | None,
    text: str = "",
    when: datetime | None = None,
    exclude_id: int | None = None,
    limit: int = 5,
    threshold: float = THRESHOLD,
    radius_m: float = RADIUS_M,
) -> list[DuplicateCandidate]:
    """Reports of `municipality` that may describe the same problem as a report of `category`
    at (lat, lng) submitted at `when` (now by default) with description `text`, best first,
    those scoring at least `threshold`, at most `limit`. Without a place there is nothing to
    compare: an empty list."""
    if lat is None or lng is None:
        return []
    when = when or timezone.now()
    category_id, department_id = _category_ids(municipality, category)
    south, north, west, east = geo.degree_box(lat, lng, radius_m)
    window = timedelta(days=WINDOW_DAYS)
    rows = list(
        Report.objects.filter(
            Q(status__in=OPEN_STATUSES)
            | Q(
                status__in=DONE_STATUSES,
                resolved_at__gte=when - timedelta(days=RECENTLY_RESOLVED_DAYS),
            ),
            municipality=municipality,
            lat__gte=south,
            lat__lte=north,
            lng__gte=west,
            lng__lte=east,
            submitted_at__gte=when - window,
            submitted_at__lte=when + window,
        )
        .exclude(pk=exclude_id)
        .order_by("-submitted_at", "-id")
        .values_list(
            "id", "lat", "lng", "submitted_at", "category_id", "category__department_id",
            "description",
        )[:MAX_CANDIDATES]
    )  # fmt: skip
    near = []
    for row in rows:
        distance = geo.distance_m(lat, lng, row[1], row[2])
        if distance <= radius_m:
            near.append((row, distance))
    if not near:
        return []
    query = (text or "").strip()
    similarities: list[float | None] = (
        list(text_similarities(query, (row[6] for row, _d in near)))
        if _terms(query)
        else [None] * len(near)
    )
    scored = []
    for (row, distance), similarity in zip(near, similarities, strict=True):
        hours = (row[3] - when).total_seconds() / 3600.0
        if category_id is not None and row[4] == category_id:
            same_category = 1.0
        elif department_id is not None and row[5] == department_id:
            same_category = SAME_DEPARTMENT
        else:
            same_category = 0.0
        score = combine(
            text=similarity,
            distance=distance_score(distance),
            time=time_score(hours),
            category=same_category,
        )
        if score >= threshold:
            scored.append((score, distance, row[0], abs(hours), similarity))
    # Best first; ties by distance, then by id (the earlier report first): a stable order.
    scored.sort(key=lambda item: (-round(item[0], 9), item[1], item[2]))
    scored = scored[:limit]
    reports = Report.objects.select_related("category").in_bulk([item[2] for item in scored])
    return [
        DuplicateCandidate(
            report=reports[report_id],
            score=round(score, 4),
            distance_m=distance,
            hours_apart=hours,
            text_similarity=None if similarity is None else round(similarity, 4),
        )
        for score, distance, report_id, hours, similarity in scored
        if report_id in reports
    ]


def install() -> None:
    """Make this the finder the report form, triage and merging ask (from InsightConfig.ready)."""
    from thesaban.reports.registry import duplicate_finder

    duplicate_finder.use(find_duplicates)
