"""The vectorising layer: gensim and scikit-learn do the counting, ids follow term order."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from topickit.vectorize import (
    TokenCorpus,
    build_dictionary,
    count_matrix,
    filter_vocabulary,
    fit_idf,
    tfidf_weights,
)

DOCS = [
    ["gaza", "strike", "gaza"],
    ["talks", "doha", "gaza"],
    ["strike", "talks"],
    ["aid", "gaza", "talks"],
]


def test_build_dictionary_counts_like_gensim_with_ids_in_term_order():
    d = build_dictionary(DOCS)
    assert list(d.token2id) == sorted(d.token2id)
    assert d.token2id == {t: i for i, t in enumerate(sorted({t for doc in DOCS for t in doc}))}
    by_term = {t: (d.dfs[i], d.cfs[i]) for t, i in d.token2id.items()}
    assert by_term == {
        "aid": (1, 1),
        "doha": (1, 1),
        "gaza": (3, 4),
        "strike": (2, 2),
        "talks": (3, 3),
    }
    assert (d.num_docs, d.num_pos, d.num_nnz) == (4, 11, 10)


@pytest.mark.parametrize(
    ("settings", "kept"),
    [
        ({}, ["aid", "doha", "gaza", "strike", "talks"]),
        ({"no_below": 2}, ["gaza", "strike", "talks"]),
        ({"no_above": 0.5}, ["aid", "doha", "strike"]),  # df <= int(0.5 * 4) = 2
        ({"keep_n": 2}, ["gaza", "talks"]),  # highest df; ties in term order
        ({"keep_n": 3}, ["gaza", "strike", "talks"]),
        ({"no_below": 2, "no_above": 0.5}, ["strike"]),
    ],
)
def test_filter_vocabulary_keeps_what_the_definition_says(settings, kept):
    full = build_dictionary(DOCS)
    filtered, report = filter_vocabulary(full, **settings)
    assert list(filtered.token2id) == kept
    assert list(filtered.token2id.values()) == list(range(len(kept)))
    dropped = sorted(t for ts in report["dropped"].values() for t in ts)
    assert dropped == sorted(set(full.token2id) - set(kept))
    assert report["n_terms_after"] == len(kept)
    full_cf = {t: full.cfs[i] for t, i in full.token2id.items()}
    assert filtered.num_pos == report["n_tokens_after"] == sum(full_cf[t] for t in kept)
    assert filtered.num_nnz == sum(filtered.dfs.values())
    if not settings:
        assert filtered is full


def test_count_matrix_over_a_fixed_vocabulary_ignores_unknown_tokens():
    counts = count_matrix([["gaza", "gaza", "oil"], [], ["talks"]], ["gaza", "talks"])
    assert counts.dtype == np.int64
    assert counts.toarray().tolist() == [[2, 0], [0, 0], [0, 1]]
    corpus = TokenCorpus(DOCS)
    assert (corpus.counts != count_matrix(DOCS, corpus.terms)).nnz == 0


def test_tfidf_weights_are_sublinear_smoothed_and_unit_length():
    counts = sp.csr_matrix(np.array([[2, 0, 1], [0, 1, 1], [0, 0, 0]]))
    idf = fit_idf(counts)
    n = counts.shape[0]
    df = np.array([1, 1, 2])
    np.testing.assert_allclose(idf, np.log((1 + n) / (1 + df)) + 1)
    weights = tfidf_weights(counts, idf).toarray()
    raw = np.where(counts.toarray() > 0, 1 + np.log(np.maximum(counts.toarray(), 1)), 0) * idf
    norms = np.linalg.norm(raw, axis=1, keepdims=True)
    expected = np.divide(raw, norms, out=np.zeros_like(raw), where=norms > 0)
    np.testing.assert_allclose(weights, expected)
    assert not weights[2].any()
