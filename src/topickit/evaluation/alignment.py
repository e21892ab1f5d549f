"""Align the topics of two models fitted on (possibly) different vocabularies.

Topic-term weights are compared over the terms both models know. Weight a model puts on
terms the other lacks is invisible to the comparison, so :class:`TopicAlignment` reports, for
every topic, the share of its weight that lies in the shared vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

from topickit.exceptions import TopickitError

__all__ = ["ALIGNMENT_METRICS", "TopicAlignment", "align_topics"]

#: Similarity metrics :func:`align_topics` accepts.
ALIGNMENT_METRICS = ("cosine", "jensen_shannon")


@dataclass(frozen=True)
class TopicAlignment:
    """Similarity of every topic pair of two models and their best one-to-one matching.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Rows are topics of model a, columns topics of model b, values the similarity
        (cosine in ``[-1, 1]``, ``[0, 1]`` for non-negative weights; or ``1 -`` the base-2
        Jensen-Shannon distance in ``[0, 1]``, 1 meaning identical distributions). NaN where a
        topic has no weight on the shared vocabulary.
    pairs : pandas.DataFrame
        Columns ``topic_a``, ``topic_b``, ``similarity``: the Hungarian matching maximising
        total similarity, ``min(n_topics_a, n_topics_b)`` rows ordered by ``topic_a``.
    shared_terms : list of str
        The vocabulary both models share (in model a's order).
    shared_weight_a, shared_weight_b : pandas.Series
        Per topic, the share of its absolute weight that lies on the shared vocabulary.
    metric : str
        The similarity metric used.
    """

    matrix: pd.DataFrame
    pairs: pd.DataFrame
    shared_terms: list[str]
    shared_weight_a: pd.Series
    shared_weight_b: pd.Series
    metric: str


def _as_components(components, terms: Sequence[str], name: str) -> np.ndarray:
    matrix = components.toarray() if sp.issparse(components) else np.asarray(components, float)
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2:
        raise TopickitError(f"components_{name} must be 2-D (n_topics, n_terms)")
    if matrix.shape[1] != len(terms):
        raise TopickitError(
            f"components_{name} has {matrix.shape[1]} columns but terms_{name} has {len(terms)}"
        )
    if len(set(terms)) != len(terms):
        raise TopickitError(f"terms_{name} contains duplicate terms")
    if not np.isfinite(matrix).all():
        raise TopickitError(f"components_{name} contains NaN or infinite weights")
    return matrix


def _labels(labels: Sequence | None, n: int, name: str) -> list:
    if labels is None:
        return list(range(n))
    labels = list(labels)
    if len(labels) != n:
        raise TopickitError(f"labels_{name} has {len(labels)} labels for {n} topics")
    return labels


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    norm_a = np.linalg.norm(a, axis=1)
    norm_b = np.linalg.norm(b, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = (a @ b.T) / np.outer(norm_a, norm_b)
    sim[(norm_a == 0)[:, None] | (norm_b == 0)[None, :]] = np.nan
    return np.clip(sim, -1.0, 1.0)


def _js_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    for matrix, name in ((a, "a"), (b, "b")):
        if (matrix < 0).any():
            raise TopickitError(
                f"components_{name} has negative weights; use metric='cosine' for it"
            )
    total_a, total_b = a.sum(axis=1), b.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = a / total_a[:, None]
        q = b / total_b[:, None]
    sim = np.full((len(a), len(b)), np.nan)
    for i in np.flatnonzero(total_a > 0):
        pi = p[i][None, :]
        m = (pi + q) / 2
        with np.errstate(divide="ignore", invalid="ignore"):
            kl_p = np.where(pi > 0, pi * np.log2(pi / m), 0.0).sum(axis=1)
            kl_q = np.where(q > 0, q * np.log2(q / m), 0.0).sum(axis=1)
        divergence = np.clip((kl_p + kl_q) / 2, 0.0, 1.0)
        sim[i] = 1.0 - np.sqrt(divergence)
    sim[:, total_b <= 0] = np.nan
    return sim


def align_topics(
    components_a,
    terms_a: Sequence[str],
    components_b,
    terms_b: Sequence[str],
    *,
    metric: str = "cosine",
    labels_a: Sequence | None = None,
    labels_b: Sequence | None = None,
) -> TopicAlignment:
    """Compare and match the topics of two models over their shared vocabulary.

    Both topic-term matrices are restricted to the terms they share. For ``"cosine"`` the
    restricted rows are compared as they are (cosine ignores scale). For
    ``"jensen_shannon"`` each restricted row is renormalised to a probability distribution
    and the similarity is ``1 - JS distance`` (base 2), so 1 means identical and 0 disjoint
    support. Topics are then matched one-to-one by the Hungarian method on the similarity
    matrix, which also handles models with different numbers of topics.

    Parameters
    ----------
    components_a, components_b : array-like of shape (n_topics, n_terms)
        Topic-term weights (e.g. a model's ``components_``); dense or scipy sparse.
    terms_a, terms_b : sequence of str
        Column terms of each matrix (e.g. a model's ``vocabulary_``).
    metric : {"cosine", "jensen_shannon"}, default "cosine"
        Similarity. Jensen-Shannon needs non-negative weights.
    labels_a, labels_b : sequence, optional
        Topic labels used as the matrix index/columns and in ``pairs``; default 0..n-1.

    Returns
    -------
    TopicAlignment

    Raises
    ------
    TopickitError
        On mismatched shapes, duplicate terms, no shared terms, an unknown metric, or
        negative weights with ``metric="jensen_shannon"``.
    """
    if metric not in ALIGNMENT_METRICS:
        raise TopickitError(
            f"unknown alignment metric {metric!r}; choose from {', '.join(ALIGNMENT_METRICS)}"
        )
    a = _as_components(components_a, terms_a, "a")
    b = _as_components(components_b, terms_b, "b")
    rows_a = _labels(labels_a, a.shape[0], "a")
    rows_b = _labels(labels_b, b.shape[0], "b")
    index_b = {t: j for j, t in enumerate(terms_b)}
    shared = [t for t in terms_a if t in index_b]
    if not shared:
        raise TopickitError("the two models share no vocabulary terms; nothing to align")
    index_a = {t: i for i, t in enumerate(terms_a)}
    sub_a = a[:, [index_a[t] for t in shared]]
    sub_b = b[:, [index_b[t] for t in shared]]

    sim = _cosine(sub_a, sub_b) if metric == "cosine" else _js_similarity(sub_a, sub_b)

    # NaN similarities (a topic with no shared weight) can still be assigned, never preferred.
    cost = np.where(np.isnan(sim), -2.0, sim)
    r, c = linear_sum_assignment(cost, maximize=True)
    pairs = pd.DataFrame(
        {
            "topic_a": [rows_a[i] for i in r],
            "topic_b": [rows_b[j] for j in c],
            "similarity": sim[r, c].astype(float),
        }
    )
    matrix = pd.DataFrame(
        sim,
        index=pd.Index(rows_a, name="topic_a"),
        columns=pd.Index(rows_b, name="topic_b"),
    )
    return TopicAlignment(
        matrix=matrix,
        pairs=pairs,
        shared_terms=shared,
        shared_weight_a=_shared_share(a, sub_a, rows_a, "topic_a"),
        shared_weight_b=_shared_share(b, sub_b, rows_b, "topic_b"),
        metric=metric,
    )


def _shared_share(full: np.ndarray, sub: np.ndarray, labels: list, name: str) -> pd.Series:
    total = np.abs(full).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, np.abs(sub).sum(axis=1) / total, np.nan)
    return pd.Series(share, index=pd.Index(labels, name=name), name="shared_weight")
