"""Step 6 of a run: topic share over time and by source, with bootstrap intervals.

Shares are computed with :func:`topickit.prevalence.topic_prevalence` for the best model of
each level; the figures are planned in :mod:`~topickit.experiment.figures_step` and the
summary paragraph is written in :mod:`~topickit.experiment.summary_step`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from topickit.experiment.config import ExperimentConfig
from topickit.experiment.progress import progress_bar
from topickit.prevalence import outlet_name, topic_prevalence

__all__ = ["MIN_ARTICLES_PER_PERIOD", "Prevalence", "compute_prevalence", "plots_over_time"]

#: A period with fewer articles than this does not count towards a time plot.
MIN_ARTICLES_PER_PERIOD = 5


@dataclass(frozen=True)
class Prevalence:
    """The ``prevalence.csv`` table of a run and whether it has a by-source view.

    Attributes
    ----------
    table : pandas.DataFrame
        Rows ``by`` (``"date"`` or ``"source"``), then :func:`topic_prevalence`'s columns.
    has_sources : bool
        Whether the corpus's source column has at least two values that repeat.
    """

    table: pd.DataFrame
    has_sources: bool


def plots_over_time(dated: pd.DataFrame) -> bool:
    """Whether a model's by-date rows hold two periods of enough articles to plot."""
    periods = dated.drop_duplicates("group")
    return bool((periods.n_articles >= MIN_ARTICLES_PER_PERIOD).sum() >= 2)


def compute_prevalence(
    config: ExperimentConfig, result, doc_topics: pd.DataFrame, *, progress: bool = False
) -> Prevalence | None:
    """Topic shares of the best model of each level by period and by source.

    By ``prevalence_freq`` period where articles are dated, and by the corpus's
    ``source_column`` when it names a column with at least two values that repeat.
    Paragraph weights are rolled up to their articles first; intervals are percentile
    bootstraps over articles. With ``progress``, a bar on stderr counts the views
    (by date, by source) as their bootstraps finish.

    Returns
    -------
    Prevalence or None
        None when there is no best model, no two dated articles and no source view.
    """
    options = config.outputs
    articles = result.articles
    source_column = config.corpus.source_column
    frames = []
    best_rows = doc_topics.merge(
        pd.DataFrame(list(result.best.items()), columns=["level", "model"]),
        on=["level", "model"],
    )
    if best_rows.empty:
        return None
    outlets = (
        articles[source_column].map(outlet_name)
        if source_column is not None and source_column in articles.columns
        else None
    )
    has_sources = outlets is not None and 2 <= outlets.nunique() < len(articles)
    views: list[tuple[str, dict]] = []
    if int(articles["date"].notna().sum()) >= 2:
        views.append(("date", {"freq": options.prevalence_freq}))
    if has_sources:
        views.append(("source", {"column": source_column}))
    with progress_bar(
        "bootstrapping prevalence", enabled=progress, total=len(views), unit="view"
    ) as bar:
        for by, how in views:
            table = topic_prevalence(
                best_rows,
                articles,
                by=by,
                n_boot=options.prevalence_boot,
                random_state=config.seed,
                **how,
            )
            table.insert(0, "by", by)
            frames.append(table)
            bar.update()
    if not frames:
        return None
    return Prevalence(pd.concat(frames, ignore_index=True), has_sources)
