"""Latent Dirichlet allocation with scikit-learn's variational Bayes implementation."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import LatentDirichletAllocation

from topickit._validation import Interval, Options
from topickit.models.base import (
    PerplexityMixin,
    TopicModel,
    state_value,
    uniform_empty_rows,
)
from topickit.registry import MODELS
from topickit.vectorize import TokenCorpus

__all__ = ["SklearnLDA"]


@MODELS.register
class SklearnLDA(PerplexityMixin, TopicModel):
    """LDA on raw term counts with :class:`sklearn.decomposition.LatentDirichletAllocation`.

    ``transform`` returns the normalised variational posterior of each document's topic
    proportions (rows sum to 1; a document with no known token gets a uniform row).

    Perplexity convention, shared with :class:`~topickit.models.GensimLDA`:
    :meth:`log_perplexity` is the per-word variational lower bound (ELBO) of the documents,
    ``bound / n_words``, in **nats** (natural log; higher is better), and
    :meth:`perplexity` is ``exp(-log_perplexity)`` (lower is better). This equals scikit-learn's
    own ``perplexity``.

    Parameters
    ----------
    n_topics : int, default=10
        Number of topics.
    doc_topic_prior : float or None, default=None
        Dirichlet prior on document-topic proportions (None means ``1 / n_topics``).
    topic_word_prior : float or None, default=None
        Dirichlet prior on topic-word distributions (None means ``1 / n_topics``).
    learning_method : {"batch", "online"}, default="batch"
        Variational update scheme.
    max_iter : int, default=50
        Passes over the training data.
    random_state : int, default=0
        Seed of the initialisation.

    Attributes
    ----------
    vocabulary_ : list of str
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-word probabilities (rows sum to 1).
    model_ : sklearn.decomposition.LatentDirichletAllocation
        The fitted estimator, whose ``components_`` are the unnormalised pseudo-counts.
    n_topics_ : int
    """

    kind: ClassVar[str] = "sklearn_lda"
    probabilistic: ClassVar[bool] = True

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **TopicModel._parameter_constraints,
        "doc_topic_prior": [None, Interval(Real, 0, None, closed="neither")],
        "topic_word_prior": [None, Interval(Real, 0, None, closed="neither")],
        "learning_method": [Options({"batch", "online"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_topics: int = 10,
        *,
        doc_topic_prior: float | None = None,
        topic_word_prior: float | None = None,
        learning_method: str = "batch",
        max_iter: int = 50,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.doc_topic_prior = doc_topic_prior
        self.topic_word_prior = topic_word_prior
        self.learning_method = learning_method
        self.max_iter = max_iter
        self.random_state = random_state

    def _make_lda(self) -> LatentDirichletAllocation:
        return LatentDirichletAllocation(
            n_components=self.n_topics,
            doc_topic_prior=self.doc_topic_prior,
            topic_word_prior=self.topic_word_prior,
            learning_method=self.learning_method,
            max_iter=self.max_iter,
            random_state=self.random_state,
        )

    def _fit_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> None:
        self.model_ = self._make_lda().fit(counts)
        raw = np.asarray(self.model_.components_, dtype=np.float64)
        self.components_ = raw / raw.sum(axis=1, keepdims=True)

    def _transform_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> np.ndarray:
        return uniform_empty_rows(self.model_.transform(counts))

    def _log_bound(self, counts: sp.csr_matrix) -> float:
        """scikit-learn's approximate log-likelihood bound (``score``), in nats."""
        return float(self.model_.score(counts))

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        model = self.model_
        meta = {
            "doc_topic_prior": float(model.doc_topic_prior_),
            "topic_word_prior": float(model.topic_word_prior_),
            "n_iter": int(model.n_iter_),
            "n_batch_iter": int(model.n_batch_iter_),
            "bound": float(model.bound_),
        }
        arrays = {
            "raw_components": np.asarray(model.components_, dtype=np.float64),
            "exp_dirichlet_component": np.asarray(model.exp_dirichlet_component_),
        }
        return meta, arrays

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        raw = np.asarray(state_value(arrays, "raw_components", "arrays"), dtype=np.float64)
        model = self._make_lda()
        # Public fitted attributes of LatentDirichletAllocation used by transform and score.
        model.components_ = raw
        model.exp_dirichlet_component_ = np.asarray(
            state_value(arrays, "exp_dirichlet_component", "arrays")
        )
        model.doc_topic_prior_ = float(state_value(meta, "doc_topic_prior", "meta"))
        model.topic_word_prior_ = float(state_value(meta, "topic_word_prior", "meta"))
        model.n_iter_ = int(state_value(meta, "n_iter", "meta"))
        model.n_batch_iter_ = int(state_value(meta, "n_batch_iter", "meta"))
        model.bound_ = float(state_value(meta, "bound", "meta"))
        model.n_features_in_ = raw.shape[1]
        model.random_state_ = np.random.RandomState(self.random_state)
        self.model_ = model
        self.components_ = raw / raw.sum(axis=1, keepdims=True)
