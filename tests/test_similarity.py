"""Tests of the document-similarity experiment: Lee data files, representations, the runner."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from gensim.corpora import Dictionary
from gensim.models import LogEntropyModel
from gensim.test.utils import datapath

from topickit.cli import main
from topickit.exceptions import ConfigError, CorpusError
from topickit.experiment import run_similarity
from topickit.experiment.config import load_config
from topickit.models.log_entropy import LogEntropy, entropy_weights
from topickit.plots.similarity import plot_similarity_r, plot_similarity_scatter
from topickit.similarity import score_similarities
from topickit.similarity.lee import (
    cosine_matrix,
    pair_index,
    pair_labels,
    pair_split,
    pair_values,
    pearson_r,
    read_documents,
    read_ratings,
    resolve_data_path,
)
from topickit.similarity.representations import (
    LatentSemanticVectors,
    TermVectors,
    ensemble_similarity,
    make_representation,
)
from topickit.text.pipeline import TextPipeline
from topickit.vectorize import TokenCorpus

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

REDUCED_CONFIG = """
name = "lee_reduced"
task = "similarity"
seed = 3

[preprocess]
phrases = false

[similarity]
background = "gensim-test-data:lee_background.cor"
test = "gensim-test-data:lee.cor"
ratings = "gensim-test-data:similarities0-1.txt"
max_background = 120
max_test = 20

[[similarity.representations]]
name = "bow"
kind = "bow"

[[similarity.representations]]
name = "tfidf"
kind = "tfidf"

[[similarity.representations]]
name = "log_entropy"
kind = "log_entropy"

[[similarity.representations]]
name = "bm25"
kind = "bm25"

[[similarity.representations]]
name = "lsa"
kind = "lsa"
params = { n_topics = 200 }

[[similarity.representations]]
name = "lsa_tfidf_lemma_off"
kind = "lsa"
params = { n_topics = 30, weighting = "tfidf", preprocess = { lemmatize = false } }

[[similarity.representations]]
name = "nmf"
kind = "nmf"
params = { n_topics = 8 }

[[similarity.representations]]
name = "lda_sqrt"
kind = "gensim_lda"
params = { n_topics = 5, passes = 2, iterations = 50, sqrt = true }

