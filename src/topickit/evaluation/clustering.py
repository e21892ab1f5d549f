"""Cluster-quality metrics for documents' hard topic assignments."""

from __future__ import annotations

import logging
import math

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import silhouette_score

from topickit.exceptions import TopickitError

__all__ = ["hard_labels", "silhouette"]

logger = logging.getLogger(__name__)


def hard_labels(doc_topic, *, empty_label: int | None = None) -> np.ndarray:
    """Each document's dominant topic (the argmax of its row).

    Parameters
    ----------
    doc_topic : array-like of shape (n_docs, n_topics)
        Document-topic weights.
    empty_label : int, optional
        Label for documents whose row has no positive weight (e.g. units with no
        in-vocabulary token). By default they get the argmax like any other row, which for
        an all-zero row is topic 0.

    Returns
    -------
    ndarray of int64, shape (n_docs,)
        Ties go to the lowest topic index.

    Examples
    --------
    >>> hard_labels([[0.1, 0.9], [0.5, 0.5], [0.0, 0.0]], empty_label=-1).tolist()
    [1, 0, -1]
    """
    matrix = doc_topic.toarray() if sp.issparse(doc_topic) else np.asarray(doc_topic, float)
    if matrix.ndim != 2:
        raise TopickitError(f"doc_topic must be 2-D (n_docs, n_topics), got {matrix.ndim}-D")
    if matrix.shape[1] == 0:
        raise TopickitError("doc_topic has no topic columns")
    labels = np.argmax(matrix, axis=1).astype(np.int64)
    if empty_label is not None and len(matrix):
        labels[~(matrix > 0).any(axis=1)] = empty_label
    return labels


def silhouette(doc_vectors, labels, metric: str = "cosine") -> float:
    """Mean silhouette coefficient of a hard clustering, NaN when it is undefined.

    The silhouette is only defined for ``2 <= n_clusters <= n_samples - 1``; outside that
    range this returns NaN (and logs why) instead of raising, so sweeps over K never stop
    on a degenerate fit.

    Parameters
    ----------
    doc_vectors : array-like or sparse matrix of shape (n_docs, n_features)
        Document representations (e.g. TF-IDF rows or doc-topic weights).
    labels : array-like of shape (n_docs,)
        Cluster of each document (e.g. from :func:`hard_labels`).
    metric : str, default "cosine"
        Any metric :func:`sklearn.metrics.pairwise_distances` accepts.

    Returns
    -------
    float
        In ``[-1, 1]``, or NaN.

    Raises
    ------
    TopickitError
        When ``doc_vectors`` and ``labels`` have different lengths.
    """
    labels = np.asarray(labels)
    n_samples = doc_vectors.shape[0] if hasattr(doc_vectors, "shape") else len(doc_vectors)
    if labels.ndim != 1 or len(labels) != n_samples:
        raise TopickitError(
            f"labels has {labels.size} entries but doc_vectors has {n_samples} rows"
        )
    n_clusters = len(np.unique(labels))
    if n_clusters < 2 or n_samples <= n_clusters:
        logger.info(
            "silhouette undefined for %d clusters over %d documents; returning NaN",
            n_clusters,
            n_samples,
        )
        return math.nan
    return float(silhouette_score(doc_vectors, labels, metric=metric))
