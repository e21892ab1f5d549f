"""Tests for the topic models: shared contract, theme recovery, persistence, registry."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from synthetic import POOLS, themed_docs
from topickit.exceptions import (
    BundleError,
    ConfigError,
    CorpusError,
    DataError,
    InvalidParameterError,
    NotFittedError,
)
from topickit.models import (
    LSA,
    MODELS,
    GensimLDA,
    SklearnLDA,
    TfidfKMeans,
    TfidfNMF,
    TopicModel,
    make_model,
)
from topickit.models.lda_tomotopy import tomotopy_available
from topickit.models.seeded_lda import SeededLDA
from topickit.vectorize import TokenCorpus, fit_idf, tfidf_weights

THEMED = ["kmeans", "nmf", "gensim_lda", "sklearn_lda", "seeded_lda"]
ALL_KINDS = sorted(MODELS)


DOCS, LABELS = themed_docs()
NEW_DOCS, NEW_LABELS = themed_docs(9, seed=1)
ALL_POOL_WORDS = [t for pool in POOLS for t in pool]
MIXED_DOCS = [
    [str(t) for t in np.random.default_rng(i).choice(ALL_POOL_WORDS, 20)] for i in range(9)
]


# gensim's online updates need more than the default 10 passes on a 30-document corpus
SEEDED = {
    "themes": [
        {"name": "war", "seed_terms": ["gaza", "strike"]},
        {"name": "economy", "seed_terms": ["oil", "price"]},
        {"name": "politics", "seed_terms": ["vote", "election"]},
    ]
}
EXTRA = {"gensim_lda": {"passes": 20}, "seeded_lda": {"passes": 20, "codebook": SEEDED}}


def build(kind: str, **params) -> TopicModel:
    return make_model(kind, **{"n_topics": 3, **EXTRA.get(kind, {}), **params})


@pytest.fixture(scope="module")
def fitted() -> dict[str, TopicModel]:
    return {kind: build(kind).fit(DOCS) for kind in ALL_KINDS}


def pool_of(term: str) -> int:
    for k, pool in enumerate(POOLS):
        if term in pool:
            return k
    return -1


# ---------------------------------------------------------------------------- themes
@pytest.mark.parametrize("kind", THEMED)
def test_model_recovers_the_three_themes(fitted, kind):
    model = fitted[kind]
    assert adjusted_rand_score(LABELS, model.transform(DOCS).argmax(axis=1)) >= 0.9
    pools = []
    for terms in model.topic_terms(5):
        owners = {pool_of(term) for term, _ in terms}
        assert len(owners) == 1 and -1 not in owners, terms
        pools.append(owners.pop())
    assert sorted(pools) == [0, 1, 2]


@pytest.mark.parametrize("kind", THEMED)
def test_new_documents_land_in_their_theme_topic(fitted, kind):
    model = fitted[kind]
    train_topic = model.transform(DOCS).argmax(axis=1)
    theme_to_topic = {k: np.bincount(train_topic[np.equal(LABELS, k)]).argmax() for k in range(3)}
    predicted = model.transform(NEW_DOCS).argmax(axis=1)
    assert predicted.tolist() == [theme_to_topic[k] for k in NEW_LABELS]


def test_kmeans_labels_match_nearest_centroid(fitted):
    model = fitted["kmeans"]
    soft = model.transform(DOCS)
    assert model.labels_.tolist() == soft.argmax(axis=1).tolist()
    # temperature 0.1 makes clear-cut documents nearly hard-assigned
    assert soft.max(axis=1).min() > 0.9
    softer = TfidfKMeans(3, temperature=10.0).fit(DOCS).transform(DOCS)
    assert softer.max(axis=1).max() < 0.5


def test_lsa_gives_signed_tfidf_projections(fitted):
    model = fitted["lsa"]
    corpus = TokenCorpus(DOCS)
    weights = tfidf_weights(corpus.counts, fit_idf(corpus.counts))
    projections = model.transform(DOCS)
    np.testing.assert_allclose(projections, weights @ model.components_.T, atol=1e-12)
    assert (projections < 0).any()
    peaks = model.components_[np.arange(3), np.abs(model.components_).argmax(axis=1)]
    assert (peaks > 0).all()
    assert not LSA.probabilistic and not LSA.rows_sum_to_one


def test_nmf_shares_weight_topics_by_their_mass(fitted):
    model = fitted["nmf"]
    w = model.model_.transform(tfidf_weights(TokenCorpus(DOCS).counts, model.idf_))
    expected = w * model.components_.sum(axis=1)
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.transform(DOCS), expected)


def test_nmf_kullback_leibler_runs_with_mu_solver():
    model = TfidfNMF(3, beta_loss="kullback-leibler", max_iter=200).fit(DOCS)
    assert model.model_.solver == "mu"
    assert adjusted_rand_score(LABELS, model.transform(DOCS).argmax(axis=1)) >= 0.9


# ---------------------------------------------------------------------------- contract
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_fit_sets_attributes_and_transform_shapes(fitted, kind):
    model = fitted[kind]
    vocabulary = sorted({t for d in DOCS for t in d})
    assert model.vocabulary_ == vocabulary
    assert model.components_.shape == (3, len(vocabulary))
    assert model.n_topics_ == 3
    assert model.kind == kind
    assert model.get_feature_names_out().tolist() == ["topic0", "topic1", "topic2"]
    out = model.transform(DOCS)
    assert out.shape == (30, 3) and out.dtype == np.float64
    assert model.transform(NEW_DOCS).shape == (9, 3)
    assert model.transform([]).shape == (0, 3)
    if model.rows_sum_to_one:
        np.testing.assert_allclose(out.sum(axis=1), 1.0)
        assert (out >= 0).all()
    if kind in ("gensim_lda", "sklearn_lda"):
        assert model.probabilistic
        np.testing.assert_allclose(model.components_.sum(axis=1), 1.0)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_empty_and_unknown_documents_get_a_neutral_row(fitted, kind):
    model = fitted[kind]
    out = model.transform([[], ["zzz", "unknown"], DOCS[0]])
    assert np.isfinite(out).all()
    neutral = np.full(3, 1 / 3) if model.rows_sum_to_one else np.zeros(3)
    np.testing.assert_allclose(out[0], neutral)
    np.testing.assert_allclose(out[1], neutral)
    np.testing.assert_allclose(out[2], model.transform([DOCS[0]])[0])


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_transform_accepts_a_corpus_with_the_same_vocabulary(fitted, kind):
    model = fitted[kind]
    corpus = TokenCorpus(DOCS)
    np.testing.assert_array_equal(model.transform(corpus), model.transform(DOCS))
    np.testing.assert_array_equal(
        model.transform(corpus.with_docs(NEW_DOCS)), model.transform(NEW_DOCS)
    )
    np.testing.assert_array_equal(model.transform(iter(NEW_DOCS)), model.transform(NEW_DOCS))


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_topic_terms_are_ranked(fitted, kind):
    model = fitted[kind]
    topics = model.topic_terms(7)
    assert len(topics) == 3
    for k, terms in enumerate(topics):
        assert len(terms) == 7
        weights = np.array([w for _, w in terms])
        ranked = np.abs(weights) if kind == "lsa" else weights
        assert (np.diff(ranked) <= 0).all()
        for term, weight in terms:
            assert weight == model.components_[k, model.vocabulary_.index(term)]
    assert len(model.topic_terms(1000)[0]) == len(model.vocabulary_)
    with pytest.raises(ValueError, match="n must be a positive int"):
        model.topic_terms(0)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_same_seed_gives_identical_results(kind):
    first = build(kind, random_state=7).fit(DOCS)
    second = build(kind, random_state=7).fit(DOCS)
    np.testing.assert_array_equal(first.components_, second.components_)
    np.testing.assert_array_equal(first.transform(NEW_DOCS), second.transform(NEW_DOCS))
    # repeated calls do not drift (gensim re-seeds its inference)
    np.testing.assert_array_equal(first.transform(NEW_DOCS), first.transform(NEW_DOCS))


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_clone_copies_params_and_refits_identically(fitted, kind):
    model = fitted[kind]
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "components_")
    np.testing.assert_array_equal(copy.fit(DOCS).components_, model.components_)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_unfitted_model_raises_not_fitted(kind):
    model = make_model(kind, n_topics=3)
    pattern = f"This {type(model).__name__} instance is not fitted yet"
    for call in (
        lambda: model.transform(DOCS),
        lambda: model.topic_terms(),
        model.get_state,
        model.get_feature_names_out,
    ):
        with pytest.raises(NotFittedError, match=pattern):
            call()


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_fit_rejects_empty_input(kind):
    model = build(kind)
    with pytest.raises(CorpusError, match="got no documents"):
        model.fit([])
    with pytest.raises(CorpusError, match="empty vocabulary"):
        model.fit([[], []])
    with pytest.raises(DataError, match=r"expects a list of token lists .*, got str$"):
        model.fit("gaza strike")
    with pytest.raises(DataError, match=r"list of token lists .*; document 1 is str$"):
        model.fit([["gaza"], "strike on gaza"])
    with pytest.raises(DataError, match=r"document 0 holds a float64 token$"):
        model.fit(np.ones((3, 2)))


# ---------------------------------------------------------------------------- validation
@pytest.mark.parametrize("cls", [TfidfKMeans, TfidfNMF, LSA, GensimLDA, SklearnLDA])
def test_n_topics_and_random_state_are_validated_in_fit(cls):
    name = cls.__name__
    message = f"The 'n_topics' parameter of {name} must be an int in the range [1, inf). Got 0"
    with pytest.raises(ValueError, match=re.escape(message)):
        cls(0).fit(DOCS)
    with pytest.raises(ValueError, match=f"The 'random_state' parameter of {name}"):
        cls(3, random_state=None).fit(DOCS)
    with pytest.raises(ValueError, match=f"The 'n_topics' parameter of {name}"):
        cls(2.5).fit(DOCS)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (TfidfNMF(3, beta_loss="itakura"), "The 'beta_loss' parameter of TfidfNMF must be one of"),
        (TfidfNMF(3, l1_ratio=2.0), "The 'l1_ratio' parameter of TfidfNMF"),
        (TfidfKMeans(3, temperature=0), "The 'temperature' parameter of TfidfKMeans"),
        (GensimLDA(3, alpha="bogus"), "The 'alpha' parameter of GensimLDA must be one of"),
        (GensimLDA(3, alpha=[0.1, -1.0, 0.1]), "or a list of positive floats"),
        (GensimLDA(3, eta="asymmetric"), "The 'eta' parameter of GensimLDA"),
        (GensimLDA(3, n_jobs=0), "The 'n_jobs' parameter of GensimLDA"),
        (SklearnLDA(3, learning_method="gibbs"), "The 'learning_method' parameter of"),
        (SklearnLDA(3, doc_topic_prior=0.0), "The 'doc_topic_prior' parameter of SklearnLDA"),
    ],
)
def test_bad_parameter_values_are_named(model, message):
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        model.fit(DOCS)


def test_data_dependent_limits_raise_invalid_parameter_errors():
    n_terms = len({t for d in DOCS for t in d})
    with pytest.raises(
        InvalidParameterError, match=f"n_topics={n_terms} must be smaller than the number"
    ):
        LSA(n_terms).fit(DOCS)
    with pytest.raises(
        InvalidParameterError, match=r"must be at most the number of documents \(2\)"
    ):
        TfidfKMeans(3).fit(DOCS[:2])
    with pytest.raises(InvalidParameterError, match="for TfidfNMF"):
        TfidfNMF(3).fit(DOCS[:2])
    with pytest.raises(InvalidParameterError, match="'alpha' parameter of GensimLDA has 2 values"):
        GensimLDA(3, alpha=[0.5, 0.5]).fit(DOCS)
    with pytest.raises(InvalidParameterError, match=r"'alpha'.*cannot be 'auto' with n_jobs > 1"):
        GensimLDA(3, alpha="auto", n_jobs=2).fit(DOCS)
    with pytest.raises(
        InvalidParameterError, match=r"'eta' parameter of GensimLDA has shape \(4,\)"
    ):
        GensimLDA(3, eta=np.ones(4)).fit(DOCS)


# ---------------------------------------------------------------------------- gensim specifics
def test_gensim_eta_hook_lets_a_subclass_seed_topics():
    class OilFirstLDA(GensimLDA):
        kind = "test_oil_first"

        def _make_eta(self, vocabulary):
            eta = np.full((self.n_topics, len(vocabulary)), 0.01)
            for j, term in enumerate(vocabulary):
                if term in POOLS[1]:
                    eta[0, j] = 5.0
            return eta

    model = OilFirstLDA(3).fit(DOCS)
    assert {pool_of(term) for term, _ in model.topic_terms(5)[0]} == {1}
    assert model.model_.eta.shape == (3, len(model.vocabulary_))


def test_gensim_array_priors_and_auto_alpha_fit():
    n_terms = len({t for d in DOCS for t in d})
    model = GensimLDA(3, alpha=[0.2, 0.3, 0.4], eta=np.full(n_terms, 0.05)).fit(DOCS)
    np.testing.assert_allclose(model.model_.alpha, [0.2, 0.3, 0.4], rtol=1e-6)
    auto = GensimLDA(3, alpha="auto", eta="auto").fit(DOCS)
    assert not np.allclose(auto.model_.alpha, 1 / 3)
    np.testing.assert_allclose(auto.transform(DOCS).sum(axis=1), 1.0)


def test_gensim_multicore_trains():
    model = GensimLDA(3, n_jobs=2, passes=3).fit(DOCS)
    out = model.transform(DOCS)
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert type(model.model_).__name__ == "LdaMulticore"


# ---------------------------------------------------------------------------- perplexity
def test_both_ldas_report_the_same_perplexity_quantity(fitted):
    gensim_lda, sklearn_lda = fitted["gensim_lda"], fitted["sklearn_lda"]
    counts = TokenCorpus(DOCS).with_docs(NEW_DOCS).counts
    for model in (gensim_lda, sklearn_lda):
        bound = model.log_perplexity(NEW_DOCS)
        assert bound < 0
        assert model.perplexity(NEW_DOCS) == pytest.approx(np.exp(-bound))
        # documents that keep to one theme are more predictable than theme-less ones
        assert model.perplexity(NEW_DOCS) < 0.7 * model.perplexity(MIXED_DOCS)
    assert sklearn_lda.perplexity(NEW_DOCS) == pytest.approx(sklearn_lda.model_.perplexity(counts))
    gensim_lda._reseed()
    gensim_bow = TokenCorpus(DOCS).with_docs(NEW_DOCS).bow
    assert gensim_lda.log_perplexity(NEW_DOCS) == pytest.approx(
        gensim_lda.model_.log_perplexity(gensim_bow)
    )
    # same convention (nats per word), so two good fits of the same data agree closely
    assert gensim_lda.log_perplexity(NEW_DOCS) == pytest.approx(
        sklearn_lda.log_perplexity(NEW_DOCS), abs=0.3
    )
    with pytest.raises(CorpusError, match="at least one known token"):
        gensim_lda.log_perplexity([["zzz"]])


# ---------------------------------------------------------------------------- persistence
def _round_trip(model: TopicModel) -> TopicModel:
    meta, arrays = model.get_state()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    text = json.dumps(meta)
    with np.load(buffer, allow_pickle=False) as loaded:
        return TopicModel.from_state(json.loads(text), loaded)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_state_round_trip_gives_the_same_model(fitted, kind):
    model = fitted[kind]
    restored = _round_trip(model)
    assert type(restored) is type(model)
    assert restored.get_params() == model.get_params()
    assert restored.vocabulary_ == model.vocabulary_
    # gensim: sstats are stored exactly, so inference with the re-seeded state matches to 1e-6
    np.testing.assert_allclose(restored.components_, model.components_, atol=1e-6)
    np.testing.assert_allclose(restored.transform(NEW_DOCS), model.transform(NEW_DOCS), atol=1e-6)
    assert [[t for t, _ in ts] for ts in restored.topic_terms(5)] == [
        [t for t, _ in ts] for ts in model.topic_terms(5)
    ]
    if hasattr(model, "log_perplexity"):
        assert restored.log_perplexity(NEW_DOCS) == pytest.approx(
            model.log_perplexity(NEW_DOCS), rel=1e-5
        )


def test_state_round_trip_keeps_array_params():
    n_terms = len({t for d in DOCS for t in d})
    eta = np.linspace(0.01, 0.1, n_terms)
    model = GensimLDA(3, eta=eta, alpha="auto", passes=3).fit(DOCS)
    restored = _round_trip(model)
    np.testing.assert_array_equal(restored.eta, eta)
    np.testing.assert_allclose(restored.model_.alpha, model.model_.alpha)
    np.testing.assert_allclose(restored.transform(DOCS), model.transform(DOCS), atol=1e-6)


def test_from_state_rejects_wrong_kind_and_missing_parts(fitted):
    meta, arrays = fitted["nmf"].get_state()
    with pytest.raises(BundleError, match="kind 'nmf' cannot be loaded by LSA"):
        LSA.from_state(meta, arrays)
    partial = {k: v for k, v in arrays.items() if k != "idf"}
    with pytest.raises(BundleError, match="missing 'idf' in its arrays"):
        TfidfNMF.from_state(meta, partial)
    with pytest.raises(BundleError, match="format 99 is not supported"):
        TfidfNMF.from_state({**meta, "format": 99}, arrays)


# ---------------------------------------------------------------------------- registry
def test_registry_lists_every_model():
    core = {k: v for k, v in MODELS.items() if k != "tomotopy_lda"}
    assert core == {
        "gensim_lda": GensimLDA,
        "kmeans": TfidfKMeans,
        "lsa": LSA,
        "nmf": TfidfNMF,
        "sklearn_lda": SklearnLDA,
        "seeded_lda": SeededLDA,
    }
    # the optional fast backend is listed exactly when its package is installed
    assert ("tomotopy_lda" in MODELS) == tomotopy_available()
    model = make_model("gensim_lda", n_topics=4, passes=2)
    assert isinstance(model, GensimLDA)
    assert model.get_params()["passes"] == 2


def test_make_model_errors_name_the_problem():
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "unknown model kind 'bertopic'; choose one of: gensim_lda, kmeans, lsa, nmf, "
            "seeded_lda, sklearn_lda"
        ),
    ):
        make_model("bertopic")
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "unknown parameter 'n_components' for model kind 'lsa'; valid parameters: "
            "n_iter, n_topics, random_state"
        ),
    ):
        make_model("lsa", n_components=3)
    with pytest.raises(ConfigError, match="The 'max_iter' parameter of SklearnLDA"):
        make_model("sklearn_lda", max_iter=-1)


# ---------------------------------------------------------------------------- real seeds
STOP_WORDS = (
    "the a an and or of to in on for with by at from as is are was were be been has have had "
    "that this these those it its his her their they he she we you i not but which who will "
    "would could said also than more after over into about up out all any other such"
)
STOP = frozenset(STOP_WORDS.split())


def seed_paragraph_tokens(seed_texts: dict[str, str]) -> list[list[str]]:
    docs = []
    for text in seed_texts.values():
        for paragraph in text.split("\n\n"):
            tokens = [t for t in re.findall(r"[a-z]+", paragraph.lower()) if len(t) > 2]
            tokens = [t for t in tokens if t not in STOP]
            if len(tokens) >= 5:
                docs.append(tokens)
    return docs


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_models_fit_the_real_seed_paragraphs(seed_texts, kind):
    docs = seed_paragraph_tokens(seed_texts)
    assert len(docs) >= 10
    model = build(kind, n_topics=4).fit(docs)
    out = model.transform(docs)
    assert out.shape == (len(docs), 4) and np.isfinite(out).all()
    if model.rows_sum_to_one:
        np.testing.assert_allclose(out.sum(axis=1), 1.0)
    terms = model.topic_terms(5)
    assert all(len(t) == 5 for t in terms)
    assert "gaza" in model.vocabulary_
    if hasattr(model, "perplexity"):
        assert np.isfinite(model.perplexity(docs)) and model.perplexity(docs) > 1.0
