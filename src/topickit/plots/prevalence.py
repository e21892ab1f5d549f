"""Figures of topic prevalence with bootstrap intervals, over time and by source.

Both functions draw the table made by :func:`topickit.prevalence.topic_prevalence`
(columns ``model, level, group, topic, share, lower, upper, n_units, n_articles``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from topickit.exceptions import TopickitError
from topickit.plots._style import (
    SMALL_FONT,
    category_colors,
    new_figure,
    require_columns,
    select_rows,
    shorten,
)

__all__ = ["plot_prevalence_by_source", "plot_prevalence_over_time"]

logger = logging.getLogger(__name__)

_COLUMNS = ("model", "level", "group", "topic", "share", "lower", "upper", "n_articles")
_FREQ_NAMES = {"D": "daily", "W": "weekly", "M": "monthly"}


def _rows(prev: pd.DataFrame, model: str, level: str) -> pd.DataFrame:
    require_columns(prev, _COLUMNS, table="prevalence")
    return select_rows(prev, table="prevalence", model=model, level=level)


def _topic_label(topic: int, labels: Mapping[int, str] | None, max_len: int) -> str:
    label = (labels or {}).get(int(topic))
    if isinstance(label, str) and label.strip():
        return f"T{topic} · {shorten(label, max_len)}"
    return f"Topic {topic}"


def _pick_topics(rows: pd.DataFrame, topics: Sequence[int] | None, top_n: int) -> list[int]:
    """The given topics (checked), else the ``top_n`` with the largest overall share."""
    present = sorted(int(t) for t in rows["topic"].unique())
    if topics is not None:
        chosen = [int(t) for t in topics]
        unknown = [t for t in chosen if t not in present]
        if unknown or not chosen:
            raise TopickitError(f"topics {unknown or chosen} not in the prevalence table {present}")
        return chosen
    if top_n < 1:
        raise TopickitError(f"top_n must be at least 1, got {top_n!r}")
    overall = _overall_share(rows).sort_values(ascending=False, kind="stable")
    return [int(t) for t in overall.index[:top_n]]


def _overall_share(rows: pd.DataFrame) -> pd.Series:
    """Each topic's share over all groups: the group shares weighted by their articles."""
    weighted = rows["share"] * rows["n_articles"]
    totals = rows.groupby("topic")["n_articles"].sum().replace(0, np.nan)
    return weighted.groupby(rows["topic"]).sum() / totals


def _ci_text(prev: pd.DataFrame) -> str:
    ci = prev.attrs.get("ci")
    n_boot = prev.attrs.get("n_boot")
    if ci is None or not n_boot:
        return "bootstrap interval"
    return f"{ci:.0%} bootstrap interval, {n_boot} resamples"


