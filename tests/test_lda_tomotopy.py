"""TomotopyLDA: theme recovery, determinism, fold-in, persistence, validation, real seeds."""

from __future__ import annotations

import io
import json
import re
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

tp = pytest.importorskip("tomotopy")

from synthetic import POOLS, themed_docs  # noqa: E402
from topickit.exceptions import BundleError, ConfigError, CorpusError  # noqa: E402
from topickit.models import MODELS, TopicModel, make_model, registry  # noqa: E402
from topickit.models.lda_tomotopy import TomotopyLDA, fold_in  # noqa: E402
from topickit.text.pipeline import TextPipeline  # noqa: E402

DOCS, LABELS = themed_docs()
NEW_DOCS, NEW_LABELS = themed_docs(9, seed=1)
ALL_WORDS = [t for pool in POOLS for t in pool]
MIXED_DOCS = [[str(t) for t in np.random.default_rng(i).choice(ALL_WORDS, 20)] for i in range(9)]


@pytest.fixture(scope="module")
def model() -> TomotopyLDA:
    return TomotopyLDA(3, random_state=0).fit(DOCS)


def _round_trip(model: TopicModel) -> TopicModel:
    meta, arrays = model.get_state()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    text = json.dumps(meta)
    with np.load(buffer, allow_pickle=False) as loaded:
        return TopicModel.from_state(json.loads(text), dict(loaded))


# ---------------------------------------------------------------------------- themes
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_recovers_the_three_synthetic_themes(seed):
    lda = TomotopyLDA(3, random_state=seed).fit(DOCS)
    assert adjusted_rand_score(LABELS, lda.transform(DOCS).argmax(axis=1)) >= 0.9
    assert adjusted_rand_score(NEW_LABELS, lda.transform(NEW_DOCS).argmax(axis=1)) >= 0.9
    # each topic's five best terms, shared words aside, come from one pool, a different one each
    found = []
    for terms in lda.topic_terms(5):
        pools = {k for t, _ in terms for k, pool in enumerate(POOLS) if t in pool}
        assert len(pools) == 1
        found.extend(pools)
    assert sorted(found) == [0, 1, 2]


def test_fitted_attributes_and_rows(model):
    assert model.vocabulary_ == sorted({t for d in DOCS for t in d})
    assert model.components_.shape == (3, len(model.vocabulary_)) == (3, 28)
    np.testing.assert_allclose(model.components_.sum(axis=1), 1.0)
    assert (model.components_ > 0).all()
    assert model.alpha_.shape == (3,) and (model.alpha_ > 0).all()
    # optimize_interval=10 (default) learns alpha away from its 0.1 start
    assert not np.allclose(model.alpha_, 0.1)
    out = model.transform([*DOCS, [], ["unknown", "words"]])
    assert out.shape == (32, 3)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    np.testing.assert_allclose(out[-2:], 1.0 / 3)
    assert model.n_topics_ == 3 and model.kind == "tomotopy_lda"


def test_components_equal_tomotopys_topic_word_distribution(model):
    raw = tp.LDAModel(tw=tp.TermWeight.ONE, min_cf=0, rm_top=0, k=3, alpha=0.1, eta=0.01, seed=0)
    raw.optim_interval = 10
    for doc in DOCS:
        raw.add_doc(doc)
    raw.train(500, workers=1, parallel=tp.ParallelScheme.NONE)
    column = [model.vocabulary_.index(t) for t in raw.used_vocabs]
    for k in range(3):
        dist = np.asarray(raw.get_topic_word_dist(k), dtype=np.float64)
        np.testing.assert_allclose(model.components_[k, column], dist, atol=1e-6)
    np.testing.assert_allclose(model.alpha_, raw.alpha, rtol=1e-6)


def test_train_doc_topics_follow_the_final_sample(model):
    theta = model.train_doc_topic_
    assert theta.shape == (30, 3)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0)
    # (n_dk + alpha_k) / (N_d + sum alpha): every row is a multiple of 1 / (20 + sum alpha)
    counts = theta * (20 + model.alpha_.sum()) - model.alpha_
    np.testing.assert_allclose(counts, np.round(counts), atol=1e-9)


