"""Log-entropy term weighting: a document representation, not a topic model.

The weight of term ``j`` in document ``i`` is ``log(1 + tf_ij) * g_j`` with the global weight
``g_j = 1 + sum_i p_ij log(p_ij) / log(n_docs)`` and ``p_ij = tf_ij / gf_j`` (``gf_j`` is the
term's total count in the fitted documents). A term spread evenly over every document gets
``g_j = 0``; a term concentrated in one document gets ``g_j = 1``. This is the weighting
Lee, Pincombe & Welsh (2005) put under LSA. gensim's ``LogEntropyModel`` divides by
``log(n_docs + 1)`` instead, which gives slightly larger weights to evenly spread terms.

:class:`LogEntropy` does not learn topics, so it is not a :class:`~topickit.models.TopicModel`
and is not in the model registry; ``transform`` returns a sparse document-term matrix.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize

from topickit._validation import Options, check_fitted, validate_params
from topickit.exceptions import CorpusError
from topickit.models.base import Docs
from topickit.vectorize import as_token_corpus, count_matrix

__all__ = ["LogEntropy", "entropy_weights", "log_entropy_weights"]

logger = logging.getLogger(__name__)


def entropy_weights(counts: sp.spmatrix) -> np.ndarray:
    """Global entropy weight of every term of a document-term count matrix.

    Parameters
    ----------
    counts : sparse matrix of shape (n_docs, n_terms)
        Non-negative term counts.

    Returns
    -------
    ndarray of shape (n_terms,)
        ``1 + sum_i p_ij log p_ij / log(n_docs)``, in ``[0, 1]``; a term that never occurs
        gets 0. With a single document every term gets 1.
    """
    counts = sp.csc_matrix(counts, dtype=np.float64)
    n_docs = counts.shape[0]
    totals = np.asarray(counts.sum(axis=0)).ravel()
    if n_docs < 2:
        return (totals > 0).astype(np.float64)
    col = np.repeat(np.arange(counts.shape[1]), np.diff(counts.indptr))
    keep = counts.data > 0
    p = counts.data[keep] / totals[col[keep]]
    plogp = np.bincount(col[keep], weights=p * np.log(p), minlength=counts.shape[1])
    weights = 1.0 + plogp / np.log(n_docs)
    weights[totals <= 0] = 0.0
    return np.clip(weights, 0.0, 1.0)


def log_entropy_weights(
    counts: sp.spmatrix, global_weights: np.ndarray, *, norm: str | None = "l2"
) -> sp.csr_matrix:
    """``log(1 + tf) * global_weights``, rows scaled to unit length when ``norm="l2"``.

    Parameters
    ----------
    counts : sparse matrix of shape (n_docs, n_terms)
    global_weights : ndarray of shape (n_terms,)
    norm : {"l2", None}, default="l2"

    Returns
    -------
    scipy.sparse.csr_matrix of float64
        All-zero rows stay zero.
    """
    weights = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    weights.data = np.log1p(weights.data)
    weights = sp.csr_matrix(weights.multiply(global_weights[np.newaxis, :]))
    weights.eliminate_zeros()
    if norm == "l2":
        weights = normalize(weights, norm="l2", copy=False)
    return weights


class LogEntropy(TransformerMixin, BaseEstimator):
    """Log-entropy weighted bag of words over a fitted vocabulary.

    Parameters
    ----------
    norm : {"l2", None}, default="l2"
        Scale every output row to unit Euclidean length (``None`` keeps raw weights).

    Attributes
    ----------
    vocabulary_ : list of str
        Terms in column order.
    global_weights_ : ndarray of shape (n_terms,)
        Entropy weight of each term, learned from the fitted documents.

    Examples
    --------
    >>> le = LogEntropy().fit([["gaza", "aid"], ["gaza", "truce"], ["gaza", "aid", "aid"]])
    >>> [round(float(w), 3) for w in le.global_weights_]  # aid, gaza, truce
    [0.421, 0.0, 1.0]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {"norm": [None, Options({"l2"})]}

    def __init__(self, *, norm: str | None = "l2") -> None:
        self.norm = norm

    def fit(self, X: Docs, y: Any = None) -> LogEntropy:
        """Learn the vocabulary and the global entropy weights of ``X``.

        Parameters
        ----------
        X : TokenCorpus or sequence of token lists
        y : ignored

        Returns
        -------
        self

        Raises
        ------
        CorpusError
            When ``X`` has no documents or no tokens.
        """
        validate_params(self.get_params(deep=False), self._parameter_constraints, "LogEntropy")
        corpus = as_token_corpus(X)
        if len(corpus) == 0 or not corpus.terms:
            raise CorpusError("LogEntropy.fit got no documents or an empty vocabulary")
        self.vocabulary_ = list(corpus.terms)
        self.global_weights_ = entropy_weights(corpus.counts)
        logger.debug("log-entropy weights for %d terms", len(self.vocabulary_))
        return self

    def transform(self, X: Docs) -> sp.csr_matrix:
        """Log-entropy weights of ``X`` over ``vocabulary_`` (unknown tokens ignored).

        Parameters
        ----------
        X : TokenCorpus or sequence of token lists

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_docs, n_terms)
        """
        check_fitted(self, "global_weights_")
        counts = count_matrix(as_token_corpus(X), self.vocabulary_)
        return log_entropy_weights(counts, self.global_weights_, norm=self.norm)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The vocabulary as an object ndarray (scikit-learn style)."""
        check_fitted(self, "global_weights_")
        return np.asarray(self.vocabulary_, dtype=object)
