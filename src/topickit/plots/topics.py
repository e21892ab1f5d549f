"""Top terms per topic as a grid of horizontal bar charts."""

from __future__ import annotations

import logging
import math

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from topickit.exceptions import TopickitError
from topickit.plots._style import (
    SMALL_FONT,
    category_colors,
    new_figure,
    pretty_term,
    require_columns,
    select_rows,
    shorten,
)

__all__ = ["plot_top_terms"]

logger = logging.getLogger(__name__)

_TOPIC_COLUMNS = ("model", "level", "topic", "rank", "term", "weight")


def _panel_title(topic: int, label: object) -> str:
    if isinstance(label, str) and label.strip():
        return f"Topic {topic}\n{shorten(label, 24)}"
    return f"Topic {topic}"


def plot_top_terms(
    topics: pd.DataFrame,
    *,
    model: str,
    level: str,
    n_terms: int = 10,
    ncols: int | None = None,
    title: str | None = None,
) -> Figure:
    """Draw the top terms of every topic of one model as horizontal bars.

    One panel per topic, the heaviest term at the top. Phrase tokens are shown with spaces
    (``"supreme_leader"`` -> ``"supreme leader"``) and long terms are cut with an ellipsis.

    Parameters
    ----------
    topics : pandas.DataFrame
        Tidy topics table with columns ``model, level, topic, rank, term, weight`` and an
        optional ``label`` column (a theme name for the topic).
    model, level : str
        Which model and segmentation level to draw.
    n_terms : int, default=10
        Number of terms per topic.
    ncols : int or None, default=None
        Panels per row; by default up to 5.
    title : str or None, default=None
        Figure title; by default names the model and level.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with one axes per topic.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"model": "nmf", "level": "article", "topic": 0,
    ...                       "rank": [1, 2], "term": ["gaza", "supreme_leader"],
    ...                       "weight": [0.3, 0.2]})
    >>> fig = plot_top_terms(table, model="nmf", level="article")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['gaza', 'supreme leader']
    """
    if isinstance(n_terms, bool) or not isinstance(n_terms, int) or n_terms < 1:
        raise TopickitError(f"n_terms must be a positive integer, got {n_terms!r}")
    if ncols is not None and (isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1):
        raise TopickitError(f"ncols must be a positive integer or None, got {ncols!r}")
    require_columns(topics, _TOPIC_COLUMNS, table="topics")
    rows = select_rows(topics, table="topics", model=model, level=level)
    topic_ids = sorted(int(t) for t in rows["topic"].unique())
    n_topics = len(topic_ids)
    ncols = min(ncols or 5, n_topics)
    nrows = math.ceil(n_topics / ncols)
    shown = min(n_terms, int(rows.groupby("topic").size().max()))

    fig, axes = new_figure(
        width=3.3 * ncols + 0.4, height=nrows * (0.24 * shown + 1.0) + 0.6, nrows=nrows, ncols=ncols
    )
    colours = category_colors(n_topics)
    has_labels = "label" in rows.columns
    for index, topic in enumerate(topic_ids):
        ax = axes.flat[index]
        terms = rows[rows["topic"] == topic].sort_values(
            ["weight", "rank"], ascending=[False, True], kind="stable"
        )
        terms = terms.head(n_terms)
        positions = list(range(len(terms)))
        ax.barh(positions, terms["weight"].to_numpy(dtype=float), color=colours[index])
        ax.set_yticks(positions, [pretty_term(t) for t in terms["term"]], fontsize=9)
        ax.set_ylim(shown - 0.5, -0.5)  # heaviest term on top; same bar height in every panel
        label = (
            terms["label"].dropna().iloc[0] if has_labels and terms["label"].notna().any() else None
        )
        ax.set_title(_panel_title(topic, label), fontsize=10)
        ax.set_xlabel("weight", fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.tick_params(axis="x", labelsize=SMALL_FONT)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes.flat[n_topics:]:
        fig.delaxes(ax)
    fig.suptitle(title or f"Top {n_terms} terms per topic: {model} ({level} level)", fontsize=13)
    logger.debug("plotted top terms for %d topics of %s/%s", n_topics, model, level)
    return fig
