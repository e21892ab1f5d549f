"""The figures of a run, drawn with :mod:`topickit.plots` and saved as PNG."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfTransformer

from topickit import plots
from topickit.experiment.config import ExperimentConfig

__all__ = ["write_figures"]

logger = logging.getLogger(__name__)


def _save(fig, folder, name: str, written: dict[str, str], caption: str) -> None:
    if fig is None:
        return
    path = folder.file(f"figures/{name}.png")
    plots.save_figure(fig, path)
    written[f"figures/{name}.png"] = caption


def write_figures(
    folder, config: ExperimentConfig, result, topics: pd.DataFrame, doc_topics: pd.DataFrame
) -> dict[str, str]:
    """Draw and save every figure the config asks for.

    Parameters
    ----------
    folder : RunFolder
    config : ExperimentConfig
    result : RunResult
    topics, doc_topics : pandas.DataFrame
        The run's ``topics.csv`` and ``doc_topics.csv`` tables.

    Returns
    -------
    dict of str to str
        Relative PNG path to a one-line caption, in drawing order.
    """
    written: dict[str, str] = {}
    if config.outputs.figures == "none":
        return written
    articles = result.articles
    n_terms = config.outputs.top_terms
    for level in config.levels:
        level_metrics = result.metrics[result.metrics.level == level]
        if level_metrics["k"].nunique() > 1:
            rec = {r.model: int(r.k) for r in result.recommended.itertuples() if r.level == level}
            fig = plots.plot_metric_vs_k(level_metrics, level=level, recommended=rec)
            _save(
                fig,
                folder,
                f"metrics_vs_k_{level}",
                written,
                f"Metrics against K at the {level} level (mean ± s.d. over seeds)",
            )
    for (name, level), fit in sorted(result.final.items()):
        is_best = result.best.get(level) == name
        if config.outputs.figures == "best" and not is_best:
            continue
        fig = plots.plot_top_terms(topics, model=name, level=level, n_terms=n_terms)
        _save(
            fig,
            folder,
            f"top_terms_{name}_{level}",
            written,
            f"Top terms of {name} at the {level} level (K={fit.plan.k})",
        )
        fig = plots.plot_doc_topic_heatmap(doc_topics, model=name, level=level, articles=articles)
        _save(
            fig,
            folder,
            f"doc_topics_{name}_{level}",
            written,
            f"Unit × topic weights of {name} at the {level} level",
        )
    for level, name in sorted(result.best.items()):
        fig = plots.plot_prevalence_by_article(
            doc_topics, model=name, level=level, articles=articles
        )
        _save(
            fig,
            folder,
            f"prevalence_by_article_{name}_{level}",
            written,
            f"Topic share per article, {name} at the {level} level",
        )
        fig = plots.plot_prevalence_by_date(doc_topics, articles, model=name, level=level)
        _save(
            fig,
            folder,
            f"prevalence_by_date_{name}_{level}",
            written,
            f"Topic share by publication date, {name} at the {level} level",
        )
        fit = result.final[(name, level)]
        if len(fit.doc_topic) >= 3:
            counts = result.data[level].tokens.counts
            vectors = TfidfTransformer(sublinear_tf=True).fit_transform(counts).toarray()
            labels = np.argmax(fit.doc_topic, axis=1)
            fig = plots.plot_unit_map(
                vectors,
                labels,
                method=config.outputs.unit_map,
                title=f"Units at the {level} level (TF-IDF, {config.outputs.unit_map.upper()}), "
                f"coloured by {name} topic",
                random_state=config.seed,
            )
            _save(
                fig,
                folder,
                f"unit_map_{name}_{level}",
                written,
                f"2-D map of {level} units coloured by their top {name} topic",
            )
    for label, alignment in result.alignments.items():
        a, b = label.split(" vs ")
        fig = plots.plot_alignment_heatmap(
            alignment.matrix,
            pairs=alignment.pairs,
            title=f"Topic alignment: {a} vs {b}",
            ylabel=f"{a} topic",
            xlabel=f"{b} topic",
        )
        slug = label.replace(" vs ", "_vs_").replace("@", "-")
        _save(fig, folder, f"alignment_{slug}", written, f"Topic alignment {label}")
    return written


def figure_links(written: dict[str, str]) -> list[str]:
    """Markdown list lines linking each figure with its caption."""
    return [f"- [{caption}]({Path(path).as_posix()})" for path, caption in written.items()]
