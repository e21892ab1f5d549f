"""Tests for topickit.evaluation: coherence, diversity, stability, alignment, clusters, sweeps."""

from __future__ import annotations

import math
import random
import re

import numpy as np
import pandas as pd
import pytest
from gensim.models.coherencemodel import CoherenceModel
from scipy.spatial.distance import jensenshannon
from sklearn.metrics import silhouette_score

from topickit.evaluation import (
    CoherenceScorer,
    align_topics,
    hard_labels,
    jaccard_matrix,
    match_topics,
    recommend_k,
    silhouette,
    summarise_metrics,
    topic_diversity,
    topic_stability,
)
from topickit.exceptions import TopickitError
from topickit.vectorize import TokenCorpus

_STOP_WORDS = (
    "the a an of to in and or is are was were be been has have had it its that this for on "
    "with as by at from which while his her their they he she we our not but also will would "
    "who said"
)
STOP = frozenset(_STOP_WORDS.split())


def _tokenize(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z]+", text.lower()) if len(t) > 2 and t not in STOP]


@pytest.fixture(scope="module")
def seed_corpus(seed_texts) -> TokenCorpus:
    """Seed articles split into non-empty lines (paragraphs), simply tokenised."""
    docs = []
    for key in sorted(seed_texts):
        for line in seed_texts[key].splitlines():
            tokens = _tokenize(line)
            if tokens:
                docs.append(tokens)
    return TokenCorpus(docs)


# --------------------------------------------------------------------------- diversity


def test_topic_diversity_exact_values():
    topics = [["a", "b", "c"], ["a", "d", "e"]]
    assert topic_diversity(topics, topn=3) == pytest.approx(5 / 6)
    assert topic_diversity(topics, topn=2) == pytest.approx(3 / 4)
    assert topic_diversity(topics, topn=1) == pytest.approx(1 / 2)
    assert topic_diversity([["x", "y"]] * 4, topn=2) == pytest.approx(1 / 4)
    assert topic_diversity([["a", "b"], ["c", "d"]], topn=2) == 1.0


def test_topic_diversity_short_topics_and_errors():
    # A topic shorter than topn only counts the terms it has.
    assert topic_diversity([["a", "b", "c"], ["a"]], topn=3) == pytest.approx(3 / 4)
    with pytest.raises(TopickitError, match="empty"):
        topic_diversity([])
    with pytest.raises(TopickitError, match="string"):
        topic_diversity(["abc"])
    with pytest.raises(ValueError, match="topn"):
        topic_diversity([["a"]], topn=0)


# --------------------------------------------------------------------------- stability

RUN_A = [["a", "b", "c", "d"], ["e", "f", "g", "h"], ["i", "j", "k", "l"]]
# Permuted and perturbed: B0~A1 (3/5), B1=A2 (1), B2~A0 (2/6).
RUN_B = [["e", "f", "g", "x"], ["i", "j", "k", "l"], ["a", "b", "y", "z"]]


def test_stability_identical_runs_is_one():
    assert topic_stability([RUN_A, RUN_A, RUN_A], topn=4) == 1.0
    shuffled = [RUN_A[2], RUN_A[0], RUN_A[1]]
    assert topic_stability([RUN_A, shuffled], topn=4) == 1.0


def test_stability_permuted_pair_exact_value():
    matches = match_topics(RUN_A, RUN_B, topn=4)
    assert [(i, j) for i, j, _ in matches] == [(0, 2), (1, 0), (2, 1)]
    assert [s for _, _, s in matches] == pytest.approx([2 / 6, 3 / 5, 1.0])
    expected = (2 / 6 + 3 / 5 + 1.0) / 3
    assert topic_stability([RUN_A, RUN_B], topn=4) == pytest.approx(expected)
    # Three runs: mean over the three pairs (A-A = 1, A-B and A-B again).
    assert topic_stability([RUN_A, RUN_B, RUN_A], topn=4) == pytest.approx((2 * expected + 1) / 3)
    # Only the top-n terms count: with topn=2, B2's top two equal A0's.
    assert match_topics(RUN_A, RUN_B, topn=2)[0] == (0, 2, 1.0)


def _greedy(sim: np.ndarray) -> list[tuple[int, int]]:
    sim = sim.copy()
    pairs = []
    for _ in range(min(sim.shape)):
        i, j = np.unravel_index(np.argmax(sim), sim.shape)
        pairs.append((int(i), int(j)))
        sim[i, :] = -1
        sim[:, j] = -1
    return pairs