[[similarity.representations]]
name = "ensemble"
kind = "ensemble"
params = { members = ["lsa", "tfidf"] }
"""
NAMES = ["bow", "tfidf", "log_entropy", "bm25", "lsa", "lsa_tfidf_lemma_off", "nmf", "lda_sqrt",
         "ensemble"]  # fmt: skip


# --------------------------------------------------------------------------- pair bookkeeping
@pytest.mark.parametrize("n", [2, 3, 7, 50])
def test_pairs_are_the_unordered_pairs(n):
    rows, cols = pair_index(n)
    assert len(rows) == n * (n - 1) // 2
    assert np.all(rows < cols)
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) == len(rows)
    labels = pair_labels(n)
    assert labels[0] == "0-1" and labels[-1] == f"{n - 2}-{n - 1}"


def test_pair_values_follow_pair_index():
    m = np.arange(16, dtype=float).reshape(4, 4)
    assert pair_values(m).tolist() == [1, 2, 3, 6, 7, 11]
    with pytest.raises(ValueError):
        pair_values(np.zeros((2, 3)))


def test_pair_split_even_and_odd_documents():
    select, heldout = pair_split(6)
    rows, cols = pair_index(6)
    assert [(int(i), int(j)) for i, j in zip(rows[select], cols[select], strict=True)] == [
        (0, 2), (0, 4), (2, 4)
    ]  # fmt: skip
    assert [(int(i), int(j)) for i, j in zip(rows[heldout], cols[heldout], strict=True)] == [
        (1, 3), (1, 5), (3, 5)
    ]  # fmt: skip
    assert not np.any(select & heldout)


def test_identical_documents_have_similarity_one():
    corpus = TokenCorpus([["gaza", "aid", "aid"], ["gaza", "aid", "aid"], ["iran", "missile"]])
    for kind in ("bow", "tfidf", "log_entropy", "bm25"):
        sims = cosine_matrix(TermVectors(kind).fit(corpus).transform(corpus))
        assert sims[0, 1] == pytest.approx(1.0), kind
        assert sims[0, 2] == pytest.approx(0.0), kind
        assert np.allclose(sims, sims.T)


def test_cosine_matrix_dense_sparse_and_zero_rows():
    x = np.array([[1.0, 0.0, 2.0], [2.0, 0.0, 4.0], [0.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    dense, sparse = cosine_matrix(x), cosine_matrix(sp.csr_matrix(x))
    assert np.allclose(dense, sparse)
    assert dense[0, 1] == pytest.approx(1.0)
    assert dense[2].tolist() == [0.0, 0.0, 0.0, 0.0]  # an empty document matches nothing
    assert dense[0, 3] == pytest.approx(0.0)


def test_pearson_r_constant_is_nan():
    assert np.isnan(pearson_r([1, 1, 1], [1, 2, 3]))
    assert pearson_r([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)


# --------------------------------------------------------------------------- data files
def test_read_ratings_fills_the_missing_triangle(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("1\t0.3\t0.5\n0\t1\t0.2\n0\t0\t1\n")
    m = read_ratings(path)
    assert m.tolist() == [[1, 0.3, 0.5], [0.3, 1, 0.2], [0.5, 0.2, 1]]
    path.write_text("1 0 0\n0.3 1 0\n0.5 0.2 1\n")  # lower triangle only
    assert read_ratings(path).tolist() == m.tolist()
    assert read_ratings(path, limit=2).tolist() == [[1, 0.3], [0.3, 1]]


@pytest.mark.parametrize(
    "text, message",
    [
        ("1 0.3\n0 1\n0 0\n", "square"),
        ("1 0.3 x\n0 1 0.2\n0 0 1\n", "line 1"),
        ("1 0.3 0.5\n0.9 1 0.2\n0.5 0.2 1\n", "not symmetric"),
    ],
)
def test_read_ratings_rejects_bad_files(tmp_path, text, message):
    path = tmp_path / "r.txt"
    path.write_text(text)
    with pytest.raises(CorpusError, match=message):
        read_ratings(path)


def test_real_lee_files_have_the_published_shape():
    ratings = read_ratings(Path(datapath("similarities0-1.txt")))
    assert ratings.shape == (50, 50)
    assert np.allclose(ratings, ratings.T)
    assert len(pair_values(ratings)) == 1225
    assert len(read_documents(Path(datapath("lee_background.cor")))) == 300
    test = read_documents(Path(datapath("lee.cor")))
    assert len(test) == 50
    assert any("£" in doc for doc in test)  # the Latin-1 pound sign is decoded


def test_read_documents_latin1_and_limit(tmp_path):
    path = tmp_path / "docs.cor"
    path.write_bytes(b"first doc\n\nsecond costs \xa35\nthird\n")
    assert read_documents(path) == ["first doc", "second costs £5", "third"]
    assert read_documents(path, limit=2) == ["first doc", "second costs £5"]
    path.write_bytes(b"\n  \n")
    with pytest.raises(CorpusError):
        read_documents(path)


def test_resolve_data_path(tmp_path):
    assert resolve_data_path("gensim-test-data:lee.cor", tmp_path).name == "lee.cor"
    (tmp_path / "mine.txt").write_text("x\n")
    assert resolve_data_path("mine.txt", tmp_path) == (tmp_path / "mine.txt").resolve()
    with pytest.raises(ConfigError, match=r"nope\.txt"):
        resolve_data_path("nope.txt", tmp_path)


# --------------------------------------------------------------------------- representations
def test_log_entropy_matches_gensim_up_to_its_normaliser():
    docs = [["gaza", "aid", "aid", "truce"], ["gaza", "truce"], ["gaza", "aid", "iran"], ["iran"]]
    ours = LogEntropy().fit(docs)
    assert ours.global_weights_[ours.vocabulary_.index("gaza")] == pytest.approx(
        1 + 3 * (1 / 3) * np.log(1 / 3) / np.log(4)
    )
    dictionary = Dictionary(docs)
    model = LogEntropyModel([dictionary.doc2bow(d) for d in docs])
    # gensim divides the entropy by log(n_docs + 1), the textbook (and topickit) by log(n_docs)
    for term_id, g in model.entr.items():
        textbook = 1 + (g - 1) * np.log(len(docs) + 1) / np.log(len(docs))
        term = ours.vocabulary_.index(dictionary[term_id])
        assert ours.global_weights_[term] == pytest.approx(textbook)
    rows = ours.transform(docs).toarray()
    aid = ours.vocabulary_.index("aid")
    expected = np.log(3) * ours.global_weights_[aid]  # log(1 + tf) with tf = 2
    raw = LogEntropy(norm=None).fit(docs).transform(docs).toarray()
    assert raw[0, aid] == pytest.approx(expected)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)
    assert np.allclose(rows, raw / np.linalg.norm(raw, axis=1, keepdims=True))


def test_entropy_weights_bounds():
    counts = sp.csr_matrix(np.array([[1, 2, 0], [1, 0, 0], [1, 0, 0]]))
    w = entropy_weights(counts)
    assert w[0] == pytest.approx(0.0)  # spread evenly over every document
    assert w[1] == pytest.approx(1.0)  # in one document only
    assert w[2] == 0.0  # never seen


def test_full_rank_lsa_keeps_background_cosines():
    docs = [["gaza", "aid", "truce"], ["gaza", "strike"], ["iran", "missile", "strike"],
            ["iran", "nuclear"], ["aid", "truce", "talks"]]  # fmt: skip
    corpus = TokenCorpus(docs)
    lsa = LatentSemanticVectors(n_topics=50, weighting="tfidf").fit(corpus)
    assert lsa.dimension_ == 5  # lowered to the rank
    words = TermVectors("tfidf").fit(corpus).transform(corpus)
    assert np.allclose(cosine_matrix(lsa.transform(corpus)), cosine_matrix(words))
    small = LatentSemanticVectors(n_topics=2).fit(corpus)
    assert small.transform(corpus).shape == (5, 2)
    again = LatentSemanticVectors(n_topics=2).fit(corpus)
    assert np.array_equal(small.components_, again.components_)


def test_ensemble_is_the_weighted_mean():
    a, b = np.eye(3), np.ones((3, 3))
    assert np.allclose(ensemble_similarity({"a": a, "b": b}, ["a", "b"]), (a + b) / 2)
    assert np.allclose(ensemble_similarity({"a": a, "b": b}, ["a", "b"], [3, 1]), (3 * a + b) / 4)
    with pytest.raises(ConfigError, match="c"):
        ensemble_similarity({"a": a, "b": b}, ["a", "c"])
    with pytest.raises(ConfigError):
        ensemble_similarity({"a": a}, ["a"])
    with pytest.raises(ConfigError, match="weights"):
        ensemble_similarity({"a": a, "b": b}, ["a", "b"], [1, -1])


@pytest.mark.parametrize(
    "kind, params, message",
    [
        ("word2vec", {}, "unknown representation kind"),
        ("tfidf", {"sublinear": "yes"}, "sublinear"),
        ("lsa", {"n_topics": 0}, "n_topics"),
        ("lsa", {"weighting": "bm26"}, "weighting"),
        ("nmf", {"n_topics": 5, "colour": 1}, "colour"),
        ("gensim_lda", {"sqrt": 1}, "sqrt"),
    ],
)
def test_make_representation_rejects_bad_settings(kind, params, message):
    with pytest.raises(ConfigError, match=message):
        make_representation(kind, params)


def test_seed_halves_find_their_article(seed_texts):
    """On the real seeds: fitted on the five articles, each half is nearest its own article."""
    articles = list(seed_texts.values())
    halves, sources = [], []
    for i, text in enumerate(articles):
        words = text.split()
        halves += [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])]
        sources += [i, i]
    pipe = TextPipeline(phrases=False).fit(articles)
    background = pipe.to_corpus(pipe.transform(articles))
    test = pipe.to_corpus(pipe.transform(halves))
    for rep in (TermVectors("tfidf"), TermVectors("log_entropy"), LatentSemanticVectors(4)):
        rep.fit(background)
        both = cosine_matrix(sp.vstack([sp.csr_matrix(rep.transform(test)),
                                        sp.csr_matrix(rep.transform(background))]))  # fmt: skip
        nearest = both[: len(halves), len(halves) :].argmax(axis=1)
        assert nearest.tolist() == sources, type(rep).__name__


# --------------------------------------------------------------------------- plots
def test_plots_label_r_and_reference():
    rng = np.random.default_rng(0)
    human = rng.uniform(0.2, 1.0, 300)
    fig = plot_similarity_scatter(human, human + rng.normal(0, 0.1, 300), title="lsa", r=0.812)
    ax = fig.axes[0]
    assert "0.812" in ax.get_title()
    assert "human" in ax.get_xlabel() and "cosine" in ax.get_ylabel()
    assert 0 < ax.collections[0].get_alpha() < 1
    table = pd.DataFrame({"representation": ["a", "b", "c"], "r": [0.5, 0.65, 0.2]})
    ax = plot_similarity_r(table, target=0.62).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "a", "b"]  # best on top
    assert sorted(round(line.get_xdata()[0], 2) for line in ax.lines) == [0.6, 0.62]
    with pytest.raises(Exception, match="representation"):
        plot_similarity_r(pd.DataFrame({"r": [0.1]}))


# --------------------------------------------------------------------------- the runner
@pytest.fixture(scope="module")
def reduced_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("lee")
    config_path = root / "lee.toml"
    config_path.write_text(REDUCED_CONFIG)
    status = main(["run", str(config_path), "--out", str(root / "run"), "--quiet"])
    assert status == 0
    return root / "run", config_path


def test_reduced_run_writes_every_file(reduced_run):
    run, _ = reduced_run
    metrics = pd.read_csv(run / "metrics.csv")
    r = metrics[metrics.metric == "lee_r"]
    assert sorted(r.model) == sorted(NAMES)
    assert set(metrics.level) == {"document"} and set(metrics.seed) == {3}
    assert r.value.between(-1, 1).all() and r.value.notna().all()
    k = dict(zip(r.model, r.k, strict=True))
    # n_topics=200 is lowered to the rank: 120 background documents, two of them repeated
    assert k["lsa"] == 118 and k["lsa_tfidf_lemma_off"] == 30 and k["nmf"] == 8
    assert np.isnan(k["tfidf"]) and np.isnan(k["ensemble"])
    assert set(metrics.metric) == {"lee_r", "lee_r_select", "lee_r_heldout", "lee_spearman"}

    doc = json.loads((run / "metrics.json").read_text())
    assert doc["n_background"] == 120 and doc["n_test"] == 20 and doc["n_pairs"] == 190
    assert doc["best"] == max(
        doc["representations"], key=lambda n: doc["representations"][n]["lee_r"]
    )

    pairs = pd.read_csv(run / "similarities.csv")
    assert len(pairs) == 190 and list(pairs.columns) == ["pair", "human", *NAMES]
    ratings = read_ratings(Path(datapath("similarities0-1.txt")), limit=20)
    assert np.allclose(pairs.human, pair_values(ratings))
    assert pearson_r(pairs.tfidf, pairs.human) == pytest.approx(
        float(r[r.model == "tfidf"].value.iloc[0])
    )
    ens = (pairs.lsa + pairs.tfidf) / 2
    assert np.allclose(pairs.ensemble, ens)

    assert tomllib.loads((run / "config.toml").read_text())["task"] == "similarity"
    env = json.loads((run / "environment.json").read_text())
    assert env["seed"] == 3 and env["data"]["test"].endswith("lee.cor")
    summary = (run / "summary.md").read_text()
    assert "fitted on the background documents only" in summary
    assert "0.60" in summary and "selection pairs" in summary
    pngs = sorted(p.name for p in (run / "figures").glob("*.png"))
    assert pngs == sorted(["lee_r.png", *(f"scatter_{n}.png" for n in NAMES)])
    for png in (run / "figures").glob("*.png"):
        assert png.read_bytes()[:8] == PNG_MAGIC


def test_reduced_run_is_deterministic(reduced_run, tmp_path):
    run, config_path = reduced_run
    config, _ = load_config(config_path)
    result = run_similarity(config, config_path=config_path, out=tmp_path / "again", progress=False)
    assert (result.path / "metrics.json").read_bytes() == (run / "metrics.json").read_bytes()
    assert list(result.table.r) == sorted(result.table.r, reverse=True)


def test_bad_representation_fails_before_fitting(tmp_path):
    config_path = tmp_path / "bad.toml"
    config_path.write_text(
        REDUCED_CONFIG.replace('kind = "bm25"', 'kind = "bm25"\nparams = { k1 = -1 }')
    )
    config, _ = load_config(config_path)
    with pytest.raises(ConfigError, match=r"representations\[3\] \(bm25\)"):
        run_similarity(config, config_path=config_path, out=tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()


def test_ratings_must_cover_the_test_documents(tmp_path):
    (tmp_path / "r.txt").write_text("1 0.5 0.5\n0 1 0.5\n0 0 1\n")
    (tmp_path / "docs.cor").write_text("a b\nb c\nc d\nd e\n")
    config_path = tmp_path / "c.toml"
    config_path.write_text(
        'name = "x"\ntask = "similarity"\n[similarity]\nbackground = "docs.cor"\n'
        'test = "docs.cor"\nratings = "r.txt"\n'
        '[[similarity.representations]]\nname = "bow"\nkind = "bow"\n'
    )
    config, _ = load_config(config_path)
    with pytest.raises(CorpusError, match="ratings for 3 documents"):
        run_similarity(config, config_path=config_path, out=tmp_path / "run", progress=False)


def test_score_similarities_perfect_and_inverse():
    ratings = np.array([[1, 0.2, 0.9, 0.4], [0.2, 1, 0.3, 0.6], [0.9, 0.3, 1, 0.1],
                        [0.4, 0.6, 0.1, 1]])  # fmt: skip
    scores = score_similarities({"same": ratings, "inverse": 1 - ratings}, ratings)
    assert scores["same"]["lee_r"] == pytest.approx(1.0)
    assert scores["inverse"]["lee_r"] == pytest.approx(-1.0)
    assert scores["same"]["lee_spearman"] == pytest.approx(1.0)
