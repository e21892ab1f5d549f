"""Stability of topics across runs: one-to-one matching of topics by top-term overlap."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations
from numbers import Integral

import numpy as np
from scipy.optimize import linear_sum_assignment

from topickit._validation import Interval, validate_params
from topickit.exceptions import TopickitError

__all__ = ["jaccard_matrix", "match_topics", "topic_stability"]


def _top_sets(topics: Sequence[Sequence[str]], topn: int, name: str) -> list[frozenset[str]]:
    if isinstance(topics, str) or not len(topics):
        raise TopickitError(f"{name} has no topics (expected a list of term lists)")
    sets = []
    for i, topic in enumerate(topics):
        if isinstance(topic, str):
            raise TopickitError(f"topic {i} of {name} is a string; expected a list of terms")
        sets.append(frozenset(list(dict.fromkeys(topic))[:topn]))
    return sets


def jaccard_matrix(
    topics_a: Sequence[Sequence[str]], topics_b: Sequence[Sequence[str]], topn: int = 10
) -> np.ndarray:
    """Jaccard similarity of every pair of top-``topn`` term sets.

    Parameters
    ----------
    topics_a, topics_b : sequence of sequence of str
        Two topic sets, each topic's terms best first.
    topn : int, default 10
        Number of leading terms per topic.

    Returns
    -------
    ndarray of shape (len(topics_a), len(topics_b))
        ``|A ∩ B| / |A ∪ B|``; 0 for two empty topics.
    """
    validate_params({"topn": topn}, {"topn": [Interval(Integral, 1, None)]}, "jaccard_matrix")
    sets_a = _top_sets(topics_a, topn, "topics_a")
    sets_b = _top_sets(topics_b, topn, "topics_b")
    out = np.zeros((len(sets_a), len(sets_b)))
    for i, a in enumerate(sets_a):
        for j, b in enumerate(sets_b):
            union = len(a | b)
            out[i, j] = len(a & b) / union if union else 0.0
    return out


def match_topics(
    topics_a: Sequence[Sequence[str]], topics_b: Sequence[Sequence[str]], topn: int = 10
) -> list[tuple[int, int, float]]:
    """Match topics of two runs one-to-one, maximising total Jaccard similarity.

    Uses the Hungarian method, which finds the best overall assignment (a greedy
    best-pair-first matching can lock in a pair that forces poor matches elsewhere).
    With different numbers of topics, ``min(len(topics_a), len(topics_b))`` pairs are made.

    Parameters
    ----------
    topics_a, topics_b : sequence of sequence of str
        Two topic sets, each topic's terms best first.
    topn : int, default 10
        Number of leading terms per topic.

    Returns
    -------
    list of (int, int, float)
        ``(index in a, index in b, Jaccard similarity)``, ordered by the index in ``a``.

    Examples
    --------
    >>> match_topics([["a", "b"], ["c", "d"]], [["c", "d"], ["a", "x"]], topn=2)
    [(0, 1, 0.3333333333333333), (1, 0, 1.0)]
    """
    sim = jaccard_matrix(topics_a, topics_b, topn)
    rows, cols = linear_sum_assignment(sim, maximize=True)
    return [(int(i), int(j), float(sim[i, j])) for i, j in zip(rows, cols, strict=True)]


def topic_stability(runs: Sequence[Sequence[Sequence[str]]], topn: int = 10) -> float:
    """Mean matched Jaccard similarity of topics over every pair of runs.

    For each pair of runs (e.g. the same model fitted with different seeds) topics are
    matched one-to-one by :func:`match_topics`; the pair's score is the mean Jaccard of the
    matched topics, and the stability is the mean over all pairs. 1 means every run found
    exactly the same top-term sets.

    Parameters
    ----------
    runs : sequence of topic sets
        At least two runs, each a list of topics (term lists, best first).
    topn : int, default 10
        Number of leading terms per topic.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    TopickitError
        When fewer than two runs are given or a run has no topics.
    """
    if isinstance(runs, str) or len(runs) < 2:
        raise TopickitError(f"topic_stability needs at least two runs, got {len(runs)}")
    pair_scores = [
        float(np.mean([s for _, _, s in match_topics(a, b, topn)]))
        for a, b in combinations(runs, 2)
    ]
    return float(np.mean(pair_scores))
