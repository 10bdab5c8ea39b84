"""Every write of the category suggester. Keyword-only, typed; the staff actions are atomic and
audited. Training itself runs in a task (tasks.py) and writes its progress to the model's row.

Nothing here changes a report by itself: a suggestion is stored beside the report, and only a
person's action (`suggestion_accept`, or any category change through reports'
`report_recategorise`) moves the report to another category.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import rules
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from thesaban.accounts.models import User
from thesaban.core.audit import audit_record
from thesaban.insight import selectors
from thesaban.insight.data import Example, data_fingerprint, time_split
from thesaban.insight.models import CategoriserModel, CategoryLabel, CategorySuggestion
from thesaban.municipalities.models import Municipality
from thesaban.reports.models import Category, Report

logger = logging.getLogger(__name__)

HOLDOUT_FRACTION = 0.2
Progress = Callable[[int, str], None]  # (percent 0-100, what is happening)


# --- Progress ---------------------------------------------------------------------------


def _fraction(args: tuple[Any, ...]) -> float | None:
    """Read a classifier progress call: (done, total) or (fraction,)."""
    numbers = [a for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
    if len(numbers) >= 2 and numbers[1]:
        return max(0.0, min(1.0, numbers[0] / numbers[1]))
    if len(numbers) == 1:
        value = float(numbers[0])
        return max(0.0, min(1.0, value if value <= 1 else value / 100))
    return None


def _stage(progress: Progress | None, start: int, end: int, note: str) -> Callable[..., None]:
    """A progress callback for one stage, mapped onto [start, end] of the whole job."""
    if progress is not None:
        progress(start, note)

    def report(*args: Any, **kwargs: Any) -> None:
        fraction = _fraction(args)
        if fraction is not None and progress is not None:
            progress(start + round((end - start) * fraction), note)

    return report


# --- Evaluation with label mapping ------------------------------------------------------


def _into_label_space(
    examples: Sequence[Example], *, label_to_code: dict[str, str | None]
) -> list[Example]:
    """Examples labelled with category codes, relabelled with the model labels that mean
    those categories, so a model whose labels differ (the shipped default) is measured fairly."""
    code_to_labels: dict[str, list[str]] = {}
    for label, code in label_to_code.items():
        if code is not None:
            code_to_labels.setdefault(code, []).append(label)
    relabelled = []
    for example in examples:
        labels: list[str] = []
        for code in example.labels:
            for label in code_to_labels.get(code, [code]):
                if label not in labels:
                    labels.append(label)
        relabelled.append(Example(text=example.text, labels=tuple(labels), when=example.when))
    return relabelled


def evaluate_for_municipality(
    classifier: Any,
    examples: Sequence[Example],
    *,
    municipality: Municipality | None,
    progress: Callable[..., None] | None = None,
) -> dict:
    """Metrics of a classifier on examples labelled with category codes of a municipality
    (or with default codes when None): model labels are read through the label mapping."""
    from thesaban.insight.classifier import evaluate

    if municipality is not None:
        mapping = selectors.label_categories(municipality=municipality, labels=classifier.labels)
        label_to_code = {label: (c.code if c else None) for label, c in mapping.items()}
        examples = _into_label_space(examples, label_to_code=label_to_code)
    return evaluate(classifier, list(examples), progress=progress)


def _summary(metrics: dict | None) -> dict | None:
    """The figures worth keeping in a row (not the per-example details)."""
    if not metrics:
        return None
    keep = ("accuracy", "macro_f1", "top3_accuracy", "n", "multi_label_rows", "labels")
    summary = {key: metrics[key] for key in keep if key in metrics}
    if "per_label" in metrics:
        summary["per_label"] = metrics["per_label"]
    return summary


# --- Storing and activating models ------------------------------------------------------


def _next_version(municipality: Municipality | None) -> int:
    # Lock the scope's rows so two trainings started together do not take the same number.
    versions = list(
        selectors.scope_models(municipality).select_for_update().values_list("version", flat=True)
    )
    return max(versions, default=0) + 1


def _meta_fields(classifier: Any) -> dict[str, Any]:
    meta = dict(getattr(classifier, "meta", {}) or {})
    return {
        "algorithm": str(meta.get("algorithm", ""))[:100],
        "algorithm_version": str(meta.get("algorithm_version", ""))[:50],
        "seed": int(meta.get("seed") or 0),
        "data_fingerprint": str(meta.get("data_fingerprint", ""))[:64],
        "n_examples": int(meta.get("n_examples") or 0),
        "labels": list(classifier.labels),
        "params": {
            "params": meta.get("params") or {},
            "label_counts": meta.get("label_counts") or {},
        },
    }


@transaction.atomic
def categoriser_model_store(
    *,
    municipality: Municipality | None,
    classifier: Any,
    source: str,
    metrics: dict | None = None,
    note: str = "",
    params: dict | None = None,
    actor: User | None = None,
    activate: bool = False,
) -> CategoriserModel:
    """Store a trained classifier as the next version of its scope (ready to serve)."""
    now = timezone.now()
    fields = _meta_fields(classifier)
    fields["params"].update(params or {})
    model = CategoriserModel.objects.create(
        municipality=municipality,
        version=_next_version(municipality),
        source=source,
        note=note[:300],
        status=CategoriserModel.Status.READY,
        progress=100,
        metrics=metrics or {},
        artifact=classifier.to_bytes(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        trained_at=now,
        **fields,
    )
    audit_record(
        action="insight.model_store",
        actor=actor,
        municipality=municipality,
        target=model,
        data={"version": model.version, "source": source, "fingerprint": model.data_fingerprint},
    )
    if activate:
        model = categoriser_model_activate(model=model, actor=actor, check_permission=False)
    return model


@transaction.atomic
def categoriser_model_activate(
    *, model: CategoriserModel, actor: User | None, check_permission: bool = True
) -> CategoriserModel:
    """Make a ready model the one its scope uses: also how staff switch back to an earlier
    version. One active model per scope, under a row lock of the scope's models."""
    if check_permission and not (
        model.municipality is not None
        and rules.has_perm("insight.activate_model", actor, model.municipality)
    ):
        raise PermissionDenied(_("Only an administrator may change which model is used."))
    scope = list(
        selectors.scope_models(model.municipality)
        .select_for_update()
        .order_by("pk")
        .defer("artifact")
    )
    current = next((m for m in scope if m.pk == model.pk), None)
    if current is None:
        raise ValidationError(_("This model does not exist any more."))
    if current.status != CategoriserModel.Status.READY:
        raise ValidationError(_("Only a model that finished training can be used."))
    if not current.holdout and current.source != CategoriserModel.Source.SHIPPED:
        raise ValidationError(_("This model has no evaluation yet, so it cannot be used."))
    if current.is_active:
        return current
    previous = next((m for m in scope if m.is_active), None)
    now = timezone.now()
    selectors.scope_models(model.municipality).filter(is_active=True).update(is_active=False)
    CategoriserModel.objects.filter(pk=current.pk).update(
        is_active=True,
        activated_at=now,
        activated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    current.refresh_from_db()
    audit_record(
        action="insight.model_activate",
        actor=actor,
        municipality=model.municipality,
        target=current,
        data={"version": current.version, "previous": previous.version if previous else None},
    )
    return current


@transaction.atomic
def categoriser_use_site_wide(*, municipality: Municipality, actor: User) -> int:
    """Stop using the municipality's own models: the site-wide model serves it again."""
    if not rules.has_perm("insight.activate_model", actor, municipality):
        raise PermissionDenied(_("Only an administrator may change which model is used."))
    active = list(selectors.scope_models(municipality).select_for_update().filter(is_active=True))
    selectors.scope_models(municipality).filter(is_active=True).update(is_active=False)
    audit_record(
        action="insight.model_use_site_wide",
        actor=actor,
        municipality=municipality,
        data={"deactivated": [m.version for m in active]},
    )
    return len(active)


# --- The shipped default -----------------------------------------------------------------


def _shipped_cache_paths(fingerprint: str) -> tuple[Path, Path]:
    from thesaban.insight.classifier import ALGORITHM_VERSION

    folder = Path(settings.DATA_DIR) / "insight"
    stem = f"shipped-{ALGORITHM_VERSION}-{fingerprint[:20]}"
    return folder / f"{stem}.npz", folder / f"{stem}.json"


def _shipped_training(
    examples: Sequence[Example], *, fingerprint: str, progress: Progress | None
) -> tuple[Any, dict]:
    """The shipped model and its holdout metrics. Training is deterministic (same corpus, seed
    and algorithm give the same bytes), so a copy kept in the data folder under that key is the
    same model: a second database on this machine (tests, a reset demo) loads it instead of
    training again. A copy that does not load or does not match is ignored and replaced."""
    from thesaban.insight.classifier import DEFAULT_SEED, Classifier, evaluate, train

    model_path, metrics_path = _shipped_cache_paths(fingerprint)
    try:
        cached = Classifier.from_bytes(model_path.read_bytes())
        metrics = json.loads(metrics_path.read_text())
        if cached.meta.get("data_fingerprint") == fingerprint:
            if progress:
                progress(95, "loaded")
            return cached, metrics
    except (OSError, ValueError):
        pass
    # The seed corpus has no dates: hold out a seeded random 20% to measure it (an in-corpus
    # figure, optimistic; docs/insight-categoriser.md gives the figures on real reports).
    shuffled = list(examples)
    random.Random(DEFAULT_SEED).shuffle(shuffled)
    cut = len(shuffled) - max(1, round(len(shuffled) * HOLDOUT_FRACTION))
    learn, holdout = shuffled[:cut], shuffled[cut:]
    probe = train(learn, seed=DEFAULT_SEED, progress=_stage(progress, 0, 40, "holdout model"))
    metrics = evaluate(probe, holdout, progress=_stage(progress, 40, 50, "evaluating"))
    final = train(examples, seed=DEFAULT_SEED, progress=_stage(progress, 50, 95, "final model"))
    try:
        model_path.parent.mkdir(parents=True, exist_ok=True)
        partial = model_path.with_suffix(".tmp")
        partial.write_bytes(final.to_bytes())
        metrics_path.write_text(json.dumps(metrics))
        partial.replace(model_path)  # atomic: a reader never sees half a file
    except OSError:
        logger.warning("could not keep a copy of the shipped model in %s", model_path.parent)
    return final, metrics


def categoriser_default_ensure(
    *, progress: Progress | None = None, actor: User | None = None
) -> tuple[CategoriserModel, bool]:
    """Train the shipped default model from the seed corpus into the table, unless the same
    corpus, data and algorithm version is there already; activate it when no site-wide model
    is active. Returns the model and whether it was trained now. Idempotent."""
    from thesaban.insight.classifier import ALGORITHM_VERSION
    from thesaban.insight.seed import CORPUS_VERSION, seed_corpus

    examples = seed_corpus()
    fingerprint = data_fingerprint(examples)
    existing = next(
        (
            model
            for model in selectors.scope_models(None)
            .filter(
                source=CategoriserModel.Source.SHIPPED,
                status=CategoriserModel.Status.READY,
                data_fingerprint=fingerprint,
                algorithm_version=str(ALGORITHM_VERSION),
            )
            .defer("artifact")
            .order_by("-version")
            if (model.params or {}).get("corpus_version") == str(CORPUS_VERSION)
        ),
        None,
    )
    if existing is not None:
        if selectors.active_model(None) is None:
            existing = categoriser_model_activate(
                model=existing, actor=actor, check_permission=False
            )
        if progress:
            progress(100, "up to date")
        return existing, False

    final, metrics = _shipped_training(examples, fingerprint=fingerprint, progress=progress)
    with transaction.atomic():
        activate = selectors.active_model(None) is None
        model = categoriser_model_store(
            municipality=None,
            classifier=final,
            source=CategoriserModel.Source.SHIPPED,
            metrics={"holdout": _summary(metrics), "holdout_kind": "random"},
            note=f"seed corpus {CORPUS_VERSION}",
            params={"corpus_version": str(CORPUS_VERSION)},
            actor=actor,
            activate=activate,
        )
    if progress:
        progress(100, "stored")
    return model, True


# --- A municipality's own model, trained in the background ------------------------------


def readiness_message(readiness: selectors.Readiness) -> str:
    return ngettext(
        "A model needs at least %(categories)d categories with %(per)d confirmed reports each. "
        "Confirm or correct the category of at least %(missing)d more report.",
        "A model needs at least %(categories)d categories with %(per)d confirmed reports each. "
        "Confirm or correct the category of at least %(missing)d more reports.",
        readiness.missing,
    ) % {
        "categories": selectors.MIN_CATEGORIES,
        "per": selectors.MIN_EXAMPLES_PER_CATEGORY,
        "missing": readiness.missing,
    }


@transaction.atomic
def categoriser_train_request(*, municipality: Municipality, actor: User) -> CategoriserModel:
    """Queue the training of a new model from the municipality's confirmed reports."""
    if not rules.has_perm("insight.train_model", actor, municipality):
        raise PermissionDenied(_("Only an administrator may train a model."))
    readiness = selectors.training_readiness(selectors.training_examples(municipality=municipality))
    if not readiness.ready:
        raise ValidationError(readiness_message(readiness))
    if (
        selectors.scope_models(municipality)
        .filter(status__in=[CategoriserModel.Status.QUEUED, CategoriserModel.Status.TRAINING])
        .exists()
    ):
        raise ValidationError(_("A model is already being trained; wait for it to finish."))
    model = CategoriserModel.objects.create(
        municipality=municipality,
        version=_next_version(municipality),
        source=CategoriserModel.Source.CONFIRMED_REPORTS,
        status=CategoriserModel.Status.QUEUED,
        progress_note="queued",
        created_by=actor,
    )
    audit_record(
        action="insight.model_train",
        actor=actor,
        municipality=municipality,
        target=model,
        data={"version": model.version, "examples": sum(readiness.counts.values())},
    )
    from thesaban.insight.tasks import train_categoriser

    model_id = model.pk
    transaction.on_commit(lambda: train_categoriser.enqueue(model_id))
    return model


def _write_progress(model_id: int) -> Progress:
    last = {"percent": -1}

    def write(percent: int, note: str) -> None:
        percent = max(0, min(100, int(percent)))
        if percent == last["percent"]:
            return
        last["percent"] = percent
        CategoriserModel.objects.filter(pk=model_id).update(
            progress=percent, progress_note=note[:200]
        )

    return write


def categoriser_train_run(*, model_id: int) -> CategoriserModel:
    """The task's body: train on the earlier 80% of the confirmed reports and measure on the
    later 20% (beside the model serving now, on the same reports); then train the stored
    model on all of them. Progress and failure are written to the row."""
    from thesaban.insight.classifier import DEFAULT_SEED, train

    claimed = CategoriserModel.objects.filter(
        pk=model_id, status=CategoriserModel.Status.QUEUED
    ).update(status=CategoriserModel.Status.TRAINING, progress=1, progress_note="starting")
    model = CategoriserModel.objects.select_related("municipality").get(pk=model_id)
    if not claimed:
        return model  # a retried task finds the job already handled
    municipality = model.municipality
    progress = _write_progress(model_id)
    try:
        examples = selectors.training_examples(municipality=municipality)
        readiness = selectors.training_readiness(examples)
        if not readiness.ready:
            raise ValidationError(readiness_message(readiness))
        learn, holdout = time_split(examples, test_fraction=HOLDOUT_FRACTION)
        probe = train(learn, seed=DEFAULT_SEED, progress=_stage(progress, 2, 40, "holdout model"))
        metrics = evaluate_for_municipality(
            probe, holdout, municipality=municipality, progress=_stage(progress, 40, 50, "eval")
        )
        baseline_model = selectors.serving_model(municipality)
        baseline = None
        if baseline_model is not None:
            baseline = evaluate_for_municipality(
                selectors.classifier_for(baseline_model),
                holdout,
                municipality=municipality,
                progress=_stage(progress, 50, 60, "comparing"),
            )
        final = train(examples, seed=DEFAULT_SEED, progress=_stage(progress, 60, 95, "final"))
        fields = _meta_fields(final)
        CategoriserModel.objects.filter(pk=model_id).update(
            status=CategoriserModel.Status.READY,
            progress=100,
            progress_note="ready",
            artifact=final.to_bytes(),
            metrics={
                "holdout": _summary(metrics),
                "holdout_kind": "time",
                "baseline": _summary(baseline),
                "baseline_model": (
                    {
                        "id": baseline_model.pk,
                        "version": baseline_model.version,
                        "site_wide": baseline_model.is_site_wide,
                    }
                    if baseline_model
                    else None
                ),
            },
            trained_at=timezone.now(),
            **fields,
        )
    except Exception as error:  # the row says why; the worker goes on
        logger.exception("training category model %s failed", model_id)
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        CategoriserModel.objects.filter(pk=model_id).update(
            status=CategoriserModel.Status.FAILED, error=message[:2000], progress_note="failed"
        )
    model.refresh_from_db()
    return model


# --- Label mapping ----------------------------------------------------------------------


@transaction.atomic
def category_labels_save(
    *, municipality: Municipality, actor: User, mapping: dict[str, Category | None]
) -> int:
    """Set (or, with None, drop) the municipality's overrides of model labels."""
    if not rules.has_perm("insight.edit_labels", actor, municipality):
        raise PermissionDenied(_("Only an administrator may change the label mapping."))
    changed = {}
    for label, category in mapping.items():
        if category is not None and category.municipality_id != municipality.pk:
            raise ValidationError(_("This category belongs to another municipality."))
        existing = CategoryLabel.objects.filter(municipality=municipality, label=label).first()
        before = existing.category_id if existing else None
        after = category.pk if category else None
        if before == after:
            continue
        if category is None:
            existing.delete()
        else:
            CategoryLabel.objects.update_or_create(
                municipality=municipality, label=label, defaults={"category": category}
            )
        changed[label] = {"before": before, "after": after}
    if changed:
        audit_record(
            action="insight.labels_save",
            actor=actor,
            municipality=municipality,
            data={"changed": changed},
        )
    return len(changed)


# --- Suggestions ------------------------------------------------------------------------


def _category_entry(label: str, probability: float, category: Category | None) -> dict:
    return {
        "label": label,
        "probability": round(float(probability), 4),
        "category_id": category.pk if category else None,
        "code": category.code if category else "",
        "icon": category.icon if category else "",
        "name_th": category.name_th if category else "",
        "name_en": category.name_en if category else "",
    }


def suggestion_refresh(*, report: Report, force: bool = False) -> CategorySuggestion | None:
    """Make (or remake) the suggestion for a report with the model serving its municipality.
    A decided suggestion is kept as it was decided; a pending one is remade when another model
    serves now. None when no model exists yet. Never changes the report."""
    from thesaban.reports.services import route_department

    existing = (
        CategorySuggestion.objects.filter(municipality_id=report.municipality_id, report=report)
        .select_related("category", "department", "model")
        .first()
    )
    if existing is not None and not existing.is_pending and not force:
        return existing
    municipality = report.municipality
    serving = selectors.serving_model(municipality)
    if serving is None:
        return existing
    if existing is not None and existing.model_id == serving.pk and not force:
        return existing
    classifier = selectors.classifier_for(serving)
    prediction = classifier.predict([report.description], explain=True)[0]
    top = list(prediction.top or [(prediction.label, prediction.probability)])
    mapping = selectors.label_categories(
        municipality=municipality, labels=[prediction.label, *(label for label, _p in top)]
    )
    category = mapping.get(prediction.label)
    department = (
        route_department(category=category, community=report.community) if category else None
    )
    values = {
        "model": serving,
        "label": str(prediction.label)[:100],
        "category": category,
        "department": department,
        "probability": float(prediction.probability),
        "top": [_category_entry(label, p, mapping.get(label)) for label, p in top[:3]],
        "reasons": [[str(word), round(float(weight), 4)] for word, weight in prediction.reasons],
        "decision": CategorySuggestion.Decision.PENDING,
        "decided_by": None,
        "decided_at": None,
        "final_category": None,
    }
    try:
        with transaction.atomic():
            suggestion, _created = CategorySuggestion.objects.update_or_create(
                municipality_id=report.municipality_id, report=report, defaults=values
            )
    except IntegrityError:  # made at the same moment by the task and a page view
        suggestion = CategorySuggestion.objects.get(
            municipality_id=report.municipality_id, report=report
        )
    return suggestion


def suggestions_refresh_open(
    *, municipality: Municipality, progress: Callable[[int, int], None] | None = None
) -> int:
    """Suggest categories for the municipality's open reports that have no suggestion yet (or
    one from a model that no longer serves): after an installation's first model, after
    activating another, or for reports loaded without the background queue (the demo).
    Returns how many suggestions were made. Never changes a report."""
    from thesaban.reports.workflow import OPEN_STATUSES

    serving = selectors.serving_model(municipality)
    if serving is None:
        return 0
    current = CategorySuggestion.objects.filter(municipality=municipality, model=serving)
    reports = list(
        Report.objects.filter(municipality=municipality, status__in=OPEN_STATUSES)
        .exclude(pk__in=current.values("report_id"))
        .select_related("municipality", "community", "category")
        .order_by("pk")
    )
    made = 0
    for done, report in enumerate(reports, start=1):
        if suggestion_refresh(report=report) is not None:
            made += 1
        if progress:
            progress(done, len(reports))
    return made


def suggestion_record_decision(*, report: Report, actor: Any) -> CategorySuggestion | None:
    """A person settled the report's category (confirmed it, or changed it): record it on the
    suggestion, which makes the report training data. Called in that person's transaction."""
    suggestion = (
        CategorySuggestion.objects.select_for_update()
        .filter(municipality_id=report.municipality_id, report=report)
        .first()
    )
    if suggestion is None:
        return None  # no suggestion was shown; a CATEGORY event still labels the report
    confirmed = suggestion.category_id == report.category_id
    suggestion.decision = (
        CategorySuggestion.Decision.CONFIRMED
        if confirmed
        else CategorySuggestion.Decision.CORRECTED
    )
    suggestion.final_category_id = report.category_id
    suggestion.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["decision", "final_category", "decided_by", "decided_at"])
    return suggestion


