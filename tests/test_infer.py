"""``topickit infer`` with bundles from a real run, on new articles written for the test."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import topickit
from topickit.cli import main
from topickit.commands.infer import DEFAULT_MIN_COVERAGE, predict_units, units_with_metadata
from topickit.corpus import load_corpus
from topickit.experiment import load_config, run_experiment

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FRENCH = (
    "Le gouvernement français a annoncé hier une nouvelle réforme des retraites, "
    "malgré les protestations des syndicats."
)
#: A paragraph-level run with no vocabulary filter: every training token is a model term.
TINY = """name = "tiny_infer"
levels = ["paragraph"]
[corpus]
path = "{seeds}"
[sweep]
k = [3]
seeds = 1
[[models]]
name = "nmf"
kind = "nmf"
[themes]
codebook = "{root}/experiments/codebook.toml"
annotations = "{seeds}/annotations.csv"
level = "paragraph"
classifiers = ["lexicon"]
"""


def topic_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if re.fullmatch(r"topic_\d+", c)]


def one_error_line(capsys) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


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
    assert list(preds.columns[:9]) == [
        "unit_id",
        "doc_id",
        "title",
        "date",
        "source",
        "level",
        "text",
        "coverage",
        "theme",
    ]
    names = topickit.load_codebook(ROOT / "experiments" / "codebook.toml").names
    assert [f"theme_{n}" for n in names] == [c for c in preds.columns if c.startswith("theme_")]
    assert {"topic", "topic_terms", "topic_0"} <= set(preds.columns)
    assert dict(zip(preds.unit_id, preds.theme, strict=True)) == EXPECTED
    assert preds.coverage.ge(DEFAULT_MIN_COVERAGE).all()  # none abstains
    assert preds[topic_columns(preds)].sum(axis=1).round(6).eq(1).all()
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


# ------------------------------------------------------------------ metadata, coverage, formats
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    config_path = folder / "tiny.toml"
    config_path.write_text(TINY.format(seeds=SEEDS, root=ROOT), encoding="utf-8")
    config, corpus = load_config(config_path)
    return run_experiment(config, corpus_path=corpus, out=folder / "run", progress=False)


@pytest.fixture(scope="module")
def tiny_bundle(tiny_run):
    return topickit.load(tiny_run.path / "models" / "nmf_paragraph")


@pytest.fixture(scope="module")
def french_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("french")
    (folder / "fr.txt").write_text(FRENCH + "\n\nBlinken flew to Amman.\n", encoding="utf-8")
    return folder


def seed_articles() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_corpus(SEEDS)


def test_bundle_coverage_counts_known_tokens(tiny_bundle):
    units = topickit.segment(seed_articles(), "paragraph")
    assert tiny_bundle.coverage(units.text.tolist()).tolist() == [1.0] * len(units)
    # khamenei, warn, israel are model terms; zzzq, qqqx are not: 3 of 5
    mixed, empty, french = tiny_bundle.coverage(["Khamenei warned Israel. Zzzq qqqx.", "", FRENCH])
    assert mixed == pytest.approx(0.6)
    assert empty == 0.0 and french == 0.0
    assert tiny_bundle.coverage("Khamenei warned Israel.").tolist() == [1.0]
    assert tiny_bundle.coverage([]).shape == (0,)


def test_transform_with_coverage_equals_the_two_calls(default_run):
    bundle = topickit.load(default_run.path / "models" / "lda_paragraph")  # no_below = 2
    texts = [p for text in NEW_ARTICLES.values() for p in text.split("\n\n")] + [FRENCH, ""]
    weights, coverage = bundle.transform_with_coverage(texts)
    pd.testing.assert_frame_equal(weights, bundle.transform(texts))
    assert coverage.tolist() == bundle.coverage(texts).tolist()
    assert coverage[-2:].tolist() == [0.0, 0.0] and (coverage[:-2] > 0.25).all()
    units = topickit.segment(seed_articles(), "paragraph")
    trained = bundle.coverage(units.text.tolist())
    assert trained.max() == 1.0 and trained.min() < 1.0  # terms in one unit were filtered
    assert bundle.coverage("Blinken flew to Amman.").tolist() == [0.0]  # no term is known


def test_topic_labels_are_the_top_terms(tiny_bundle):
    topics = tiny_bundle.topics(5)
    expected = [" ".join(group.term) for _, group in topics.groupby("topic", sort=True)]
    assert tiny_bundle.topic_labels(5) == expected and len(expected) == 3


def test_infer_rows_carry_metadata_coverage_and_abstain(tiny_run, french_folder, tmp_path):
    out = tmp_path / "preds.csv"
    args = ["infer", str(tiny_run.path), str(SEEDS), str(french_folder), "--out", str(out)]
    assert main(args) == 0
    preds = pd.read_csv(out, keep_default_na=False, na_values=[""])
    articles = seed_articles().set_index("doc_id")
    seeds = preds[preds.doc_id != "fr"]
    assert len(seeds) == 44
    for row in seeds.itertuples():
        article = articles.loc[row.doc_id]
        assert row.title == article.title or (pd.isna(row.title) and pd.isna(article.title))
        expected_date = "" if pd.isna(article.date) else f"{article.date:%Y-%m-%d}"
        assert ("" if pd.isna(row.date) else row.date) == expected_date
        assert row.source == article.source
    assert seeds.coverage.eq(1.0).all()  # training paragraphs, nothing filtered
    assert seeds.topic.notna().all() and seeds.theme.ne("none").all()
    bundle = topickit.load(tiny_run.path / "models" / "nmf_paragraph")
    labels = bundle.topic_labels(5)
    weights = seeds[topic_columns(seeds)].to_numpy()
    assert seeds.topic.astype(int).tolist() == weights.argmax(axis=1).tolist()
    assert seeds.topic_terms.tolist() == [labels[int(k)] for k in seeds.topic]
    french = preds[preds.unit_id == "fr:p1"].iloc[0]
    assert french.coverage == 0.0 and french.source == "fr.txt"
    assert pd.isna(french.topic) and pd.isna(french.topic_terms)
    assert french.theme == "none"
    assert french[topic_columns(preds)].isna().all()
    assert french[[c for c in preds.columns if c.startswith("theme_")]].isna().all()
    blinken = preds[preds.unit_id == "fr:p2"].iloc[0]  # blinken, fly, amman: only one known
    assert blinken.coverage == pytest.approx(1 / 3)


def test_min_coverage_sets_the_threshold(tiny_run, french_folder, tmp_path, capsys):
    out = tmp_path / "strict.csv"
    model = str(tiny_run.path)
    strict = ["--out", str(out), "--min-coverage", "0.5"]
    assert main(["infer", model, str(french_folder), *strict]) == 0
    preds = pd.read_csv(out, keep_default_na=False, na_values=[""]).set_index("unit_id")
    assert preds.theme.tolist() == ["none", "none"]  # 0.0 and 1/3 are both below 0.5
    out = tmp_path / "lenient.csv"
    lenient = ["--out", str(out), "--min-coverage", "0"]
    assert main(["infer", model, str(french_folder), *lenient]) == 0
    preds = pd.read_csv(out).set_index("unit_id")
    assert preds.topic.notna().all() and preds.theme.ne("none").all()
    capsys.readouterr()
    assert main(["infer", model, str(french_folder), "--min-coverage", "1.5"]) == 2
    assert "--min-coverage" in one_error_line(capsys)


def test_parquet_round_trip(tiny_run, tiny_bundle, french_folder, tmp_path):
    out = tmp_path / "preds.parquet"
    args = ["infer", str(tiny_run.path), str(SEEDS), str(french_folder), "--out", str(out)]
    assert main(args) == 0
    back = pd.read_parquet(out)
    units = pd.concat(
        [
            units_with_metadata(seed_articles(), "paragraph"),
            units_with_metadata(load_corpus(french_folder), "paragraph"),
        ],
        ignore_index=True,
    )
    expected = predict_units(tiny_bundle, units)

    # pandas reads text back as its string dtype (missing as NaN, not None): compare values
    def values(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.astype(object).where(frame.notna(), None)

    pd.testing.assert_frame_equal(values(back), values(expected))
    assert list(back.columns) == list(expected.columns)
    assert str(back.topic.dtype) == "Int64" and back.date.dtype.kind == "M"
    assert back.topic.isna().sum() == 1 and not list(tmp_path.glob(".topickit-tmp-*"))


@pytest.mark.parametrize("name", ["preds.txt", "preds.PARQUET.gz", "preds"])
def test_an_unknown_out_extension_is_one_line(tiny_run, french_folder, tmp_path, capsys, name):
    out = tmp_path / name
    assert main(["infer", str(tiny_run.path), str(french_folder), "--out", str(out)]) == 2
    line = one_error_line(capsys)
    assert str(out) in line and ".csv" in line and ".parquet" in line
    assert (Path(name).suffix or "no extension") in line
    assert not out.exists()


def test_table_column_options(tiny_run, tmp_path, capsys):
    table = tmp_path / "news.csv"
    pd.DataFrame(
        {
            "story": ["s1", "s2"],
            "headline": ["Strikes on Gaza", "Iran warns"],
            "published": ["2024-01-05", "2024-02-10"],
            "body": [
                "Khamenei warned Israel. Zzzq qqqx.",
                "Khamenei warned Israel.",
            ],
        }
    ).to_csv(table, index=False)
    out = tmp_path / "preds.csv"
    options = [
        "--text-column",
        "body",
        "--id-column",
        "story",
        "--title-column",
        "headline",
        "--date-column",
        "published",
        "--format",
        "csv",
        "--encoding",
        "utf-8",
    ]
    assert main(["infer", str(tiny_run.path), str(table), "--out", str(out), *options]) == 0
    preds = pd.read_csv(out)
    assert preds.doc_id.tolist() == ["s1", "s2"]
    assert preds.title.tolist() == ["Strikes on Gaza", "Iran warns"]
    assert preds.date.tolist() == ["2024-01-05", "2024-02-10"]
    loaded = load_corpus(
        table,
        text_column="body",
        id_column="story",
        title_column="headline",
        date_column="published",
    )
    assert preds.source.tolist() == loaded.source.tolist()
    assert preds.coverage.tolist() == pytest.approx([0.6, 1.0])
    assert preds.topic.notna().all()
    capsys.readouterr()
    bad = ["--text-column", "nosuch", "--out", str(tmp_path / "x.csv")]
    assert main(["infer", str(tiny_run.path), str(table), *bad]) == 2
    line = one_error_line(capsys)
    assert table.name in line and "nosuch" in line
