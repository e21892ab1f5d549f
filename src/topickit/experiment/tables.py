"""Tidy tables of a run: topics and unit × topic weights."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from topickit.experiment.fit_step import Fit
from topickit.experiment.prepare_step import LevelData

__all__ = ["doc_topics_table", "topics_table"]


def topics_table(fits: Iterable[Fit], *, n_terms: int = 10) -> pd.DataFrame:
    """Ranked terms of each topic of each fit.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, level, k, topic, rank, term, weight`` (rank is 1-based).
    """
    rows = []
    for fit in fits:
        name, level, k, _ = fit.key
        for topic, terms in enumerate(fit.topics):
            for rank, (term, weight) in enumerate(terms[:n_terms], start=1):
                rows.append(
                    {
                        "model": name,
                        "level": level,
                        "k": k,
                        "topic": topic,
                        "rank": rank,
                        "term": term,
                        "weight": float(weight),
                    }
                )
    return pd.DataFrame(rows, columns=["model", "level", "k", "topic", "rank", "term", "weight"])


def doc_topics_table(fits: Iterable[Fit], data: dict[str, LevelData]) -> pd.DataFrame:
    """Unit × topic weights of each fit, one row per unit and model.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit_id, doc_id, level, model, topic_0 … topic_{K-1}`` where K is the
        largest K among the fits; a model with fewer topics has empty cells beyond its K.
    """
    frames = []
    for fit in fits:
        key = f"naive:{fit.plan.level}" if fit.plan.model.preprocess == "naive" else fit.plan.level
        units = data[key].units
        weights = np.asarray(fit.doc_topic, dtype=float)
        frame = pd.DataFrame(weights, columns=[f"topic_{i}" for i in range(weights.shape[1])])
        frame.insert(0, "model", fit.plan.model.name)
        frame.insert(0, "level", fit.plan.level)
        frame.insert(0, "doc_id", units["doc_id"].to_numpy())
        frame.insert(0, "unit_id", units["unit_id"].to_numpy())
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["unit_id", "doc_id", "level", "model"])
    table = pd.concat(frames, ignore_index=True)
    topic_cols = sorted(
        (c for c in table.columns if c.startswith("topic_")), key=lambda c: int(c.split("_")[1])
    )
    return table[["unit_id", "doc_id", "level", "model", *topic_cols]]
