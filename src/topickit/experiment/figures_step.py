"""Step 8 of a run: plan every figure, draw it with :mod:`topickit.plots`, save it as PNG.

Topic figures, prevalence figures (from :mod:`~topickit.experiment.prevalence_step`'s table)
and theme figures (from the run's :class:`~topickit.themes.analysis.ThemeAnalysis`) are
drawn on ``config.n_jobs`` processes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfTransformer

from topickit import plots
from topickit._workers import run_jobs
from topickit.experiment.config import ExperimentConfig
from topickit.experiment.prevalence_step import (
    MIN_ARTICLES_PER_PERIOD,
    Prevalence,
    plots_over_time,
)
from topickit.experiment.progress import progress as progress_over
from topickit.themes.analysis import ThemeAnalysis, theme_share_frame

__all__ = ["figure_links", "write_figures"]

logger = logging.getLogger(__name__)

#: A 2-D map of fewer units than this shows nothing a table would not.
MIN_UNITS_FOR_MAP = 20


#: How a topic-to-theme mapping was made, in words, for figure titles.
_MAPPING_WORDS = {
    "seed_terms": "by the codebook's seed terms",
    "annotations": "by the annotated paragraphs",
    "both": "by seed terms and annotated paragraphs",
}


def _dated_words(articles: pd.DataFrame) -> str:
    """``"4 dated articles on 4 dates"``: what a by-date figure of the corpus is drawn from."""
    dates = pd.to_datetime(articles["date"], errors="coerce").dropna()
    n_days = dates.dt.normalize().nunique()
    return f"{len(dates):,} dated articles on {n_days:,} dates, no intervals"


@dataclass(frozen=True)
class _FigureJob:
    name: str
    caption: str
    draw: Callable[..., Any]
    kwargs: dict


def _render(index: int, *, jobs: list[_FigureJob], folder) -> tuple[str, str] | None:
    job = jobs[index]
    fig = job.draw(**job.kwargs)
    if fig is None:
        return None
    relative = f"figures/{job.name}.png"
    plots.save_figure(fig, folder.file(relative))
    return relative, job.caption


def _plan_figures(
    config: ExperimentConfig, result, topics: pd.DataFrame, doc_topics: pd.DataFrame
) -> list[_FigureJob]:
    jobs: list[_FigureJob] = []
    articles = result.articles
    for level in config.levels:
        level_metrics = result.metrics[result.metrics.level == level]
        if level_metrics["k"].nunique() > 1:
            rec = {r.model: int(r.k) for r in result.recommended.itertuples() if r.level == level}
            jobs.append(
                _FigureJob(
                    f"metrics_vs_k_{level}",
                    f"Metrics against K at the {level} level (mean ± s.d. over seeds)",
                    plots.plot_metric_vs_k,
                    {"metrics": level_metrics, "level": level, "recommended": rec},
                )
            )
    for (name, level), fit in sorted(result.final.items()):
        if config.outputs.figures == "best" and result.best.get(level) != name:
            continue
        jobs.append(
            _FigureJob(
                f"top_terms_{name}_{level}",
                f"Top terms of {name} at the {level} level (K={fit.plan.k})",
                plots.plot_top_terms,
                {
                    "topics": topics,
                    "model": name,
                    "level": level,
                    "n_terms": config.outputs.top_terms,
                },
            )
        )
        jobs.append(
            _FigureJob(
                f"doc_topics_{name}_{level}",
                f"Unit × topic weights of {name} at the {level} level",
                plots.plot_doc_topic_heatmap,
                {"doc_topics": doc_topics, "model": name, "level": level, "articles": articles},
            )
        )
    for level, name in sorted(result.best.items()):
        common = {"doc_topics": doc_topics, "model": name, "level": level}
        jobs.append(
            _FigureJob(
                f"prevalence_by_article_{name}_{level}",
                f"Topic share per article, {name} at the {level} level",
                plots.plot_prevalence_by_article,
                {**common, "articles": articles},
            )
        )
        jobs.append(
            _FigureJob(
                f"prevalence_by_date_{name}_{level}",
                f"Topic share by publication date, {name} at the {level} level "
                f"({_dated_words(articles)})",
                plots.plot_prevalence_by_date,
                {**common, "articles": articles},
            )
        )
        fit = result.final[(name, level)]
        if len(fit.doc_topic) >= MIN_UNITS_FOR_MAP:
            counts = result.data[level].tokens.counts
            vectors = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
            method = config.outputs.unit_map
            jobs.append(
                _FigureJob(
                    f"unit_map_{name}_{level}",
                    f"2-D map of {level} units coloured by their top {name} topic",
                    plots.plot_unit_map,
                    {
                        "vectors": vectors,
                        "labels": np.argmax(fit.doc_topic, axis=1),
                        "method": method,
                        "title": f"Units at the {level} level (TF-IDF, {method.upper()}), "
                        f"coloured by {name} topic",
                        "random_state": config.seed,
                    },
                )
            )
    for label, alignment in result.alignments.items():
        a, b = label.split(" vs ")
        slug = label.replace(" vs ", "_vs_").replace("@", "-")
        jobs.append(
            _FigureJob(
                f"alignment_{slug}",
                f"Topic alignment {label}",
                plots.plot_alignment_heatmap,
                {
                    "matrix": alignment.matrix,
                    "pairs": alignment.pairs,
                    "title": f"Topic alignment: {a} vs {b}",
                    "ylabel": f"{a} topic",
                    "xlabel": f"{b} topic",
                },
            )
        )
    return jobs


def _top_term_labels(topics: pd.DataFrame, model: str, level: str) -> dict[int, str]:
    rows = topics[(topics.model == model) & (topics.level == level) & (topics["rank"] <= 3)]
    return {
        int(t): ", ".join(g.sort_values("rank").term.str.replace("_", " "))
        for t, g in rows.groupby("topic")
    }


#: The bootstrap intervals of ``prevalence.csv`` (prevalence_step uses topic_prevalence's
#: default, ci=0.95).
_INTERVALS = "95% intervals"


def _rows(table: pd.DataFrame, by: str, model: str, level: str) -> pd.DataFrame:
    """The prevalence rows of one view (``"date"`` or ``"source"``) of one model and level."""
    return table[(table.by == by) & (table.model == model) & (table.level == level)]


def _plan_prevalence(result, topics: pd.DataFrame, prevalence: Prevalence) -> list[_FigureJob]:
    table = prevalence.table
    jobs: list[_FigureJob] = []
    for level, model in sorted(result.best.items()):
        labels = _top_term_labels(topics, model, level)
        dated = _rows(table, "date", model, level)
        if plots_over_time(dated):
            jobs.append(
                _FigureJob(
                    f"prevalence_over_time_{model}_{level}",
                    f"Topic share over time with {_INTERVALS}, {model} ({level})",
                    plots.plot_prevalence_over_time,
                    {
                        "prev": dated,
                        "model": model,
                        "level": level,
                        "labels": labels,
                        "min_articles": MIN_ARTICLES_PER_PERIOD,
                    },
                )
            )
        sourced = _rows(table, "source", model, level)
        if len(sourced):
            jobs.append(
                _FigureJob(
                    f"prevalence_by_source_{model}_{level}",
                    f"Topic share by source with {_INTERVALS}, {model} ({level})",
                    plots.plot_prevalence_by_source,
                    {"prev": sourced, "model": model, "level": level, "labels": labels},
                )
            )
    return jobs


def _plan_themes(analysis: ThemeAnalysis, result) -> list[_FigureJob]:
    units = result.data[analysis.level].units
    names = dict(enumerate(analysis.codebook.names))
    frame = theme_share_frame(analysis, units)
    level = analysis.level
    chosen = analysis.chosen
    jobs = [
        _FigureJob(
            "theme_prevalence_by_article",
            f"Theme share per article ({chosen} classifier, {level} level)",
            plots.plot_prevalence_by_article,
            {
                "doc_topics": frame,
                "model": "themes",
                "level": level,
                "articles": result.articles,
                "labels": names,
                "value_label": "theme share",
                "title": f"Theme share per article ({chosen} classifier, {level} level)",
            },
        ),
        _FigureJob(
            "theme_prevalence_by_date",
            f"Theme share by publication date ({chosen} classifier; "
            f"{_dated_words(result.articles)})",
            plots.plot_prevalence_by_date,
            {
                "doc_topics": frame,
                "articles": result.articles,
                "model": "themes",
                "level": level,
                "labels": names,
                "value_label": "theme share",
                "title": f"Theme share by publication date ({chosen} classifier, {level} level)",
            },
        ),
    ]
    if analysis.cv is not None:
        jobs.append(
            _FigureJob(
                "theme_confusion",
                f"Primary-theme confusion matrix, {chosen} classifier (leave-one-article-out)",
                plots.plot_confusion_matrix,
                {
                    "matrix": analysis.cv.confusion,
                    "title": f"Primary theme, {chosen} classifier\n"
                    "(leave-one-article-out predictions vs annotations)",
                },
            )
        )
    for level_name, model in sorted(result.best.items()):
        mapping = analysis.mappings.get((model, level_name))
        if mapping is None:
            continue
        matrix = mapping.matrix.copy()
        matrix.index = [f"topic {t}" for t in matrix.index]
        jobs.append(
            _FigureJob(
                f"topic_themes_{model}_{level_name}",
                f"Topic-to-theme alignment of {model} at the {level_name} level",
                plots.plot_alignment_heatmap,
                {
                    "matrix": matrix,
                    "title": f"Topics of {model} ({level_name}) vs themes, "
                    f"{_MAPPING_WORDS.get(mapping.method, mapping.method)}",
                    "ylabel": f"{model} topic",
                    "xlabel": "theme",
                    "colorbar_label": "share of theme evidence",
                },
            )
        )
    return jobs


def write_figures(
    folder,
    config: ExperimentConfig,
    result,
    topics: pd.DataFrame,
    doc_topics: pd.DataFrame,
    prevalence: Prevalence | None = None,
    *,
    progress: bool = False,
) -> dict[str, str]:
    """Draw and save every figure the config asks for, on ``config.n_jobs`` processes.

    Parameters
    ----------
    folder : RunFolder
    config : ExperimentConfig
    result : RunResult
    topics, doc_topics : pandas.DataFrame
        The run's ``topics.csv`` and ``doc_topics.csv`` tables.
    prevalence : Prevalence, optional
        The run's ``prevalence.csv`` table, for the share-over-time and by-source figures.
    progress : bool, default=False
        Show a bar on stderr that counts the figures as they are written.

    Returns
    -------
    dict of str to str
        Relative PNG path to a one-line caption, in drawing order.
    """
    if config.outputs.figures == "none":
        return {}
    jobs = _plan_figures(config, result, topics, doc_topics)
    if prevalence is not None:
        jobs += _plan_prevalence(result, topics, prevalence)
    if result.themes is not None:
        jobs += _plan_themes(result.themes, result)
    rendered = progress_over(
        run_jobs(
            partial(_render, jobs=jobs, folder=folder), range(len(jobs)), n_jobs=config.n_jobs
        ),
        "writing figures",
        enabled=progress,
        total=len(jobs),
        unit="figure",
    )
    return dict(item for item in rendered if item is not None)


def figure_links(written: dict[str, str]) -> list[str]:
    """Markdown list lines linking each figure with its caption."""
    return [f"- [{caption}]({Path(path).as_posix()})" for path, caption in written.items()]
