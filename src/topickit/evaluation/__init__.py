"""Evaluation metrics for topic models: coherence, diversity, stability, alignment, clusters.

Every function takes plain data (term lists, arrays, tables), not model objects, so any
model exposing ``topic_terms``, ``components_`` and ``vocabulary_`` can be evaluated.
"""

from __future__ import annotations

from topickit.evaluation.alignment import ALIGNMENT_METRICS, TopicAlignment, align_topics
from topickit.evaluation.clustering import hard_labels, silhouette
from topickit.evaluation.coherence import COHERENCE_MEASURES, CoherenceResult, CoherenceScorer
from topickit.evaluation.diversity import topic_diversity
from topickit.evaluation.stability import jaccard_matrix, match_topics, topic_stability
from topickit.evaluation.sweep import (
    METRICS_COLUMNS,
    SUMMARY_COLUMNS,
    recommend_k,
    summarise_metrics,
)

__all__ = [
    "ALIGNMENT_METRICS",
    "COHERENCE_MEASURES",
    "METRICS_COLUMNS",
    "SUMMARY_COLUMNS",
    "CoherenceResult",
    "CoherenceScorer",
    "TopicAlignment",
    "align_topics",
    "hard_labels",
    "jaccard_matrix",
    "match_topics",
    "recommend_k",
    "silhouette",
    "summarise_metrics",
    "topic_diversity",
    "topic_stability",
]
