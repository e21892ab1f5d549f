"""Agreement between a model's topics and hand-annotated themes of the same units."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from topickit.exceptions import ConfigError

__all__ = ["topic_theme_agreement"]


def _annotated(label: Any) -> bool:
    if label is None:
        return False
    if isinstance(label, float) and math.isnan(label):
        return False
    return not (isinstance(label, str) and not label.strip())


def topic_theme_agreement(doc_topic: np.ndarray, primary_labels: Sequence[Any]) -> dict[str, Any]:
    """How well the units' dominant topics agree with their annotated primary themes.

    Each unit is put in the cluster of its highest-weight topic (``argmax`` of its row,
    first topic on ties) and compared with its primary theme. Units without a label
    (``None``, NaN or ``""``) are left out.

    Parameters
    ----------
    doc_topic : ndarray of shape (n_units, n_topics)
        Topic weights of the units (``model.transform``).
    primary_labels : sequence
        The primary theme of each row of ``doc_topic``.

    Returns
    -------
    dict
        ``nmi`` (normalised mutual information, arithmetic mean; 1 for a perfect match up to
        renaming), ``ari`` (adjusted Rand index; 0 for chance, 1 perfect), ``purity`` (share
        of units whose theme is the most common theme of their topic; 1 when every topic is
        single-themed, which is easy with many topics), ``n_units`` (units compared),
        ``n_topics_used`` (distinct dominant topics) and ``n_themes`` (distinct themes).

    Raises
    ------
    ConfigError
        When ``primary_labels`` is not aligned with ``doc_topic`` or no unit is labelled.
    """
    doc_topic = np.asarray(doc_topic, dtype=np.float64)
    labels = list(primary_labels)
    if doc_topic.ndim != 2 or doc_topic.shape[0] != len(labels):
        raise ConfigError(
            f"primary_labels has {len(labels)} entries but doc_topic has shape "
            f"{doc_topic.shape}; they must be aligned row by row"
        )
    keep = [i for i, label in enumerate(labels) if _annotated(label)]
    if not keep:
        raise ConfigError("primary_labels: no unit is annotated")
    topics = np.argmax(doc_topic[keep], axis=1).tolist()
    themes = [str(labels[i]) for i in keep]
    by_topic: dict[int, Counter] = {}
    for topic, theme in zip(topics, themes, strict=True):
        by_topic.setdefault(topic, Counter())[theme] += 1
    majority = sum(counts.most_common(1)[0][1] for counts in by_topic.values())
    return {
        "nmi": float(normalized_mutual_info_score(themes, topics)),
        "ari": float(adjusted_rand_score(themes, topics)),
        "purity": majority / len(keep),
        "n_units": len(keep),
        "n_topics_used": len(by_topic),
        "n_themes": len(set(themes)),
    }
