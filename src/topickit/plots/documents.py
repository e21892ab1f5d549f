"""Document-level views of a topic model: doc x topic heatmap and topic prevalence."""

from __future__ import annotations

import logging
import math

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from topickit.exceptions import TopickitError
from topickit.plots._style import (
    MAX_ROW_LABELS,
    SMALL_FONT,
    article_titles,
    category_colors,
    doc_label,
    figure_and_axes,
    require_columns,
    select_rows,
    topic_columns,
    topic_number,
    unit_position,
)

__all__ = ["plot_doc_topic_heatmap", "plot_prevalence_by_article", "plot_prevalence_by_date"]

logger = logging.getLogger(__name__)

_ID_COLUMNS = ("unit_id", "doc_id", "level", "model")


def _doc_topic_rows(doc_topics: pd.DataFrame, model: str, level: str) -> pd.DataFrame:
    """Rows of one model and level, sorted by document and paragraph position."""
    require_columns(doc_topics, _ID_COLUMNS, table="doc_topics")
    rows = select_rows(doc_topics, table="doc_topics", model=model, level=level).copy()
    rows["_position"] = [unit_position(u) for u in rows["unit_id"]]
    rows["_doc"] = rows["doc_id"].astype(str)
    return rows.sort_values(["_doc", "_position"], kind="stable")


def _doc_shares(doc_topics: pd.DataFrame, model: str, level: str) -> pd.DataFrame:
    """Topic share per document: unit weights averaged per doc, rows normalised to sum 1."""
    rows = _doc_topic_rows(doc_topics, model, level)
    columns = topic_columns(rows)
    means = rows.groupby("_doc", sort=True)[columns].mean()
    totals = means.sum(axis=1).replace(0.0, np.nan)
    return means.div(totals, axis=0).fillna(0.0)


def _legend_outside(ax: Axes, n_entries: int, title: str = "topic") -> None:
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=SMALL_FONT + 1,
        frameon=False,
        ncols=1 if n_entries <= 20 else 2,
        title=title,
        title_fontsize=9,
    )


def _series_label(column: str, labels: dict[int, str] | None) -> str:
    number = topic_number(column)
    if labels and number in labels:
        return str(labels[number])
    return f"Topic {number}"