def test_hungarian_beats_greedy():
    topics_a = [["a", "b", "c", "d"], ["c", "e", "h", "i"]]
    topics_b = [["a", "b", "c", "e"], ["a", "d", "f", "g"]]
    sim = jaccard_matrix(topics_a, topics_b, topn=4)
    np.testing.assert_allclose(sim, [[3 / 5, 2 / 6], [2 / 6, 0.0]])
    greedy_total = sum(sim[i, j] for i, j in _greedy(sim))
    matches = match_topics(topics_a, topics_b, topn=4)
    assert [(i, j) for i, j, _ in matches] == [(0, 1), (1, 0)]
    hungarian_total = sum(s for _, _, s in matches)
    assert hungarian_total == pytest.approx(2 / 3)
    assert greedy_total == pytest.approx(3 / 5)
    assert hungarian_total > greedy_total


def test_match_topics_different_sizes_and_errors():
    matches = match_topics(RUN_A, RUN_B[:2], topn=4)
    assert [(i, j) for i, j, _ in matches] == [(1, 0), (2, 1)]
    with pytest.raises(TopickitError, match="at least two runs"):
        topic_stability([RUN_A])
    with pytest.raises(TopickitError, match="topics_b"):
        match_topics(RUN_A, [])


# --------------------------------------------------------------------------- alignment


def test_alignment_with_itself_is_identity():
    rng = np.random.default_rng(0)
    comps = rng.gamma(0.3, size=(5, 30))
    terms = [f"t{i}" for i in range(30)]
    for metric in ("cosine", "jensen_shannon"):
        result = align_topics(comps, terms, comps, terms, metric=metric)
        np.testing.assert_allclose(np.diag(result.matrix.to_numpy()), 1.0, atol=1e-6)
        assert (result.matrix.to_numpy() <= 1 + 1e-12).all()
        assert list(zip(result.pairs.topic_a, result.pairs.topic_b, strict=True)) == [
            (i, i) for i in range(5)
        ]
        np.testing.assert_allclose(result.pairs.similarity, 1.0, atol=1e-6)
        np.testing.assert_allclose(result.shared_weight_a, 1.0)