def _require_decider(actor: User, report: Report) -> None:
    if not rules.has_perm("insight.decide_suggestion", actor, report):
        raise PermissionDenied(_("Your staff role does not allow changing this report."))


@transaction.atomic
def suggestion_confirm(*, report: Report, actor: User) -> CategorySuggestion:
    """Staff say the report's current category is right (whatever was suggested)."""
    _require_decider(actor, report)
    report = Report.objects.select_related("category").get(pk=report.pk)
    suggestion = suggestion_record_decision(report=report, actor=actor)
    if suggestion is None:
        raise ValidationError(_("This report has no suggestion to decide on."))
    audit_record(
        action="insight.suggestion_confirm",
        actor=actor,
        municipality=report.municipality,
        target=report,
        data={
            "category": report.category.code,
            "suggested": suggestion.label,
            "decision": suggestion.decision,
        },
    )
    return suggestion


@transaction.atomic
def suggestion_accept(*, report: Report, actor: User, reroute: bool = False) -> Report:
    """Staff move the report to the suggested category (and, if they ask, to the suggested
    department), through reports' own service; its CATEGORY event records the decision."""
    from thesaban.reports.services import report_recategorise

    _require_decider(actor, report)
    suggestion = (
        CategorySuggestion.objects.select_related("category")
        .filter(municipality_id=report.municipality_id, report=report)
        .first()
    )
    if suggestion is None or suggestion.category is None:
        raise ValidationError(_("There is no suggested category of this municipality to use."))
    report = report_recategorise(
        report=report, actor=actor, category=suggestion.category, reroute=reroute
    )
    audit_record(
        action="insight.suggestion_accept",
        actor=actor,
        municipality=report.municipality,
        target=report,
        data={"category": suggestion.category.code, "rerouted": reroute},
    )
    return report
