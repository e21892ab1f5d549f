"""k-means clustering of TF-IDF vectors, read as a (hard) topic model with soft assignments."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.metrics.pairwise import euclidean_distances

from topickit._validation import Interval
from topickit.models.base import TopicModel, empty_rows, state_value
from topickit.registry import MODELS
from topickit.vectorize import TokenCorpus
from topickit.vectorize.weighting import fit_idf, tfidf_weights

__all__ = ["TfidfKMeans"]


@MODELS.register
class TfidfKMeans(TopicModel):
    """k-means on sublinear, l2-normalised TF-IDF vectors; each cluster is a topic.

    ``transform`` gives a soft assignment: the softmax of negative squared Euclidean
    distances to the centroids divided by ``temperature``,
    ``p_k ∝ exp(-||x - c_k||² / temperature)``. Rows sum to 1 and the arg-max is the nearest
    centroid (the hard k-means label). Smaller temperatures give harder assignments. A document
    with no known token gets a uniform row. These are similarities, not probabilities
    (``probabilistic`` is False).

    Parameters
    ----------
    n_topics : int, default=10
        Number of clusters.
    temperature : float, default=0.1
        Softmax temperature for the soft assignment (squared distances between unit-length
        TF-IDF vectors and centroids lie in [0, 4]).
    n_init : int, default=10
        k-means restarts; the best inertia wins.
    max_iter : int, default=300
        Iterations per k-means run.
    random_state : int, default=0
        Seed for centroid initialisation.

    Attributes
    ----------
    vocabulary_ : list of str
    idf_ : ndarray of shape (n_terms,)
        Inverse document frequencies learned on the training documents.
    components_ : ndarray of shape (n_topics, n_terms)
        Cluster centroids in TF-IDF space.
    labels_ : ndarray of shape (n_docs,)
        Cluster of each training document.
    inertia_ : float
        Sum of squared distances of training documents to their centroid.
    n_topics_ : int

    Examples
    --------
    >>> docs = [["gaza", "strike"], ["gaza", "army"], ["talks", "deal"], ["deal", "vote"]]
    >>> model = TfidfKMeans(2, random_state=0).fit(docs)
    >>> model.transform(docs).shape
    (4, 2)
    """

    kind: ClassVar[str] = "kmeans"
    probabilistic: ClassVar[bool] = False

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **TopicModel._parameter_constraints,
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_topics: int = 10,
        *,
        temperature: float = 0.1,
        n_init: int = 10,
        max_iter: int = 300,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.temperature = temperature
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state

    def _fit_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> None:
        self._check_topics_fit(counts.shape[0], "number of documents")
        self.idf_ = fit_idf(counts)
        weights = tfidf_weights(counts, self.idf_)
        kmeans = KMeans(
            n_clusters=self.n_topics,
            n_init=self.n_init,
            max_iter=self.max_iter,
            random_state=self.random_state,
        ).fit(weights)
        self.components_ = np.asarray(kmeans.cluster_centers_, dtype=np.float64)
        self.labels_ = np.asarray(kmeans.labels_, dtype=np.int64)
        self.inertia_ = float(kmeans.inertia_)

    def _transform_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> np.ndarray:
        weights = tfidf_weights(counts, self.idf_)
        sq = euclidean_distances(weights, self.components_, squared=True)
        logits = -np.maximum(sq, 0.0) / self.temperature
        logits -= logits.max(axis=1, keepdims=True)
        soft = np.exp(logits)
        soft /= soft.sum(axis=1, keepdims=True)
        soft[empty_rows(counts)] = 1.0 / self.n_topics_
        return soft

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return (
            {"inertia": self.inertia_},
            {"components": self.components_, "idf": self.idf_, "labels": self.labels_},
        )

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        self.components_ = np.asarray(state_value(arrays, "components", "arrays"), dtype=np.float64)
        self.idf_ = np.asarray(state_value(arrays, "idf", "arrays"), dtype=np.float64)
        self.labels_ = np.asarray(state_value(arrays, "labels", "arrays"), dtype=np.int64)
        self.inertia_ = float(state_value(meta, "inertia", "meta"))