def plot_prevalence_over_time(
    prev: pd.DataFrame,
    *,
    model: str,
    level: str,
    topics: Sequence[int] | None = None,
    top_n: int = 8,
    labels: Mapping[int, str] | None = None,
    min_articles: int = 5,
    title: str | None = None,
) -> Figure:
    """Draw each topic's share per period as a line with a shaded interval band.

    A lower panel shows how many articles each period holds, since the interval width
    follows it. Periods with fewer than ``min_articles`` articles are hidden (their count
    is given in the lower panel's title), so a few stray early articles do not stretch
    the time axis or add wild points.

    Parameters
    ----------
    prev : pandas.DataFrame
        A table from ``topic_prevalence(..., by="date")``.
    model, level : str
        Which model and level to draw.
    topics : sequence of int, optional
        Topics to draw; default: the ``top_n`` with the largest share over all drawn
        periods (period shares weighted by their number of articles).
    top_n : int, default 8
        How many topics to draw when ``topics`` is not given.
    labels : mapping of int to str, optional
        Legend text per topic, e.g. its top terms (``{3: "trump, president, white_house"}``).
    min_articles : int, default 5
        Smallest number of articles a period needs to be drawn.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _rows(prev, model, level).copy()
    rows["_date"] = pd.to_datetime(rows["group"], format="%Y-%m-%d", errors="coerce")
    if rows["_date"].isna().any():
        raise TopickitError("prevalence table groups are not dates; make it with by='date'")
    enough = rows["n_articles"] >= min_articles
    chosen = _pick_topics(rows[enough] if enough.any() else rows, topics, top_n)
    counts = rows.drop_duplicates("group").set_index("_date")["n_articles"].sort_index()
    shown = counts[counts >= min_articles]
    hidden = counts[counts < min_articles]
    fig, axes = new_figure(12.0, 6.4, nrows=2, sharex=True, gridspec_kw={"height_ratios": [4, 1]})
    ax, ax_n = axes[0, 0], axes[1, 0]
    drawn = rows[rows["_date"].isin(shown.index) & rows["topic"].isin(chosen)]
    for topic, colour in zip(chosen, category_colors(len(chosen)), strict=True):
        series = drawn[drawn["topic"] == topic].sort_values("_date")
        ax.fill_between(
            series["_date"], series["lower"], series["upper"], color=colour, alpha=0.15, lw=0
        )
        ax.plot(
            series["_date"],
            series["share"],
            color=colour,
            marker="o",
            markersize=3.5,
            linewidth=1.8,
            label=_topic_label(topic, labels, 38),
        )
    if shown.empty:
        ax.text(
            0.5,
            0.5,
            f"no period has {min_articles} or more articles",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    else:
        width = 0.8 * _period_days(prev, shown.index)
        ax_n.bar(shown.index, shown.to_numpy(), width=width, color="0.55")
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
        ax_n.xaxis.set_major_locator(locator)
        ax_n.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        pad = pd.Timedelta(days=max(width, 1.0))
        ax_n.set_xlim(shown.index.min() - pad, shown.index.max() + pad)
    ax.set_ylim(bottom=0.0)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("mean topic share")
    ax.grid(axis="y", alpha=0.3)
    freq = _FREQ_NAMES.get(str(prev.attrs.get("freq")), "per period")
    ax.set_title(
        title
        or f"Topic prevalence over time: {model}, {level} level ({freq}; bands: {_ci_text(prev)})",
        fontsize=11,
    )
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=SMALL_FONT + 1,
        title=f"top {len(chosen)} topics by share" if topics is None else "topic",
        title_fontsize=9,
    )
    ax_n.set_ylabel("articles", fontsize=9)
    ax_n.tick_params(axis="y", labelsize=SMALL_FONT)
    ax_n.grid(axis="y", alpha=0.3)
    note = f"; {len(hidden)} period(s) with < {min_articles} articles hidden" if len(hidden) else ""
    ax_n.set_title(f"articles per period{note}", fontsize=9, loc="left")
    return fig


def _period_days(prev: pd.DataFrame, dates: pd.Index) -> float:
    freq = prev.attrs.get("freq")
    if freq in ("D", "W", "M"):
        return {"D": 1.0, "W": 7.0, "M": 30.0}[freq]
    gaps = np.diff(np.sort(dates.to_numpy())).astype("timedelta64[D]").astype(float)
    return float(gaps.min()) if len(gaps) else 1.0


def plot_prevalence_by_source(
    prev: pd.DataFrame,
    *,
    model: str,
    level: str,
    topics: Sequence[int] | None = None,
    top_n: int = 6,
    labels: Mapping[int, str] | None = None,
    ncols: int = 3,
    title: str | None = None,
) -> Figure:
    """Draw each source's topic share as a dot with its interval, one panel per topic.

    Sources are on the y axis, in the same order in every panel (alphabetical, with their
    number of articles); a dashed line marks the topic's share over all sources (the
    article-weighted mean of the group shares).

    Parameters
    ----------
    prev : pandas.DataFrame
        A table from ``topic_prevalence(..., by="source")``.
    model, level : str
        Which model and level to draw.
    topics : sequence of int, optional
        Topics to draw; default: the ``top_n`` with the largest share over all sources
        (source shares weighted by their number of articles).
    top_n : int, default 6
        How many topics to draw when ``topics`` is not given.
    labels : mapping of int to str, optional
        Panel titles per topic, e.g. its top terms.
    ncols : int, default 3
        Panels per row.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _rows(prev, model, level)
    chosen = _pick_topics(rows, topics, top_n)
    overall = _overall_share(rows)
    counts = rows.drop_duplicates("group").set_index("group")["n_articles"]
    sources = sorted(counts.index, key=lambda s: str(s).casefold(), reverse=True)
    position = {s: i for i, s in enumerate(sources)}
    ncols = max(1, min(int(ncols), len(chosen)))
    nrows = int(np.ceil(len(chosen) / ncols))
    label_chars = max(len(f"{s} ({counts[s]})") for s in sources)
    fig, axes = new_figure(
        2.0 + 0.07 * label_chars + 3.3 * ncols,
        1.2 + nrows * (0.9 + 0.28 * len(sources)),
        nrows=nrows,
        ncols=ncols,
        sharey=True,
    )
    colours = category_colors(len(chosen))
    for i, ax in enumerate(axes.ravel()):
        if i >= len(chosen):
            ax.set_visible(False)
            continue
        topic = chosen[i]
        part = rows[rows["topic"] == topic]
        y = part["group"].map(position).to_numpy(dtype=float)
        share = part["share"].to_numpy()
        err = np.vstack([share - part["lower"].to_numpy(), part["upper"].to_numpy() - share])
        ax.errorbar(
            share,
            y,
            xerr=np.nan_to_num(err),
            fmt="o",
            color=colours[i],
            ecolor=colours[i],
            elinewidth=2.0,
            capsize=0,
            markersize=5,
        )
        ax.axvline(overall[topic], color="0.4", linestyle="--", linewidth=1.0)
        ax.set_title(_topic_label(topic, labels, 30), fontsize=10, loc="left")
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlim(left=0.0)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=SMALL_FONT)
        if i % ncols == 0:
            ax.set_yticks(range(len(sources)), [f"{s} ({counts[s]})" for s in sources], fontsize=9)
        if i // ncols == nrows - 1 or i + ncols >= len(chosen):
            ax.set_xlabel("mean topic share", fontsize=9)
    for ax in axes.ravel():
        ax.set_ylim(-0.6, len(sources) - 0.4)
    fig.suptitle(
        title
        or f"Topic prevalence by source: {model}, {level} level "
        f"(dots: share; bars: {_ci_text(prev)}; dashed: all sources)",
        fontsize=11,
    )
    return fig
