"""`thesaban insight …`: the command-line contract. `evaluate` ends with one JSON line holding
accuracy, macro_f1 and n; bad input is a CommandError with a clear message."""

from __future__ import annotations

import csv
import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.insight.test_categoriser_services import (
    examples,
    no_site_wide_models,  # noqa: F401 - fixture
    w,  # noqa: F401 - fixture
)
from thesaban.insight.models import CategoriserModel

THAI_NAMES = {"road": "ถนน", "lighting": "แสงสว่าง", "cleanliness": "ความสะอาด"}


def write_csv(path, rows, *, label=lambda e: THAI_NAMES[e.labels[0]]):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["comment", "type", "timestamp"])
        for example in rows:
            writer.writerow([example.text, label(example), example.when.isoformat()])
    return path


@pytest.fixture
def data_file(tmp_path):
    return write_csv(tmp_path / "reports.csv", examples(10))


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("insight", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def columns(path) -> list[str]:
    return ["--csv", str(path), "--text-column", "comment", "--label-column", "type"]


@pytest.mark.django_db
def test_train_then_evaluate_prints_json_with_accuracy_macro_f1_and_n_last(data_file):
    out, _err = run("train", *columns(data_file))
    model = CategoriserModel.objects.get()
    assert model.municipality is None and model.is_active and model.source == "csv"
    assert set(model.labels) == {"road", "lighting", "cleanliness"}  # Thai names mapped
    assert "Stored site-wide version 1 (active)" in out
    trained = json.loads(out.strip().splitlines()[-1])
    assert trained["n"] == 6 and trained["n_train"] == 24
    assert trained["data_fingerprint"] == model.data_fingerprint

    out, _err = run("evaluate", *columns(data_file))
    last = json.loads(out.strip().splitlines()[-1])
    assert {"accuracy", "macro_f1", "n", "top3_accuracy", "model_version"} <= set(last)
    assert last["n"] == 30 and last["model_version"] == 1
    assert 0.8 <= last["accuracy"] <= 1 and 0 <= last["macro_f1"] <= 1
    assert len(last["data_fingerprint"]) == 64
    assert "accuracy" in out.splitlines()[0] or "Model:" in out.splitlines()[0]

    out, _err = run("evaluate", *columns(data_file), "--holdout", "0.2", "--model", "1")
    assert json.loads(out.strip().splitlines()[-1])["n"] == 6


@pytest.mark.django_db
def test_train_can_keep_the_holdout_unseen_for_a_later_evaluate(data_file):
    out, _err = run("train", *columns(data_file), "--exclude-holdout")
    trained = json.loads(out.strip().splitlines()[-1])
    model = CategoriserModel.objects.get()
    assert model.n_examples == 24 and model.params["trained_on"] == "earlier rows"
    out, _err = run("evaluate", *columns(data_file), "--holdout", "0.2")
    evaluated = json.loads(out.strip().splitlines()[-1])
    assert (evaluated["n"], evaluated["accuracy"]) == (trained["n"], trained["accuracy"])


@pytest.mark.django_db
def test_train_for_a_municipality_maps_labels_and_warns_about_unknown_ones(tmp_path, w):  # noqa: F811
    rows = examples(6)
    path = write_csv(
        tmp_path / "mixed.csv",
        rows,
        label=lambda e: "ป้ายโฆษณา" if e is rows[0] else THAI_NAMES[e.labels[0]],
    )
    out, err = run("train", *columns(path), "--municipality", w.municipality.slug, "--no-activate")
    model = CategoriserModel.objects.get(municipality=w.municipality)
    assert not model.is_active and model.version == 1
    assert {"road", "lighting", "cleanliness"} <= set(model.labels)
    assert "ป้ายโฆษณา" in err  # kept as it is, and said so
    assert model.params["unmapped_labels"] == {"ป้ายโฆษณา": 1}

    run("activate", "--version", "1", "--municipality", w.municipality.slug)
    model.refresh_from_db()
    assert model.is_active
    out, _err = run("models", "--municipality", w.municipality.slug)
    assert out.startswith("v1") and "*" in out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--csv", "/nonexistent.csv"], "no such file"),
        (["--text-column", "nope"], "there is no column 'nope'"),
        (["--municipality", "nowhere"], "No municipality with the slug 'nowhere'"),
        ([], "No model is available yet"),
        (["--model", "latest"], "--model must be active, shipped or a version number"),
        (["--model", "7"], "There is no ready site-wide model version 7"),
        (["--model", "shipped"], "There is no shipped default model"),
    ],
)
def test_evaluate_refuses_bad_input_with_a_command_error(data_file, args, message):
    # A flag given again wins (argparse), so each case overrides one of the good columns.
    with pytest.raises(CommandError, match=re.escape(message)):
        run("evaluate", *columns(data_file), *args)


