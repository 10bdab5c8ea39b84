"""Reads of the category suggester: which model serves a municipality, what its labels mean
there, and which reports staff have labelled (the training data of a municipality's model)."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from thesaban.insight.data import Example
from thesaban.insight.models import CategoriserModel, CategoryLabel, CategorySuggestion
from thesaban.insight.text import normalise
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Category, Report, ReportEvent
from thesaban.reports.workflow import DONE_STATUSES

# A municipality's own model needs this much labelled data (docs/insight-categoriser.md).
MIN_CATEGORIES = 2
MIN_EXAMPLES_PER_CATEGORY = 5


def _ready(queryset: QuerySet[CategoriserModel]) -> QuerySet[CategoriserModel]:
    return queryset.filter(status=CategoriserModel.Status.READY, artifact__isnull=False)


def scope_models(municipality: Municipality | None) -> QuerySet[CategoriserModel]:
    """The models of one scope: a municipality's own, or the site-wide ones (None)."""
    if municipality is None:
        return CategoriserModel.objects.filter(municipality__isnull=True)
    return CategoriserModel.objects.filter(municipality=municipality)


def model_list(municipality: Municipality | None) -> QuerySet[CategoriserModel]:
    """Newest first, without the artefact (it can be megabytes)."""
    return (
        scope_models(municipality)
        .defer("artifact")
        .select_related("created_by", "activated_by")
        .order_by("-version")
    )


def active_model(municipality: Municipality | None) -> CategoriserModel | None:
    return _ready(scope_models(municipality).filter(is_active=True)).defer("artifact").first()


def shipped_default() -> CategoriserModel | None:
    return (
        _ready(scope_models(None).filter(source=CategoriserModel.Source.SHIPPED))
        .defer("artifact")
        .order_by("-version")
        .first()
    )


def serving_model(municipality: Municipality | None) -> CategoriserModel | None:
    """The model that suggests categories for a municipality: its own active model, else the
    active site-wide model, else the newest shipped default; None before any is built."""
    if municipality is not None:
        own = active_model(municipality)
        if own is not None:
            return own
    return active_model(None) or shipped_default()


# --- Deserialised classifiers, kept per process -----------------------------------------

_CACHE_SIZE = 8
_classifiers: OrderedDict[int, Any] = OrderedDict()
_lock = threading.Lock()


def classifier_for(model: CategoriserModel) -> Any:
    """The model's classifier, deserialised once per process (a stored model never changes:
    a retrained one is a new row)."""
    from thesaban.insight.classifier import Classifier

    with _lock:
        if model.pk in _classifiers:
            _classifiers.move_to_end(model.pk)
            return _classifiers[model.pk]
    artifact = CategoriserModel.objects.filter(pk=model.pk).values_list("artifact", flat=True)[0]
    classifier = Classifier.from_bytes(bytes(artifact))
    with _lock:
        _classifiers[model.pk] = classifier
        while len(_classifiers) > _CACHE_SIZE:
            _classifiers.popitem(last=False)
    return classifier


def forget_classifiers() -> None:
    with _lock:
        _classifiers.clear()


# --- What a model's labels mean in a municipality ----------------------------------------


def _key(value: str) -> str:
    return normalise(str(value or "")).replace(" ", "")


def match_category(label: str, categories: Iterable[Category]) -> Category | None:
    """The category a label names: same code, else same Thai or English name, else the one
    that is the same default category (seed.DEFAULT_CATEGORIES: codes, names, aliases)."""
    from thesaban.insight.seed import default_label

    categories = list(categories)
    key = _key(label)
    for category in categories:
        if _key(category.code) == key:
            return category
    for category in categories:
        if key in {_key(category.name_th), _key(category.name_en)}:
            return category
    code = default_label(label)
    if code is None:
        return None
    for category in categories:
        if category.code == code:
            return category
    for category in categories:
        if code in {default_label(category.name_th), default_label(category.name_en)}:
            return category
    return None


