"""Step 5 of a run: write config, metrics, topics, unit × topic weights and alignments."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topickit.experiment.config import ExperimentConfig
from topickit.experiment.fit_step import Fit
from topickit.experiment.prepare_step import LevelData, corpus_fingerprint, level_key
from topickit.themes.analysis import topic_theme_labels

__all__ = ["doc_topics_table", "metrics_document", "topics_table", "write_tables"]


def _clean(value: Any) -> Any:
    """JSON-safe, byte-stable values: NaN to None, floats to 12 significant digits."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if value is pd.NA or value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return float(f"{value:.12g}")
    return value


def _portable(params: dict) -> dict:
    """Parameters without machine-specific paths (a codebook file is named, not located)."""
    out = dict(params)
    if isinstance(out.get("codebook"), str):
        out["codebook"] = Path(out["codebook"]).name
    return out


def metrics_document(config: ExperimentConfig, result) -> dict:
    """The content of ``metrics.json`` (no timings or paths: reruns give the same bytes)."""
    levels = {}
    for level in config.levels:
        d = result.data[level]
        report = dict(d.pipeline.vocabulary_report_)
        report["dropped"] = {k: len(v) for k, v in report["dropped"].items()}
        levels[level] = {
            "n_units": len(d.units),
            "vocabulary": report,
            "phrases": sorted(d.pipeline.phrases_),
        }
    final = {}
    for (name, level), fit in sorted(result.final.items()):
        rows = result.sweep[
            (result.sweep.model == name)
            & (result.sweep.level == level)
            & (result.sweep.k == fit.plan.k)
        ]
        final[f"{name}@{level}"] = {
            "model": name,
            "level": level,
            "k": fit.plan.k,
            "seed": fit.plan.seed,
            "params": _portable(fit.estimator.get_params()),
            "metrics": {
                r.metric: {"mean": r.mean, "std": r.std, "n_seeds": r.n_seeds}
                for r in rows.itertuples()
            },
        }
    alignments = {
        label: {"pairs": a.pairs.to_dict(orient="records")}
        for label, a in result.alignments.items()
    }
    return _clean(
        {
            "experiment": config.name,
            "seed": config.seed,
            "corpus": {
                "n_articles": len(result.articles),
                "fingerprint": corpus_fingerprint(result.articles),
            },
            "levels": levels,
            "best": result.best,
            "recommended_k": result.recommended.to_dict(orient="records"),
            "final": final,
            "sweep": result.sweep.to_dict(orient="records"),
            "alignments": alignments,
        }
    )


def write_tables(folder, config: ExperimentConfig, result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write ``config.toml``, the metrics, ``topics.csv``, ``doc_topics.csv`` and alignments.

    Returns
    -------
    topics, doc_topics : pandas.DataFrame
        The topic and unit × topic tables (``doc_topics`` even when it is not written).
    """
    folder.write_toml("config.toml", config.to_dict())
    metrics = result.metrics.sort_values(
        ["model", "level", "k", "seed", "metric"], na_position="last", kind="stable"
    )
    folder.write_csv("metrics.csv", metrics)
    folder.write_json("metrics.json", metrics_document(config, result))
    final_fits = [result.final[k] for k in sorted(result.final)]
    topics = topics_table(final_fits, n_terms=config.outputs.top_terms)
    labels = topic_theme_labels(result.themes)
    if labels:
        topics["theme"] = [
            labels.get((m, lv), {}).get(int(t), "")
            for m, lv, t in zip(topics.model, topics.level, topics.topic, strict=True)
        ]
    folder.write_csv("topics.csv", topics)
    doc_topics = doc_topics_table(final_fits, result.data)
    if config.outputs.doc_topics:
        folder.write_csv("doc_topics.csv", doc_topics)
    for label, alignment in result.alignments.items():
        slug = label.replace(" vs ", "_vs_").replace("@", "-")
        folder.write_csv(f"alignments/{slug}_matrix.csv", alignment.matrix.reset_index())
        folder.write_csv(f"alignments/{slug}_pairs.csv", alignment.pairs)
    return topics, doc_topics


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
        units = data[level_key(fit.plan.model, fit.plan.level)].units
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