# ---------------------------------------------------------------------------- determinism
def test_workers_1_with_a_seed_is_deterministic():
    first = TomotopyLDA(3, iterations=200, random_state=7).fit(DOCS)
    second = TomotopyLDA(3, iterations=200, random_state=7).fit(DOCS)
    np.testing.assert_array_equal(first.components_, second.components_)
    np.testing.assert_array_equal(first.alpha_, second.alpha_)
    np.testing.assert_array_equal(first.transform(DOCS), second.transform(DOCS))
    other = TomotopyLDA(3, iterations=200, random_state=8).fit(DOCS)
    assert not np.array_equal(first.components_, other.components_)
    refit = clone(first).fit(DOCS)
    np.testing.assert_array_equal(first.components_, refit.components_)


def test_two_workers_train_and_give_valid_topics():
    lda = TomotopyLDA(3, workers=2, random_state=0).fit(DOCS)
    np.testing.assert_allclose(lda.components_.sum(axis=1), 1.0)
    assert adjusted_rand_score(LABELS, lda.transform(DOCS).argmax(axis=1)) >= 0.9


# ---------------------------------------------------------------------------- fold-in
def test_fold_in_agrees_with_tomotopys_own_document_topics(model):
    gap = np.abs(model.transform(DOCS) - model.train_doc_topic_)
    # measured: mean 0.018-0.023 over seeds 0-4 on these 20-token documents
    assert gap.mean() < 0.04
    assert np.array_equal(model.transform(DOCS).argmax(axis=1), model.train_doc_topic_.argmax(1))


def test_fold_in_is_batch_independent_and_converged(model):
    whole = model.transform(DOCS)
    np.testing.assert_array_equal(model.transform(DOCS[3:7]), whole[3:7])
    np.testing.assert_array_equal(model.transform(DOCS[5:6]), whole[5:6])
    # 100 EM steps (the default) have converged: 400 change nothing that matters
    longer = _round_trip(model).set_params(transform_iterations=400)
    np.testing.assert_allclose(longer.transform(DOCS), whole, atol=1e-8)


def test_fold_in_solves_its_fixed_point_by_hand():
    phi = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])
    alpha = np.array([0.5, 0.5])
    counts = np.array([[4, 0, 0], [0, 0, 0], [1, 1, 1]])
    theta = fold_in(sp.csr_matrix(counts), phi, alpha, 500)
    np.testing.assert_allclose(theta[1], [0.5, 0.5])
    np.testing.assert_allclose(theta[2], [0.5, 0.5], atol=1e-12)  # symmetric document
    # one-word-type document: theta_0 solves theta_0 = (0.5 + 4 r) / 5 with r the responsibility
    t0 = theta[0, 0]
    r = 0.7 * t0 / (0.7 * t0 + 0.1 * (1 - t0))
    assert t0 == pytest.approx((0.5 + 4 * r) / 5, abs=1e-12)
    assert t0 > 0.85


# ---------------------------------------------------------------------------- perplexity
def test_perplexity_is_per_word_nats_under_the_fold_in(model):
    bound = model.log_perplexity(NEW_DOCS)
    assert bound < 0
    assert model.perplexity(NEW_DOCS) == pytest.approx(np.exp(-bound))
    # by hand: sum_dw n_dw log(theta_d . phi_w) / N
    theta = model.transform(NEW_DOCS)
    index = {t: j for j, t in enumerate(model.vocabulary_)}
    total = sum(
        np.log(theta[d] @ model.components_[:, index[t]]) for d in range(9) for t in NEW_DOCS[d]
    )
    assert bound == pytest.approx(total / 180)
    # themed documents are more predictable than theme-less ones, and beat a uniform guess
    assert model.perplexity(NEW_DOCS) < 0.7 * model.perplexity(MIXED_DOCS)
    assert model.perplexity(NEW_DOCS) < len(model.vocabulary_)
    with pytest.raises(CorpusError, match="at least one known token"):
        model.log_perplexity([["zzz"]])


# ---------------------------------------------------------------------------- persistence
def test_state_round_trip_without_pickle(model):
    restored = _round_trip(model)
    assert isinstance(restored, TomotopyLDA)
    assert restored.get_params() == model.get_params()
    assert restored.vocabulary_ == model.vocabulary_
    np.testing.assert_array_equal(restored.components_, model.components_)
    np.testing.assert_array_equal(restored.alpha_, model.alpha_)
    np.testing.assert_array_equal(restored.transform(NEW_DOCS), model.transform(NEW_DOCS))
    assert restored.log_perplexity(NEW_DOCS) == model.log_perplexity(NEW_DOCS)
    assert restored.topic_terms(4) == model.topic_terms(4)
    meta, arrays = model.get_state()
    assert set(arrays) == {"components", "alpha"}
    assert meta["kind"] == "tomotopy_lda"


