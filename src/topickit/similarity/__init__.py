"""Document similarity against human judgments: data files, representations, scoring."""

from __future__ import annotations

from topickit.similarity.lee import (
    cosine_matrix,
    pair_index,
    pair_split,
    pair_values,
    pearson_r,
    read_documents,
    read_ratings,
    resolve_data_path,
    score_similarities,
)
from topickit.similarity.representations import (
    LatentSemanticVectors,
    TermVectors,
    TopicVectors,
    ensemble_similarity,
    make_representation,
)

__all__ = [
    "LatentSemanticVectors",
    "TermVectors",
    "TopicVectors",
    "cosine_matrix",
    "ensemble_similarity",
    "make_representation",
    "pair_index",
    "pair_split",
    "pair_values",
    "pearson_r",
    "read_documents",
    "read_ratings",
    "resolve_data_path",
    "score_similarities",
]
