"""Topic diversity: how little the topics' top terms repeat each other."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

from topickit._validation import Interval, validate_params
from topickit.exceptions import TopickitError

__all__ = ["topic_diversity"]


def topic_diversity(topics: Sequence[Sequence[str]], topn: int = 10) -> float:
    """Share of unique terms among all topics' top-``topn`` terms.

    Diversity is ``len(unique terms) / (n_topics * topn)`` (Dieng et al., 2020): 1 when no
    term appears in two topics, ``1 / n_topics`` when every topic has the same top terms.
    A topic with fewer than ``topn`` terms contributes only the terms it has to the
    denominator, so short topics are not counted as repetitive; repeated terms within one
    topic count once.

    Parameters
    ----------
    topics : sequence of sequence of str
        Each topic's terms, best first.
    topn : int, default 10
        Number of leading terms per topic.

    Returns
    -------
    float
        In ``(0, 1]``.

    Raises
    ------
    TopickitError
        When there are no topics or no terms at all.

    Examples
    --------
    >>> topic_diversity([["gaza", "hamas"], ["gaza", "oil"]], topn=2)
    0.75
    """
    validate_params({"topn": topn}, {"topn": [Interval(Integral, 1, None)]}, "topic_diversity")
    if isinstance(topics, str) or not len(topics):
        raise TopickitError("topics is empty: topic_diversity needs at least one topic")
    unique: set[str] = set()
    total = 0
    for i, topic in enumerate(topics):
        if isinstance(topic, str):
            raise TopickitError(f"topic {i} is a string; expected a list of terms")
        top = list(dict.fromkeys(topic))[:topn]
        unique.update(top)
        total += len(top)
    if total == 0:
        raise TopickitError("every topic is empty: topic_diversity needs terms")
    return len(unique) / total