@pytest.mark.django_db
def test_train_refuses_a_file_with_one_label(tmp_path):
    rows = [e for e in examples(6) if e.labels == ("road",)]
    path = write_csv(tmp_path / "one.csv", rows)
    with pytest.raises(CommandError, match="at least two different labels"):
        run("train", *columns(path))
    assert not CategoriserModel.objects.exists()


@pytest.mark.django_db
def test_build_default_is_idempotent_and_activates_the_shipped_model(monkeypatch):
    from thesaban.insight import seed

    monkeypatch.setattr(seed, "seed_corpus", lambda: examples(6))
    out, _err = run("build-default")
    assert "version 1, trained; active" in out
    out, _err = run("build-default")
    assert "already up to date" in out
    model = CategoriserModel.objects.get()
    assert model.source == "shipped" and model.is_active and model.holdout["n"] == 4
    assert model.params["corpus_version"] == str(seed.CORPUS_VERSION)

    monkeypatch.setattr(seed, "CORPUS_VERSION", "test-next")
    run("build-default")  # a new corpus version: a new model, the active one stays
    assert CategoriserModel.objects.count() == 2
    assert CategoriserModel.objects.get(is_active=True).version == 1


@pytest.mark.django_db
def test_corpus_writes_the_seed_corpus_as_csv(tmp_path, monkeypatch):
    from thesaban.insight import seed

    monkeypatch.setattr(seed, "seed_corpus", lambda: examples(2))
    out, _err = run_plain("corpus", "--out", str(tmp_path / "seed.csv"))
    with (tmp_path / "seed.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == {"text", "label"}
    assert f"Wrote {len(rows)} examples" in out
    with pytest.raises(CommandError, match="no such folder"):
        run_plain("corpus", "--out", str(tmp_path / "missing" / "seed.csv"))


def run_plain(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("insight", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_suggest_fills_in_suggestions_for_open_reports_only(w):  # noqa: F811
    from tests.insight.test_categoriser_services import new_report, site_wide_model
    from thesaban.insight.models import CategorySuggestion
    from thesaban.reports.models import Report
    from thesaban.reports.workflow import Status

    with pytest.raises(CommandError, match="No category model"):
        run("suggest", "--municipality", w.municipality.slug)
    site_wide_model()
    open_report = new_report(w, "road", "ขยะล้นถัง กลิ่นเหม็นมาก")
    done = new_report(w, "road", "ถนนเป็นหลุม ซ่อมแล้ว")
    Report.objects.filter(pk=done.pk).update(status=Status.RESOLVED)

    out, _err = run("suggest", "--municipality", w.municipality.slug)

    assert "1 suggestions made" in out
    suggestion = CategorySuggestion.objects.get()
    assert suggestion.report_id == open_report.pk and suggestion.is_pending
    open_report.refresh_from_db()
    assert open_report.category == w.categories["road"]  # a suggestion changes nothing
    again, _err = run("suggest", "--municipality", w.municipality.slug)
    assert "0 suggestions made" in again  # idempotent