def label_categories(
    *, municipality: Municipality, labels: Iterable[str], overrides: bool = True
) -> dict[str, Category | None]:
    """Each model label's category in this municipality: the staff's override if there is
    one, else by code, name or alias (match_category). Two queries whatever the labels.
    `overrides=False` gives the automatic match alone (the mapping page shows it)."""
    labels = list(dict.fromkeys(labels))
    categories = list(Category.objects.filter(municipality=municipality, is_active=True))
    chosen = (
        {
            row.label: row.category
            for row in CategoryLabel.objects.filter(municipality=municipality, label__in=labels)
            .select_related("category")
            .filter(category__is_active=True)
        }
        if overrides
        else {}
    )
    return {
        label: chosen[label] if label in chosen else match_category(label, categories)
        for label in labels
    }


def label_overrides(*, municipality: Municipality) -> dict[str, int]:
    return dict(
        CategoryLabel.objects.filter(municipality=municipality).values_list("label", "category_id")
    )


# --- Training data ----------------------------------------------------------------------


def labelled_reports(*, municipality: Municipality) -> QuerySet[Report]:
    """Reports whose category a person confirmed or corrected: a decided suggestion, a
    category change by staff, or a report staff resolved under its category (they worked on
    it as such; a municipality's history trains its first model). Oldest first (time-ordered
    evaluation)."""
    decided = CategorySuggestion.objects.filter(municipality=municipality).exclude(
        decision=CategorySuggestion.Decision.PENDING
    )
    changed = ReportEvent.objects.filter(municipality=municipality, kind=ReportEvent.Kind.CATEGORY)
    return (
        Report.objects.filter(municipality=municipality)
        .filter(
            Q(pk__in=decided.values("report_id"))
            | Q(pk__in=changed.values("report_id"))
            | Q(status__in=DONE_STATUSES)
        )
        .select_related("category")
        .order_by("submitted_at", "pk")
    )


def training_examples(*, municipality: Municipality) -> list[Example]:
    return [
        Example(text=report.description, labels=(report.category.code,), when=report.submitted_at)
        for report in labelled_reports(municipality=municipality).only(
            "description", "submitted_at", "category__code"
        )
    ]


def label_counts(*, municipality: Municipality) -> dict[str, int]:
    """Labelled reports per category code (one query), for the training page."""
    rows = (
        labelled_reports(municipality=municipality)
        .order_by()
        .values("category__code")
        .annotate(n=Count("id"))
    )
    return {row["category__code"]: row["n"] for row in rows}


@dataclass(frozen=True)
class Readiness:
    ready: bool
    counts: dict[str, int]
    missing: int  # how many more labelled reports are needed at least


def training_readiness(examples: Iterable[Example] | dict[str, int]) -> Readiness:
    """Enough to train: MIN_CATEGORIES categories with MIN_EXAMPLES_PER_CATEGORY each. Takes
    the examples, or their counts per label (label_counts)."""
    if isinstance(examples, dict):
        counts = Counter(examples)
    else:
        counts = Counter(example.labels[0] for example in examples if example.labels)
    best = sorted(counts.values(), reverse=True)[:MIN_CATEGORIES]
    best += [0] * (MIN_CATEGORIES - len(best))
    missing = sum(max(0, MIN_EXAMPLES_PER_CATEGORY - count) for count in best)
    return Readiness(missing == 0, dict(counts), missing)


def suggestion_stats(*, municipality: Municipality) -> dict[str, int]:
    """How many suggestions wait for a person, were confirmed, were corrected (one query)."""
    rows = (
        CategorySuggestion.objects.filter(municipality=municipality)
        .values("decision")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["decision"]: row["n"] for row in rows}
    return {choice: counts.get(choice, 0) for choice in CategorySuggestion.Decision.values}


def pending_suggestions_for(
    *, municipality: Municipality, report_ids: list[int]
) -> QuerySet[CategorySuggestion]:
    """The undecided suggestions of some of a municipality's reports, with their category."""
    return CategorySuggestion.objects.filter(
        municipality=municipality,
        report_id__in=report_ids,
        decision=CategorySuggestion.Decision.PENDING,
    ).select_related("category")
