"""Latent semantic analysis: truncated SVD of TF-IDF vectors."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from topickit._validation import Interval
from topickit.models.base import TopicModel, state_value
from topickit.registry import MODELS
from topickit.vectorize import TokenCorpus
from topickit.vectorize.weighting import fit_idf, tfidf_weights

__all__ = ["LSA"]


@MODELS.register
class LSA(TopicModel):
    """Truncated SVD (randomised) of sublinear, l2-normalised TF-IDF vectors.

    ``transform`` returns the raw projections ``tfidf(X) @ components_.T``: they can be
    negative and rows do not sum to 1; they are coordinates, not topic shares or
    probabilities. A document with no known token projects to a row of zeros.

    Each component's sign is fixed so that its largest-magnitude loading is positive, which
    makes the output deterministic and readable; :meth:`topic_terms` ranks terms by absolute
    loading and reports the signed loading.

    Parameters
    ----------
    n_topics : int, default=10
        Number of components; must be smaller than the number of terms.
    n_iter : int, default=5
        Power iterations of the randomised SVD solver.
    random_state : int, default=0
        Seed of the randomised solver.

    Attributes
    ----------
    vocabulary_ : list of str
    idf_ : ndarray of shape (n_terms,)
    components_ : ndarray of shape (n_topics, n_terms)
        Right singular vectors (sign-oriented as above).
    singular_values_ : ndarray of shape (n_topics,)
    explained_variance_ratio_ : ndarray of shape (n_topics,)
    n_topics_ : int
    """

    kind: ClassVar[str] = "lsa"
    probabilistic: ClassVar[bool] = False
    rows_sum_to_one: ClassVar[bool] = False

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **TopicModel._parameter_constraints,
        "n_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_topics: int = 10, *, n_iter: int = 5, random_state: int = 0) -> None:
        self.n_topics = n_topics
        self.n_iter = n_iter
        self.random_state = random_state

    def _fit_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> None:
        self._check_topics_fit(counts.shape[1], "number of terms", strict=True)
        self.idf_ = fit_idf(counts)
        svd = TruncatedSVD(
            n_components=self.n_topics,
            algorithm="randomized",
            n_iter=self.n_iter,
            random_state=self.random_state,
        ).fit(tfidf_weights(counts, self.idf_))
        components = np.asarray(svd.components_, dtype=np.float64)
        peak = components[np.arange(components.shape[0]), np.abs(components).argmax(axis=1)]
        self.components_ = components * np.where(peak < 0, -1.0, 1.0)[:, np.newaxis]
        self.singular_values_ = np.asarray(svd.singular_values_, dtype=np.float64)
        self.explained_variance_ratio_ = np.asarray(svd.explained_variance_ratio_, dtype=np.float64)

    def _transform_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> np.ndarray:
        return np.asarray(tfidf_weights(counts, self.idf_) @ self.components_.T)

    def _ranking_scores(self) -> np.ndarray:
        return np.abs(self.components_)

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays = {
            "components": self.components_,
            "idf": self.idf_,
            "singular_values": self.singular_values_,
            "explained_variance_ratio": self.explained_variance_ratio_,
        }
        return {}, arrays

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        self.components_ = np.asarray(state_value(arrays, "components", "arrays"), dtype=np.float64)
        self.idf_ = np.asarray(state_value(arrays, "idf", "arrays"), dtype=np.float64)
        self.singular_values_ = np.asarray(
            state_value(arrays, "singular_values", "arrays"), dtype=np.float64
        )
        self.explained_variance_ratio_ = np.asarray(
            state_value(arrays, "explained_variance_ratio", "arrays"), dtype=np.float64
        )