def test_alignment_js_matches_scipy_and_ranges():
    rng = np.random.default_rng(1)
    a = rng.gamma(0.5, size=(3, 12))
    b = rng.gamma(0.5, size=(4, 12))
    terms = [f"w{i}" for i in range(12)]
    js = align_topics(a, terms, b, terms, metric="jensen_shannon").matrix.to_numpy()
    cos = align_topics(a, terms, b, terms, metric="cosine").matrix.to_numpy()
    expected = [[1 - jensenshannon(p / p.sum(), q / q.sum(), base=2) for q in b] for p in a]
    np.testing.assert_allclose(js, expected, atol=1e-9)
    assert ((js >= 0) & (js <= 1)).all() and ((cos >= 0) & (cos <= 1)).all()
    # Disjoint supports: both similarities are 0.
    disjoint = align_topics([[1, 1, 0, 0]], "abcd", [[0, 0, 2, 3]], "abcd", metric="jensen_shannon")
    assert disjoint.matrix.iloc[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert align_topics([[1, 1, 0, 0]], "abcd", [[0, 0, 2, 3]], "abcd").matrix.iloc[0, 0] == 0.0
    # Signed weights (e.g. LSA): cosine goes negative, Jensen-Shannon refuses.
    signed = align_topics([[1.0, -1.0]], ["x", "y"], [[-1.0, 1.0]], ["x", "y"])
    assert signed.matrix.iloc[0, 0] == pytest.approx(-1.0)
    with pytest.raises(TopickitError, match="negative"):
        align_topics([[1.0, -1.0]], ["x", "y"], [[1.0, 1.0]], ["x", "y"], metric="jensen_shannon")


def test_alignment_shared_vocabulary_and_different_topic_counts():
    terms_a = ["gaza", "hamas", "oil", "price"]
    terms_b = ["price", "oil", "gaza", "market", "israel"]
    comp_a = np.array([[0.5, 0.3, 0.1, 0.1], [0.0, 0.1, 0.5, 0.4]])
    comp_b = np.array(
        [
            [0.1, 0.5, 0.0, 0.4, 0.0],  # oil/market
            [0.0, 0.0, 0.6, 0.0, 0.4],  # gaza/israel
            [0.3, 0.3, 0.1, 0.2, 0.1],
        ]
    )
    result = align_topics(
        comp_a, terms_a, comp_b, terms_b, metric="jensen_shannon", labels_a=["war", "energy"]
    )
    assert result.shared_terms == ["gaza", "oil", "price"]
    assert result.shared_weight_a.tolist() == pytest.approx([0.7, 0.9])
    assert result.shared_weight_b.tolist() == pytest.approx([0.6, 0.6, 0.7])
    assert result.matrix.shape == (2, 3)
    assert list(result.matrix.index) == ["war", "energy"]
    assert result.pairs.to_dict("list")["topic_a"] == ["war", "energy"]
    assert result.pairs.topic_b.tolist() == [1, 0]
    # Restricted and renormalised: war -> gaza 5/7, oil 1/7, price 1/7; b1 -> gaza 1.
    p, q = np.array([5, 1, 1]) / 7, np.array([1.0, 0, 0])
    expected = 1 - jensenshannon(p, q, base=2)
    assert result.matrix.loc["war", 1] == pytest.approx(expected)
    with pytest.raises(TopickitError, match="share no vocabulary"):
        align_topics(comp_a, terms_a, [[1.0]], ["zzz"])
    with pytest.raises(TopickitError, match="terms_b"):
        align_topics(comp_a, terms_a, comp_b, terms_b[:4])
    with pytest.raises(TopickitError, match="metric"):
        align_topics(comp_a, terms_a, comp_b, terms_b, metric="euclid")


# --------------------------------------------------------------------------- coherence

SYNTH_DOCS = (
    [["apple", "banana", "cherry", "grape", "the", "farm"]] * 6
    + [["engine", "wheel", "brake", "gear", "the", "garage"]] * 6
    + [["apple", "banana", "market"], ["engine", "gear", "market"], ["farm", "garage"]]
)


def test_coherent_topics_beat_incoherent_on_synthetic_corpus():
    scorer = CoherenceScorer(SYNTH_DOCS, measures=("c_v", "c_npmi", "u_mass"), topn=4)
    res = scorer.score_many(
        {
            "coherent": [
                ["apple", "banana", "cherry", "grape"],
                ["engine", "wheel", "brake", "gear"],
            ],
            "mixed": [["apple", "engine", "cherry", "brake"], ["banana", "wheel", "grape", "gear"]],
        }
    )
    for measure in ("c_v", "c_npmi", "u_mass"):
        good, bad = res["coherent"][measure], res["mixed"][measure]
        assert min(good.per_topic) > max(bad.per_topic), measure
        assert good.n_excluded == bad.n_excluded == 0
    assert res["coherent"]["c_npmi"].mean > 0.5 > 0 > res["mixed"]["c_npmi"].mean


def _plain_gensim(corpus: TokenCorpus, topics, measure: str) -> list[float]:
    cm = CoherenceModel(
        topics=topics,
        texts=corpus.docs,
        corpus=corpus.bow if measure == "u_mass" else None,
        dictionary=corpus.dictionary,
        coherence=measure,
        topn=10,
        processes=1,
    )
    return cm.get_coherence_per_topic()


def test_shared_statistics_equal_plain_gensim_on_seeds(seed_corpus):
    rng = random.Random(3)
    terms = seed_corpus.terms
    frequent = sorted(
        terms, key=lambda t: -seed_corpus.dictionary.cfs[seed_corpus.dictionary.token2id[t]]
    )
    topic_sets = {
        "frequent": [frequent[i : i + 6] for i in range(0, 24, 6)],
        "random_k3": [rng.sample(terms, 8) for _ in range(3)],
        "random_k5": [rng.sample(terms, 10) for _ in range(5)],
    }
    measures = ("c_v", "c_npmi", "u_mass")
    shared = CoherenceScorer(seed_corpus, measures=measures, topn=10).score_many(topic_sets)
    for name, topics in topic_sets.items():
        for measure in measures:
            plain = _plain_gensim(seed_corpus, topics, measure)
            np.testing.assert_allclose(shared[name][measure].per_topic, plain, rtol=0, atol=1e-9)
            assert shared[name][measure].mean == pytest.approx(float(np.mean(plain)), abs=1e-9)


def test_statistics_are_counted_once_per_measure(seed_corpus, monkeypatch):
    calls = []
    original = CoherenceModel.estimate_probabilities

    def counting(self, segmented_topics=None):
        calls.append(self.coherence)
        return original(self, segmented_topics)

    monkeypatch.setattr(CoherenceModel, "estimate_probabilities", counting)
    rng = random.Random(5)
    topic_sets = {f"m{i}": [rng.sample(seed_corpus.terms, 10) for _ in range(4)] for i in range(6)}
    scorer = CoherenceScorer(seed_corpus, measures=("c_npmi", "u_mass"), topn=10)
    scorer.score_many(topic_sets)
    assert calls == ["c_npmi", "u_mass"]


def test_coherence_on_real_seeds_coherent_beats_random(seed_corpus):
    coherent = [
        ["khamenei", "hamas", "gaza", "israel", "iran"],
        ["haniyeh", "tehran", "hamas", "khamenei", "met"],
        ["amir", "abdollahian", "foreign", "minister", "iran"],
    ]
    rng = random.Random(0)
    random_topics = [rng.sample(seed_corpus.terms, 5) for _ in range(20)]
    res = CoherenceScorer(seed_corpus, topn=5).score_many(
        {"coherent": coherent, "random": random_topics}
    )
    for measure in ("c_v", "c_npmi", "u_mass"):
        assert min(res["coherent"][measure].per_topic) > max(res["random"][measure].per_topic)
    assert res["coherent"]["c_npmi"].mean > 0 > res["random"]["c_npmi"].mean


def test_coherence_unknown_terms_are_dropped_and_reported():
    scorer = CoherenceScorer(SYNTH_DOCS, measures=("c_npmi", "u_mass"), topn=3)
    topics = [
        ["apple", "banana", "cherry"],
        ["apple", "zeppelin", "quark"],  # one scorable term left -> NaN
        ["engine", "unicorn", "gear"],  # unicorn dropped, scored on engine/gear
    ]
    res = scorer.score(topics)
    for measure in ("c_npmi", "u_mass"):
        result = res[measure]
        assert math.isnan(result.per_topic[1])
        assert result.n_excluded == 1 and result.n_scored == 2
        assert result.dropped_terms == [[], ["zeppelin", "quark"], ["unicorn"]]
        assert result.mean == pytest.approx(np.mean([result.per_topic[0], result.per_topic[2]]))
    alone = scorer.score([["engine", "gear"]])["c_npmi"].per_topic[0]
    assert res["c_npmi"].per_topic[2] == pytest.approx(alone, abs=1e-12)
    nothing = scorer.score([["zeppelin", "quark"]])["c_npmi"]
    assert math.isnan(nothing.mean) and nothing.n_excluded == 1


def test_coherence_is_deterministic_and_validates(seed_corpus):
    topics = [["khamenei", "hamas", "gaza"], ["oil", "israel", "war"]]
    first = CoherenceScorer(seed_corpus, measures=("c_v",)).score(topics)
    second = CoherenceScorer(seed_corpus, measures=("c_v",)).score(topics)
    assert first["c_v"].per_topic == second["c_v"].per_topic
    with pytest.raises(TopickitError, match="c_x"):
        CoherenceScorer(seed_corpus, measures=("c_x",))
    with pytest.raises(TopickitError, match="'empty'"):
        CoherenceScorer(seed_corpus).score_many({"empty": []})
    with pytest.raises(ValueError, match="topn"):
        CoherenceScorer(seed_corpus, topn=0)


# --------------------------------------------------------------------------- clustering


def test_silhouette_nan_cases_and_value():
    x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    assert math.isnan(silhouette(x, [0, 0, 0, 0]))  # one cluster
    assert math.isnan(silhouette(x, [0, 1, 2, 3]))  # n_samples == n_clusters
    assert math.isnan(silhouette(x[:1], [0]))
    labels = [0, 0, 1, 1]
    value = silhouette(x, labels)
    assert value == pytest.approx(silhouette_score(x, labels, metric="cosine"))
    assert value > 0.8
    assert silhouette(x, [0, 1, 0, 1]) < 0
    with pytest.raises(TopickitError, match="labels"):
        silhouette(x, [0, 1])


def test_hard_labels():
    doc_topic = np.array([[0.1, 0.7, 0.2], [0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])
    assert hard_labels(doc_topic).tolist() == [1, 0, 0]
    assert hard_labels(doc_topic, empty_label=-1).tolist() == [1, 0, -1]
    with pytest.raises(TopickitError, match="2-D"):
        hard_labels([0.1, 0.9])


# --------------------------------------------------------------------------- sweep


def _metrics_table() -> pd.DataFrame:
    rows = []
    npmi = {2: [0.00, 0.02, 0.04], 4: [0.035, 0.055, 0.075], 6: [0.05, 0.06, 0.07]}
    diversity = {
        "lda": {2: [1.0, 1.0, 1.0], 4: [0.9, 0.9, 0.9], 6: [0.8, 0.8, 0.8]},
        "nmf": {2: [1.0, 1.0, 1.0], 4: [0.7, 0.7, 0.7], 6: [0.85, 0.85, 0.85]},
    }
    for model in ("lda", "nmf"):
        for k in (2, 4, 6):
            for seed in range(3):
                rows.append((model, "article", k, seed, "c_npmi", npmi[k][seed]))
                rows.append(
                    (model, "article", k, seed, "topic_diversity", diversity[model][k][seed])
                )
                silhouette_value = math.nan if (k, seed) == (2, 0) else 0.1 * seed
                rows.append((model, "article", k, seed, "silhouette", silhouette_value))
    rows.append(("lsa", "paragraph", 3, 0, "c_npmi", 0.01))
    rows.append(("lsa", "paragraph", 5, 0, "c_npmi", 0.03))
    return pd.DataFrame(rows, columns=["model", "level", "k", "seed", "metric", "value"])


def test_summarise_metrics_values():
    summary = summarise_metrics(_metrics_table())
    assert list(summary.columns) == [
        "model",
        "level",
        "k",
        "metric",
        "mean",
        "std",
        "n_seeds",
        "min",
        "max",
    ]
    row = summary[(summary.model == "lda") & (summary.k == 4) & (summary.metric == "c_npmi")]
    assert row["mean"].item() == pytest.approx(0.055)
    assert row["std"].item() == pytest.approx(0.02)
    assert row["n_seeds"].item() == 3
    assert (row["min"].item(), row["max"].item()) == pytest.approx((0.035, 0.075))
    sil = summary[(summary.model == "lda") & (summary.k == 2) & (summary.metric == "silhouette")]
    assert sil["n_seeds"].item() == 2 and sil["mean"].item() == pytest.approx(0.15)
    single = summary[summary.model == "lsa"]
    assert single["n_seeds"].tolist() == [1, 1] and single["std"].isna().all()
    assert len(summary) == 2 * 3 * 3 + 2


def test_summarise_metrics_errors():
    table = _metrics_table()
    with pytest.raises(TopickitError, match="'seed'"):
        summarise_metrics(table.drop(columns="seed"))
    with pytest.raises(TopickitError, match="repeats"):
        summarise_metrics(pd.concat([table, table.iloc[:1]]))


def test_recommend_k_known_answers():
    summary = summarise_metrics(_metrics_table())
    rec = recommend_k(summary).set_index("model")
    # Best c_npmi at K=6 (0.06 ± 0.01); K=4 (0.055) is within one std, K=2 (0.02) is not.
    assert rec.loc["lda", "best_k"] == 6 and rec.loc["nmf", "best_k"] == 6
    assert rec.loc["lda", "k"] == 4  # more diverse than K=6
    assert rec.loc["nmf", "k"] == 6  # K=6 topics repeat each other less than K=4's
    assert "K=6: 0.060 ± 0.010" in rec.loc["lda", "rule"]
    assert "candidates K=4, 6" in rec.loc["lda", "rule"]
    # Single seed: no spread, the best mean wins.
    assert rec.loc["lsa", "k"] == 5 and "no spread estimate" in rec.loc["lsa", "rule"]
    plain = recommend_k(summary, tie_metric=None).set_index("model")
    assert plain.loc["nmf", "k"] == 4 and plain.loc["nmf", "rule"].startswith("smallest K")
    strict = recommend_k(summary, tolerance=0.0).set_index("model")
    assert strict.loc["lda", "k"] == 6 and strict.loc["lda", "rule"].startswith("K=6 is the only")
    wide = recommend_k(summary, tolerance=5.0, tie_metric=None).set_index("model")
    assert wide.loc["lda", "k"] == 2
    with pytest.raises(TopickitError, match="'c_uci'"):
        recommend_k(summary, metric="c_uci")