def plot_doc_topic_heatmap(
    doc_topics: pd.DataFrame,
    *,
    model: str,
    level: str,
    articles: pd.DataFrame | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw a unit x topic heatmap of topic weights.

    At the article level there is one row per article, labelled by doc id and short title.
    At other levels (paragraphs) rows are grouped by article (sorted by doc id, then by the
    position in a unit id such as ``"002:p3"``), separated by white lines and labelled by
    article on the right. Past 60 rows the per-row labels are hidden; group labels stay.

    Parameters
    ----------
    doc_topics : pandas.DataFrame
        Columns ``unit_id, doc_id, level, model, topic_0 … topic_{k-1}``.
    model, level : str
        Which model and segmentation level to draw.
    articles : pandas.DataFrame or None, default=None
        Optional articles table (``doc_id, title``) used for row and group labels.
    title : str or None, default=None
        Axes title; by default names the model and level.
    ax : matplotlib.axes.Axes or None, default=None
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _doc_topic_rows(doc_topics, model, level)
    columns = topic_columns(rows)
    values = rows[columns].to_numpy(dtype=float)
    n_rows, n_topics = values.shape
    titles = article_titles(articles, max_len=28)
    grouped = level != "article" and rows["_doc"].nunique() < n_rows
    label_chars = max((len(doc_label(d, titles)) for d in rows["_doc"].unique()), default=4)

    show_rows = n_rows <= MAX_ROW_LABELS
    fig, ax = figure_and_axes(
        ax,
        width=3.0 + 0.5 * n_topics + 0.075 * label_chars,
        height=1.8 + (0.22 if show_rows else 0.045) * n_rows,
    )
    vmax = max(1e-12, float(np.nanmax(values))) if values.size else 1.0
    image = ax.imshow(
        values, aspect="auto", cmap="viridis", vmin=0.0, vmax=vmax, interpolation="nearest"
    )
    ax.set_xticks(range(n_topics), [str(topic_number(c)) for c in columns], fontsize=9)
    ax.set_xlabel("topic")
    if grouped:
        docs = rows["_doc"].to_numpy()
        starts = [0, *[i for i in range(1, n_rows) if docs[i] != docs[i - 1]]]
        ends = [*starts[1:], n_rows]
        for start in starts[1:]:
            ax.axhline(start - 0.5, color="white", linewidth=1.5)
        if show_rows:
            labels = [
                f"p{p}" if p >= 0 else str(u)
                for p, u in zip(rows["_position"], rows["unit_id"], strict=True)
            ]
            ax.set_yticks(range(n_rows), labels, fontsize=SMALL_FONT)
        else:
            ax.set_yticks([])
        centres = [(s + e - 1) / 2 for s, e in zip(starts, ends, strict=True)]
        # about 5 group labels per inch of height keep 9 pt labels apart
        step = max(1, math.ceil(len(starts) / (fig.get_size_inches()[1] * 5)))
        groups = ax.secondary_yaxis("right")
        groups.set_yticks(
            centres[::step], [doc_label(docs[s], titles) for s in starts[::step]], fontsize=9
        )
        groups.tick_params(length=0)
        ax.set_ylabel("paragraph (grouped by article)" if show_rows else "paragraphs by article")
    else:
        if show_rows:
            labels = [doc_label(d, titles) for d in rows["_doc"]]
            ax.set_yticks(range(n_rows), labels, fontsize=SMALL_FONT if n_rows > 25 else 9)
        else:
            ax.set_yticks([])
        ax.set_ylabel("article" if level == "article" else level)
    colorbar = fig.colorbar(
        image, ax=ax, pad=0.02, fraction=0.05, shrink=1.0 if n_rows <= 30 else 0.5
    )
    colorbar.set_label("topic weight")
    ax.set_title(title or f"Document-topic weights\n{model}, {level} level, {n_rows} rows")
    return fig


def plot_prevalence_by_article(
    doc_topics: pd.DataFrame,
    *,
    model: str,
    level: str,
    articles: pd.DataFrame | None = None,
    title: str | None = None,
    labels: dict[int, str] | None = None,
    value_label: str = "topic share",
    ax: Axes | None = None,
) -> Figure:
    """Draw each article's topic mix as one stacked horizontal bar.

    Unit (paragraph) weights are averaged per article and normalised to shares summing to 1.

    Parameters
    ----------
    doc_topics : pandas.DataFrame
        Columns ``unit_id, doc_id, level, model, topic_0 … topic_{k-1}``.
    model, level : str
        Which model and segmentation level to use.
    articles : pandas.DataFrame or None, default=None
        Optional articles table (``doc_id, title``) for the bar labels.
    title : str or None, default=None
        Axes title.
    labels : dict of int to str, optional
        Legend names of the series by topic number (e.g. theme names); default "Topic k".
    value_label : str, default="topic share"
        Axis label of the shares.
    ax : matplotlib.axes.Axes or None, default=None
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    shares = _doc_shares(doc_topics, model, level)
    titles = article_titles(articles)
    n_docs, n_topics = shares.shape
    fig, ax = figure_and_axes(ax, width=9.0, height=1.8 + 0.32 * n_docs)
    positions = np.arange(n_docs)
    left = np.zeros(n_docs)
    for column, colour in zip(shares.columns, category_colors(n_topics), strict=True):
        widths = shares[column].to_numpy()
        ax.barh(
            positions,
            widths,
            left=left,
            color=colour,
            label=_series_label(column, labels),
            height=0.8,
        )
        left += widths
    if n_docs <= MAX_ROW_LABELS:
        ax.set_yticks(positions, [doc_label(d, titles) for d in shares.index], fontsize=9)
    else:
        ax.set_yticks([])
    ax.set_ylim(n_docs - 0.5, -0.5)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel(value_label)
    ax.set_ylabel("article")
    ax.set_title(title or f"Topic share per article: {model} ({level} level)")
    _legend_outside(ax, n_topics, value_label.removesuffix(" share"))
    return fig


def plot_prevalence_by_date(
    doc_topics: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    model: str,
    level: str,
    freq: str = "D",
    title: str | None = None,
    labels: dict[int, str] | None = None,
    value_label: str = "topic share",
    ax: Axes | None = None,
) -> Figure | None:
    """Draw the mean topic share of the articles published in each period.

    Articles without a date are left out. Each period's value is the unweighted mean of its
    articles' topic shares; only periods that have articles are drawn (lines with markers),
    so gaps are not filled with invented values.

    Parameters
    ----------
    doc_topics : pandas.DataFrame
        Columns ``unit_id, doc_id, level, model, topic_0 … topic_{k-1}``.
    articles : pandas.DataFrame
        Columns ``doc_id, date`` (datetime64, dates or strings; missing values allowed).
    model, level : str
        Which model and segmentation level to use.
    freq : str, default="D"
        Pandas period alias to bin dates by (``"D"``, ``"W"``, ``"M"`` …).
    title : str or None, default=None
        Axes title.
    labels : dict of int to str, optional
        Legend names of the series by topic number (e.g. theme names); default "Topic k".
    value_label : str, default="topic share"
        Axis label of the shares.
    ax : matplotlib.axes.Axes or None, default=None
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure or None
        None when fewer than two distinct periods are known: a time axis with a single point
        says nothing, so callers should skip the figure.
    """
    require_columns(articles, ["doc_id", "date"], table="articles")
    shares = _doc_shares(doc_topics, model, level)
    dates = pd.Series(
        pd.to_datetime(articles["date"], errors="coerce").to_numpy(),
        index=articles["doc_id"].astype(str).to_numpy(),
    )
    dates = dates[~dates.index.duplicated()].reindex(shares.index).dropna()
    try:
        periods = dates.dt.to_period(freq).dt.start_time
    except (ValueError, TypeError) as error:
        raise TopickitError(f"freq {freq!r} is not a pandas period alias: {error}") from error
    if periods.nunique() < 2:
        logger.info(
            "prevalence by date skipped for %s/%s: %d distinct dated period(s)",
            model,
            level,
            periods.nunique(),
        )
        return None
    by_period = shares.loc[periods.index].groupby(periods.to_numpy()).mean().sort_index()
    counts = periods.value_counts().sort_index()
    n_topics = by_period.shape[1]
    fig, ax = figure_and_axes(ax, width=10.0, height=4.8)
    for column, colour in zip(by_period.columns, category_colors(n_topics), strict=True):
        ax.plot(
            by_period.index,
            by_period[column],
            marker="o",
            linestyle="none",  # no lines: a mean of one or a few articles is not a trend
            color=colour,
            markersize=6,
            label=_series_label(column, labels),
        )
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(by_period) == 2 or (by_period.index.max() - by_period.index.min()).days < 3:
        pad = pd.Timedelta(days=1)
        ax.set_xlim(by_period.index.min() - pad, by_period.index.max() + pad)
    ax.set_ylim(bottom=0.0)
    ax.set_xlabel("date")
    ax.set_ylabel(f"mean {value_label}")
    n_articles = int(counts.sum())
    ax.set_title(
        title
        or f"Topic share over time: {model} ({level} level, {n_articles} dated articles, "
        f"{len(by_period)} periods)"
    )
    ax.grid(axis="y", alpha=0.3)
    _legend_outside(ax, n_topics, value_label.removesuffix(" share"))
    return fig