def test_restored_model_transforms_without_tomotopy(model, monkeypatch):
    monkeypatch.setitem(sys.modules, "tomotopy", None)  # makes `import tomotopy` fail
    restored = _round_trip(model)
    np.testing.assert_array_equal(restored.transform(DOCS), model.transform(DOCS))
    with pytest.raises(ConfigError, match=re.escape("pip install 'topickit[fast]'")):
        TomotopyLDA(3).fit(DOCS)


def test_from_state_rejects_broken_arrays(model):
    meta, arrays = model.get_state()
    with pytest.raises(BundleError, match="missing 'alpha' in its arrays"):
        TopicModel.from_state(meta, {"components": arrays["components"]})
    with pytest.raises(BundleError, match="expected"):
        TopicModel.from_state(meta, {**arrays, "alpha": np.ones(4)})


# ---------------------------------------------------------------------------- validation
def test_registered_and_built_by_make_model():
    assert MODELS["tomotopy_lda"] is TomotopyLDA
    lda = make_model("tomotopy_lda", n_topics=4, iterations=50)
    assert isinstance(lda, TomotopyLDA) and lda.iterations == 50


def test_make_model_names_the_install_command_when_tomotopy_is_missing(monkeypatch):
    monkeypatch.delitem(registry.MODELS, "tomotopy_lda")
    with pytest.raises(
        ConfigError, match=re.escape("install it with: pip install 'topickit[fast]'")
    ):
        make_model("tomotopy_lda")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"alpha": 0.0}, "The 'alpha' parameter of TomotopyLDA must be a float in the range (0"),
        ({"eta": -1.0}, "The 'eta' parameter of TomotopyLDA must be a float in the range (0"),
        ({"iterations": 0}, "The 'iterations' parameter of TomotopyLDA must be an int"),
        ({"workers": 0}, "The 'workers' parameter of TomotopyLDA must be an int"),
        ({"n_topics": 40000}, "The 'n_topics' parameter of TomotopyLDA must be an int"),
        ({"optimize_interval": -1}, "The 'optimize_interval' parameter"),
        ({"transform_iterations": 0}, "The 'transform_iterations' parameter"),
        ({"burn_in": 600}, "burn_in=600 must be smaller than iterations=500"),
    ],
)
def test_bad_parameters_are_named(params, message):
    params = {"n_topics": 3, **params}
    with pytest.raises(ValueError, match=re.escape(message)):
        TomotopyLDA(**params).fit(DOCS)
    with pytest.raises(ConfigError, match=re.escape(message)):
        make_model("tomotopy_lda", **params)


def test_burn_in_is_allowed_when_alpha_is_fixed():
    lda = TomotopyLDA(3, iterations=50, burn_in=100, optimize_interval=0).fit(DOCS)
    np.testing.assert_array_equal(lda.alpha_, np.full(3, 0.1))


def test_empty_input_is_rejected():
    with pytest.raises(CorpusError, match="got no documents"):
        TomotopyLDA(3).fit([])
    with pytest.raises(CorpusError, match="empty vocabulary"):
        TomotopyLDA(3).fit([[], []])


# ---------------------------------------------------------------------------- real seeds
@pytest.fixture(scope="module")
def seed_docs(seed_texts) -> list[list[str]]:
    paragraphs = [
        p for text in seed_texts.values() for p in text.split("\n\n") if len(p.split()) > 15
    ]
    return TextPipeline(phrases=False).fit_transform(paragraphs)


def test_real_seed_paragraphs(seed_docs):
    assert len(seed_docs) >= 25
    lda = TomotopyLDA(4, random_state=0).fit(seed_docs)
    out = lda.transform(seed_docs)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    # measured on the seeds: mean gap 0.003-0.004 for seeds 0-2 (longer documents than above)
    assert np.abs(out - lda.train_doc_topic_).mean() < 0.01
    top = {t for terms in lda.topic_terms(6) for t, _ in terms}
    assert {"gaza", "israel", "iran"} <= top
    assert 1.0 < lda.perplexity(seed_docs) < len(lda.vocabulary_)
    again = TomotopyLDA(4, random_state=0).fit(seed_docs)
    np.testing.assert_array_equal(again.components_, lda.components_)
