"""`thesaban insight train|evaluate|build-default|models|activate|corpus`: the category
suggester from the command line (docs/insight-categoriser.md).

`evaluate` prints a human summary, then as its last line one JSON object with at least
`accuracy`, `macro_f1` and `n`. Progress goes to stderr, so stdout stays parseable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from thesaban.insight import selectors, services
from thesaban.insight.data import Example, ExampleFileError, data_fingerprint, read_csv, time_split
from thesaban.insight.models import CategoriserModel
from thesaban.municipalities.models import Municipality


class _Bar:
    """A tqdm bar on stderr fed with (percent, note) progress calls."""

    def __init__(self, desc: str, enabled: bool):
        self.bar = tqdm(total=100, desc=desc, unit="%", file=sys.stderr, disable=not enabled)

    def __call__(self, percent: int, note: str) -> None:
        percent = max(0, min(100, int(percent)))
        if percent > self.bar.n:
            self.bar.update(percent - self.bar.n)
        self.bar.set_postfix_str(note, refresh=False)

    def close(self) -> None:
        self.bar.close()


def _metric(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else "—"


class Command(BaseCommand):
    help = (
        "The category suggester. train: learn from a CSV file and store a model; evaluate: "
        "measure a stored model on a CSV file (last line of output: JSON); build-default: train "
        "the shipped default from the seed corpus (idempotent); models: list stored models; "
        "activate: use a stored version; corpus: write the seed corpus as CSV."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        def data_arguments(command, *, time_help: str) -> None:
            command.add_argument("--csv", required=True, help="a UTF-8 CSV file")
            command.add_argument("--text-column", required=True, help="the column of the text")
            command.add_argument(
                "--label-column",
                required=True,
                help="the column of the label(s): one label, or a set such as {a,b}",
            )
            command.add_argument("--time-column", default=None, help=time_help)
            command.add_argument(
                "--municipality",
                default=None,
                help="map labels to this municipality's categories (and use its models); "
                "without it, site-wide with the default category codes",
            )
            command.add_argument("--no-progress", action="store_true", help="no progress bar")

        train = sub.add_parser("train", help="train and store a model from a CSV file")
        data_arguments(train, time_help="the column ordering the holdout split (else guessed)")
        train.add_argument("--seed", type=int, default=None, help="random seed")
        train.add_argument(
            "--no-activate", action="store_true", help="store the model without using it"
        )
        train.add_argument(
            "--exclude-holdout",
            action="store_true",
            help="store the model trained on the earlier rows only (not retrained on all), so "
            "`evaluate --holdout` with the same file measures rows it never saw",
        )

        evaluate = sub.add_parser("evaluate", help="measure a stored model on a CSV file")
        data_arguments(evaluate, time_help="the column ordering rows for --holdout")
        evaluate.add_argument(
            "--model",
            default="active",
            help="active (the model serving this scope, default), shipped, or a version number",
        )
        evaluate.add_argument(
            "--holdout",
            type=float,
            default=None,
            help="measure only on the latest FRACTION of rows by time (the same split as train)",
        )

        default = sub.add_parser("build-default", help="train the shipped default model")
        default.add_argument("--no-progress", action="store_true", help="no progress bar")

        models = sub.add_parser("models", help="list stored models")
        models.add_argument("--municipality", default=None, help="this municipality's models")

        activate = sub.add_parser("activate", help="use a stored version")
        activate.add_argument("--version", type=int, required=True, help="the version number")
        activate.add_argument("--municipality", default=None, help="this municipality's models")

        suggest = sub.add_parser(
            "suggest", help="suggest categories for open reports that have no suggestion yet"
        )
        suggest.add_argument("--municipality", required=True, help="the municipality's slug")
        suggest.add_argument("--no-progress", action="store_true", help="no progress bar")

        corpus = sub.add_parser("corpus", help="write the seed corpus as CSV (text,label)")
        corpus.add_argument("--out", required=True, help="the file to write")
        for quiet in (models, activate, corpus):  # accepted everywhere, for scripts
            quiet.add_argument("--no-progress", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, action: str, verbosity: int = 1, **options):
        self.verbosity = verbosity
        self.show_progress = verbosity > 0 and not options.get("no_progress")
        handler = getattr(self, "_" + action.replace("-", "_"))
        try:
            handler(**options)
        except ExampleFileError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    # -- helpers ----------------------------------------------------------------------------

    def _municipality(self, slug: str | None) -> Municipality | None:
        if not slug:
            return None
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            known = ", ".join(Municipality.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"No municipality with the slug {slug!r} (known: {known or 'none'})."
            )
        return municipality

    def _read(self, options: dict) -> tuple[list[Example], int]:
        examples, skipped = read_csv(
            options["csv"],
            text_column=options["text_column"],
            label_column=options["label_column"],
            time_column=options.get("time_column"),
        )
        if not examples:
            raise CommandError(f"{options['csv']}: no row has both a text and a label.")
        return examples, skipped

    def _map_labels(
        self, examples: Sequence[Example], municipality: Municipality | None
    ) -> tuple[list[Example], dict[str, int]]:
        """Labels as category codes: the municipality's (by code, name, alias or its label
        mapping) or the default ones; a label that matches none is kept as it is and counted."""
        from thesaban.insight.seed import default_label

        raw_labels = sorted({label for example in examples for label in example.labels})
        if municipality is not None:
            categories = selectors.label_categories(municipality=municipality, labels=raw_labels)
            codes = {raw: (c.code if c else None) for raw, c in categories.items()}
        else:
            codes = {raw: default_label(raw) for raw in raw_labels}
        unknown: Counter[str] = Counter()
        mapped = []
        for example in examples:
            labels: list[str] = []
            for raw in example.labels:
                code = codes.get(raw)
                if code is None:
                    unknown[raw] += 1
                    code = raw
                if code not in labels:
                    labels.append(code)
            mapped.append(Example(text=example.text, labels=tuple(labels), when=example.when))
        return mapped, dict(unknown)

    def _warn_unknown(self, unknown: dict[str, int], municipality: Municipality | None) -> None:
        if not unknown:
            return
        where = f"categories of /{municipality.slug}/" if municipality else "default categories"
        listed = ", ".join(f"{label!r} ({n})" for label, n in sorted(unknown.items()))
        self.stderr.write(
            self.style.WARNING(f"Labels kept as they are, matching none of the {where}: {listed}")
        )

    def _summary(self, title: str, metrics: dict) -> None:
        self.stdout.write(
            f"{title}: accuracy {_metric(metrics.get('accuracy'))}, macro-F1 "
            f"{_metric(metrics.get('macro_f1'))}, top-3 {_metric(metrics.get('top3_accuracy'))}"
            f" on {metrics.get('n', 0)} rows"
        )

    # -- train ------------------------------------------------------------------------------

    def _train(self, **options) -> None:
        from thesaban.insight.classifier import DEFAULT_SEED, train

        municipality = self._municipality(options["municipality"])
        examples, skipped = self._read(options)
        examples, unknown = self._map_labels(examples, municipality)
        self._warn_unknown(unknown, municipality)
        counts = Counter(label for example in examples for label in example.labels)
        if len(counts) < 2:
            raise CommandError("A model needs at least two different labels in the file.")
        seed = DEFAULT_SEED if options["seed"] is None else options["seed"]

        learn, holdout = time_split(examples, test_fraction=services.HOLDOUT_FRACTION)
        bar = _Bar("train", self.show_progress)
        try:
            probe = train(learn, seed=seed, progress=services._stage(bar, 0, 35, "holdout model"))
            metrics = services.evaluate_for_municipality(
                probe, holdout, municipality=None, progress=services._stage(bar, 35, 45, "eval")
            )
            baseline_model = selectors.serving_model(municipality)
            baseline = None
            if baseline_model is not None:
                baseline = services.evaluate_for_municipality(
                    selectors.classifier_for(baseline_model),
                    holdout,
                    municipality=municipality,
                    progress=services._stage(bar, 45, 55, "comparing"),
                )
            if options["exclude_holdout"]:
                final = probe
            else:
                final = train(examples, seed=seed, progress=services._stage(bar, 55, 98, "final"))
            model = services.categoriser_model_store(
                municipality=municipality,
                classifier=final,
                source=CategoriserModel.Source.CSV,
                metrics={
                    "holdout": services._summary(metrics),
                    "holdout_kind": "time",
                    "baseline": services._summary(baseline),
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
                note=f"{Path(options['csv']).name}: {options['text_column']} → "
                f"{options['label_column']}",
                params={
                    "skipped_rows": skipped,
                    "unmapped_labels": unknown,
                    "trained_on": "earlier rows" if options["exclude_holdout"] else "all rows",
                },
                activate=not options["no_activate"],
            )
            bar(100, "stored")
        finally:
            bar.close()

        scope = f"/{municipality.slug}/" if municipality else "site-wide"
        self.stdout.write(
            f"Stored {scope} version {model.version} ({'active' if model.is_active else 'not active'})"
            f": {model.n_examples} rows ({skipped} skipped), {len(model.labels)} labels, "
            f"data fingerprint {model.data_fingerprint}."
        )
        self._summary(f"Held-out later {len(holdout)} rows (trained on the earlier rows)", metrics)
        if baseline is not None:
            self._summary(
                f"Model in use before (version {baseline_model.version}), same rows", baseline
            )
        self.stdout.write(
            json.dumps(
                {
                    "version": model.version,
                    "scope": municipality.slug if municipality else None,
                    "active": model.is_active,
                    "data_fingerprint": model.data_fingerprint,
                    "accuracy": metrics.get("accuracy"),
                    "macro_f1": metrics.get("macro_f1"),
                    "top3_accuracy": metrics.get("top3_accuracy"),
                    "n": metrics.get("n"),
                    "n_train": len(learn),
                    "baseline": (
                        {key: baseline.get(key) for key in ("accuracy", "macro_f1", "n")}
                        if baseline
                        else None
                    ),
                },
                ensure_ascii=False,
            )
        )

    # -- evaluate ---------------------------------------------------------------------------

    def _model(self, municipality: Municipality | None, which: str) -> CategoriserModel:
        scope = f"/{municipality.slug}/" if municipality else "site-wide"
        if which == "active":
            model = selectors.serving_model(municipality)
            if model is None:
                raise CommandError(
                    "No model is available yet: run `thesaban insight build-default` or "
                    "`thesaban insight train`."
                )
            return model
        if which == "shipped":
            model = selectors.shipped_default()
            if model is None:
                raise CommandError(
                    "There is no shipped default model: run `thesaban insight build-default`."
                )
            return model
        try:
            version = int(which)
        except ValueError:
            raise CommandError(
                f"--model must be active, shipped or a version number, not {which!r}."
            ) from None
        model = (
            selectors.scope_models(municipality)
            .filter(version=version, status=CategoriserModel.Status.READY)
            .first()
        )
        if model is None:
            raise CommandError(f"There is no ready {scope} model version {version}.")
        return model

    def _evaluate(self, **options) -> None:
        municipality = self._municipality(options["municipality"])
        examples, skipped = self._read(options)
        model = self._model(municipality, options["model"])
        examples, unknown = self._map_labels(examples, municipality)
        self._warn_unknown(unknown, municipality)
        fraction = options.get("holdout")
        if fraction is not None:
            if not 0 < fraction < 1:
                raise CommandError("--holdout must be a fraction between 0 and 1, e.g. 0.2.")
            _learn, examples = time_split(examples, test_fraction=fraction)
        classifier = selectors.classifier_for(model)
        bar = _Bar("evaluate", self.show_progress)
        try:
            metrics = services.evaluate_for_municipality(
                classifier,
                examples,
                municipality=municipality,
                progress=services._stage(bar, 0, 100, "predicting"),
            )
        finally:
            bar.close()
        scope = "site-wide" if model.is_site_wide else f"/{municipality.slug}/"
        self.stdout.write(
            f"Model: {scope} version {model.version} ({model.get_source_display()}), "
            f"{model.algorithm} {model.algorithm_version}, trained on {model.n_examples} rows."
        )
        self._summary(f"{Path(options['csv']).name} ({skipped} rows skipped)", metrics)
        per_label = metrics.get("per_label") or {}
        if self.verbosity > 1 and isinstance(per_label, dict):
            for label, figures in sorted(per_label.items()):
                self.stdout.write(f"  {label}: {figures}")
        self.stdout.write(
            json.dumps(
                {
                    "accuracy": metrics.get("accuracy"),
                    "macro_f1": metrics.get("macro_f1"),
                    "top3_accuracy": metrics.get("top3_accuracy"),
                    "n": metrics.get("n", len(examples)),
                    "multi_label_rows": metrics.get("multi_label_rows"),
                    "skipped_rows": skipped,
                    "unmapped_labels": sum(unknown.values()),
                    "model_version": model.version,
                    "model_scope": None if model.is_site_wide else model.municipality.slug,
                    "model_source": model.source,
                    "model_data_fingerprint": model.data_fingerprint,
                    "data_fingerprint": data_fingerprint(examples),
                },
                ensure_ascii=False,
            )
        )

    # -- the rest ---------------------------------------------------------------------------

    def _build_default(self, **options) -> None:
        bar = _Bar("build-default", self.show_progress)
        try:
            model, trained = services.categoriser_default_ensure(progress=bar)
        finally:
            bar.close()
        state = "trained" if trained else "already up to date"
        holdout = model.holdout
        self.stdout.write(
            f"Shipped default model: version {model.version}, {state}; "
            f"{'active' if model.is_active else 'not active (another site-wide model is)'}; "
            f"{model.n_examples} examples, {len(model.labels)} labels; "
            f"held-out accuracy {_metric(holdout.get('accuracy'))}, "
            f"macro-F1 {_metric(holdout.get('macro_f1'))}."
        )

    def _models(self, **options) -> None:
        municipality = self._municipality(options["municipality"])
        rows = list(selectors.model_list(municipality))
        if not rows:
            self.stdout.write("No models.")
            return
        for model in rows:
            holdout = model.holdout
            self.stdout.write(
                f"v{model.version:<4} {'*' if model.is_active else ' '} {model.status:<9} "
                f"{model.source:<18} n={model.n_examples:<6} "
                f"acc={_metric(holdout.get('accuracy'))} f1={_metric(holdout.get('macro_f1'))} "
                f"{model.data_fingerprint[:12]} {model.note}"
            )

    def _activate(self, **options) -> None:
        municipality = self._municipality(options["municipality"])
        model = (
            selectors.scope_models(municipality)
            .filter(version=options["version"])
            .defer("artifact")
            .first()
        )
        if model is None:
            raise CommandError(f"There is no model version {options['version']} in this scope.")
        model = services.categoriser_model_activate(model=model, actor=None, check_permission=False)
        self.stdout.write(f"Version {model.version} is active.")

    def _suggest(self, **options) -> None:
        municipality = self._municipality(options["municipality"])
        if selectors.serving_model(municipality) is None:
            raise CommandError(
                "No category model serves this municipality yet: run `thesaban insight "
                "build-default` first."
            )
        bar = tqdm(
            desc="suggestions", unit="report", file=sys.stderr, disable=not self.show_progress
        )

        def step(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        made = services.suggestions_refresh_open(municipality=municipality, progress=step)
        bar.close()
        self.stdout.write(f"{made} suggestions made for open reports of {municipality.slug}.")

    def _corpus(self, **options) -> None:
        from thesaban.insight.seed import write_csv

        out = Path(options["out"])
        if not out.parent.exists():
            raise CommandError(f"{out.parent}: no such folder.")
        count = write_csv(out)
        self.stdout.write(f"Wrote {count} examples to {out}.")
