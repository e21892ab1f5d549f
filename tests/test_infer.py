"""``topickit infer`` with bundles from a real run, on new articles written for the test."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import topickit
from topickit.cli import main
from topickit.experiment import load_config, run_experiment

ROOT = Path(__file__).resolve().parents[1]

NEW_ARTICLES = {
    "aid.txt": (
        "Aid agencies said thousands of families in southern Lebanon had fled their homes, "
        "and hospitals were running out of fuel and medicine as the civilian death toll rose.\n"
        "\n"
        "The United Nations said more than a million people were displaced and warned of "
        "shortages of food and clean water in the shelters.\n"
    ),
    "strikes.txt": (
        "Israeli warplanes carried out dozens of air strikes on Hezbollah positions overnight, "
        "and the army said troops had begun a ground operation near the border.\n"
        "\n"
        "Foreign ministers met in Doha for talks on a ceasefire, and mediators urged both "
        "sides to return to negotiations.\n"
    ),
}
EXPECTED = {
    "aid:p1": "humanitarian",
    "aid:p2": "humanitarian",
    "strikes:p1": "military",
    "strikes:p2": "diplomacy",
}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    config, corpus = load_config(ROOT / "experiments" / "default.toml")
    out = tmp_path_factory.mktemp("infer") / "run"
    return run_experiment(config, corpus_path=corpus, out=out, progress=False)


@pytest.fixture(scope="module")
def new_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("new")
    for name, text in NEW_ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_infer_with_a_run_folder_uses_its_best_model(default_run, new_folder, tmp_path, capsys):
    out = tmp_path / "preds.csv"
    assert main(["infer", str(default_run.path), str(new_folder), "--out", str(out)]) == 0
    preds = pd.read_csv(out)
    assert list(preds.columns[:5]) == ["unit_id", "doc_id", "level", "text", "theme"]
    names = topickit.load_codebook(ROOT / "experiments" / "codebook.toml").names
    assert [f"theme_{n}" for n in names] == [c for c in preds.columns if c.startswith("theme_")]
    assert "topic" in preds.columns and "topic_0" in preds.columns
    assert dict(zip(preds.unit_id, preds.theme, strict=True)) == EXPECTED
    topic_cols = [c for c in preds.columns if c.startswith("topic_")]
    assert preds[topic_cols].sum(axis=1).round(6).eq(1).all()
    best = default_run.best["paragraph"]
    assert f"models/{best}_paragraph" in capsys.readouterr().err


def test_infer_with_a_bundle_matches_the_python_api(default_run, new_folder, tmp_path):
    bundle_path = default_run.path / "models" / "lda_paragraph"
    out = tmp_path / "lda.csv"
    assert main(["infer", str(bundle_path), str(new_folder), "--out", str(out)]) == 0
    preds = pd.read_csv(out)
    bundle = topickit.load(bundle_path)
    weights = bundle.transform(preds.text.tolist())
    assert (preds[list(weights.columns)].to_numpy() - weights.to_numpy()).max() < 1e-9


def test_bundle_reproduces_the_runs_doc_topics(default_run):
    doc_topics = pd.read_csv(default_run.path / "doc_topics.csv")
    for model in ("nmf", "lda", "kmeans"):
        bundle = topickit.load(default_run.path / "models" / f"{model}_paragraph")
        rows = doc_topics[(doc_topics.model == model) & (doc_topics.level == "paragraph")]
        units = default_run.data["paragraph"].units
        weights = bundle.transform(units.text.tolist())
        recorded = rows[list(weights.columns)].to_numpy()
        # gensim inference is re-seeded per document, so LDA matches as closely as the rest
        assert abs(recorded - weights.to_numpy()).max() < 1e-6, model


def test_infer_errors_are_one_line(tmp_path, new_folder, capsys):
    assert main(["infer", str(tmp_path / "missing"), str(new_folder)]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["infer", str(tmp_path / "empty"), str(new_folder)]) == 2
    err = capsys.readouterr().err
    assert "neither a model bundle" in err and len(err.strip().splitlines()) == 1
