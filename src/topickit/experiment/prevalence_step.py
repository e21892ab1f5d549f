"""Topic share over time and by source, with bootstrap intervals, for a run's best models."""

from __future__ import annotations

import pandas as pd

from topickit.experiment.config import ExperimentConfig
from topickit.plots.prevalence import plot_prevalence_by_source, plot_prevalence_over_time
from topickit.prevalence import outlet_name, topic_prevalence

__all__ = ["write_prevalence"]

MIN_ARTICLES_PER_PERIOD = 5


def _labels(topics: pd.DataFrame, model: str, level: str) -> dict[int, str]:
    rows = topics[(topics.model == model) & (topics.level == level) & (topics["rank"] <= 3)]
    return {
        int(t): ", ".join(g.sort_values("rank").term.str.replace("_", " "))
        for t, g in rows.groupby("topic")
    }


def write_prevalence(
    folder, config: ExperimentConfig, result, topics: pd.DataFrame, doc_topics: pd.DataFrame
) -> tuple[list[tuple], str]:
    """Write ``prevalence.csv`` and return figure jobs and a summary paragraph.

    Shares are computed for the best model of each level: by ``prevalence_freq`` period
    where articles are dated, and by the corpus's ``source_column`` when it names a column
    with at least two values that repeat. Paragraph weights are rolled up to their
    articles first; intervals are percentile bootstraps over articles.
    """
    options = config.outputs
    articles = result.articles
    source_column = config.corpus.source_column
    frames, jobs, notes = [], [], []
    best_rows = doc_topics.merge(
        pd.DataFrame(list(result.best.items()), columns=["level", "model"]),
        on=["level", "model"],
    )
    if best_rows.empty:
        return [], ""
    n_dated = int(articles["date"].notna().sum())
    if n_dated >= 2:
        by_date = topic_prevalence(
            best_rows,
            articles,
            by="date",
            freq=options.prevalence_freq,
            n_boot=options.prevalence_boot,
            random_state=config.seed,
        )
        by_date.insert(0, "by", "date")
        frames.append(by_date)
    outlets = (
        articles[source_column].map(outlet_name)
        if source_column is not None and source_column in articles.columns
        else None
    )
    has_sources = outlets is not None and 2 <= outlets.nunique() < len(articles)
    if has_sources:
        by_source = topic_prevalence(
            best_rows,
            articles,
            by="source",
            column=source_column,
            n_boot=options.prevalence_boot,
            random_state=config.seed,
        )
        by_source.insert(0, "by", "source")
        frames.append(by_source)
    if not frames:
        return [], ""
    table = pd.concat(frames, ignore_index=True)
    folder.write_csv("prevalence.csv", table)
    for level, model in sorted(result.best.items()):
        labels = _labels(topics, model, level)
        dated = table[(table.by == "date") & (table.model == model) & (table.level == level)]
        periods = dated.drop_duplicates("group")
        if (periods.n_articles >= MIN_ARTICLES_PER_PERIOD).sum() >= 2:
            jobs.append(
                (
                    f"prevalence_over_time_{model}_{level}",
                    f"Topic share over time with {100 * 0.95:.0f}% intervals, {model} ({level})",
                    plot_prevalence_over_time,
                    {"prev": dated, "model": model, "level": level, "labels": labels},
                )
            )
        elif len(periods):
            notes.append(
                f"{model} ({level}): fewer than two periods hold "
                f"{MIN_ARTICLES_PER_PERIOD} or more articles, so no time plot."
            )
        sourced = table[(table.by == "source") & (table.model == model) & (table.level == level)]
        if len(sourced):
            jobs.append(
                (
                    f"prevalence_by_source_{model}_{level}",
                    f"Topic share by source with 95% intervals, {model} ({level})",
                    plot_prevalence_by_source,
                    {"prev": sourced, "model": model, "level": level, "labels": labels},
                )
            )
    text = [
        "## Topic share over time and by source",
        "",
        f"`prevalence.csv` holds the best models' topic shares per "
        f"{ {'D': 'day', 'W': 'week', 'M': 'month'}[options.prevalence_freq] }"
        + (f" and per `{source_column}`" if has_sources else "")
        + f", each with a 95% percentile bootstrap interval over articles "
        f"({options.prevalence_boot} resamples); paragraph weights are averaged per "
        "article first.",
    ]
    if not has_sources:
        text[-1] += (
            " No source column is set (`[corpus] source_column`), so there is no by-source view."
        )
    text += ["", *[f"- {n}" for n in notes]]
    return jobs, "\n".join(text).rstrip()
