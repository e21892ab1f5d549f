"""Topic prevalence over time and by source, with percentile bootstrap intervals.

The prevalence of a topic in a group of articles (a week, a month, an outlet) is the mean
topic weight of the group's articles. Uncertainty comes from resampling the group's
articles with replacement (``n_boot`` times) and taking percentiles of the resampled means.

Units below the article (paragraphs, sentences) are first rolled up to their article: an
article's weights are the mean of its units' weights, or their mean weighted by
``unit_weights`` (e.g. token counts, so a one-line paragraph counts less than a long one).
The bootstrap then resamples articles, because units of one article are not independent.
At the article level the roll-up changes nothing.

Read shares over time with the sources in mind: when the mix of outlets changes from one
period to the next (in NewsArticles, December and January hold mostly China Daily), a
topic's share moves with it. Compare with the shares by source before reading a trend.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections.abc import Hashable
from typing import Literal
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from topickit.exceptions import TopickitError

__all__ = ["PREVALENCE_COLUMNS", "outlet_name", "rollup_to_articles", "topic_prevalence"]

logger = logging.getLogger(__name__)

#: Columns of the table returned by :func:`topic_prevalence`.
PREVALENCE_COLUMNS = (
    "model",
    "level",
    "group",
    "topic",
    "share",
    "lower",
    "upper",
    "n_units",
    "n_articles",
)

_TOPIC = re.compile(r"^topic_(\d+)$")
_FREQS = {"D": "D", "W": "W", "M": "M"}


def outlet_name(value: object) -> str | None:
    """The outlet a source value names: a URL's host without ``www.``, else the value.

    ``"http://www.bbc.co.uk/news/x"`` -> ``"bbc.co.uk"``; ``"Reuters"`` -> ``"Reuters"``;
    missing or blank values -> ``None``.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    text = str(value).strip()
    if not text:
        return None
    if "://" in text:
        host = urlsplit(text).hostname or ""
        host = host.removeprefix("www.")
        return host or None
    return text


def _topic_columns(frame: pd.DataFrame) -> list[str]:
    found = sorted((int(m.group(1)), c) for c in frame.columns if (m := _TOPIC.match(str(c))))
    return [c for _, c in found if frame[c].notna().any()]


def _check_columns(frame: pd.DataFrame, columns: list[str], table: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TopickitError(f"{table} must be a pandas DataFrame, got {type(frame).__name__}")
    for column in columns:
        if column not in frame.columns:
            raise TopickitError(
                f"{table} table has no column {column!r} (has {list(frame.columns)})"
            )


def rollup_to_articles(
    units: pd.DataFrame,
    topic_cols: list[str],
    unit_weights: np.ndarray | None = None,
) -> pd.DataFrame:
    """Mean topic weights per article (``doc_id``), optionally weighted per unit.

    Parameters
    ----------
    units : pandas.DataFrame
        Rows of one model and level with ``doc_id`` and the ``topic_cols``.
    topic_cols : list of str
        The topic weight columns.
    unit_weights : ndarray, optional
        One non-negative weight per row (e.g. token counts); an article whose weights are
        all zero gets the plain mean.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``doc_id`` (in first-seen order), the ``topic_cols`` and ``n_units``.
    """
    doc_ids = units["doc_id"].astype(str).to_numpy()
    codes, uniques = pd.factorize(doc_ids)
    values = units[topic_cols].to_numpy(dtype=float)
    n_docs = len(uniques)
    counts = np.bincount(codes, minlength=n_docs).astype(float)
    w = np.ones(len(units)) if unit_weights is None else np.asarray(unit_weights, dtype=float)
    w_sum = np.bincount(codes, weights=w, minlength=n_docs)
    plain = w_sum[codes] <= 0  # articles whose units all weigh 0: fall back to the plain mean
    w = np.where(plain, 1.0, w)
    w_sum = np.bincount(codes, weights=w, minlength=n_docs)
    sums = np.zeros((n_docs, len(topic_cols)))
    np.add.at(sums, codes, values * w[:, None])
    frame = pd.DataFrame(sums / w_sum[:, None], columns=topic_cols, index=pd.Index(uniques))
    frame.index.name = "doc_id"
    frame["n_units"] = counts.astype(int)
    return frame


def _unit_weights(subset: pd.DataFrame, unit_weights: pd.Series | str | None) -> np.ndarray | None:
    if unit_weights is None:
        return None
    if isinstance(unit_weights, str):
        _check_columns(subset, [unit_weights], "doc_topics")
        values = pd.to_numeric(subset[unit_weights], errors="coerce")
    else:
        values = subset["unit_id"].map(unit_weights)
    values = values.to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise TopickitError("unit_weights must give a non-negative number for every unit")
    return values


def _groups(articles: pd.DataFrame, by: str, column: str, freq: str) -> pd.Series:
    """Group label per article (index doc_id as str); missing labels are NaN."""
    values = articles[column]
    if by == "date":
        dates = pd.to_datetime(values, errors="coerce")
        if getattr(dates.dt, "tz", None) is not None:
            dates = dates.dt.tz_localize(None)
        starts = dates.dt.to_period(_FREQS[freq]).dt.start_time
        labels = starts.dt.strftime("%Y-%m-%d").where(starts.notna())
    else:
        labels = values.map(outlet_name)
    return pd.Series(labels.to_numpy(dtype=object), index=articles["doc_id"].astype(str))


def _seed(random_state: int, key: tuple[Hashable, ...]) -> np.random.Generator:
    """A generator that depends only on ``random_state`` and the group's key."""
    digest = zlib.crc32("\x00".join(str(k) for k in key).encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence([int(random_state), digest]))


def _bootstrap(
    values: np.ndarray, n_boot: int, ci: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean per column and its percentile bootstrap interval over rows."""
    n = values.shape[0]
    share = values.mean(axis=0)
    if n_boot == 0:
        nan = np.full_like(share, np.nan)
        return share, nan, nan
    # Draw n row indices with replacement per resample, then count how often each row was
    # drawn (one flat bincount): the resampled means are counts @ values / n.
    draws = rng.integers(0, n, size=(n_boot, n))
    flat = (draws + (np.arange(n_boot) * n)[:, None]).ravel()
    counts = np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n)
    means = counts @ values / n
    alpha = (1.0 - ci) / 2.0
    lower, upper = np.quantile(means, [alpha, 1.0 - alpha], axis=0)
    # Rounding can put a constant column's mean a hair outside its interval: keep it inside.
    return share, np.minimum(lower, share), np.maximum(upper, share)


def _validate(by: str, freq: str, n_boot: int, ci: float, random_state: int) -> None:
    if by not in ("date", "source"):
        raise TopickitError(f"by must be 'date' or 'source', got {by!r}")
    if freq not in _FREQS:
        raise TopickitError(f"freq must be one of D, W, M, got {freq!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 0:
        raise TopickitError(f"n_boot must be a non-negative integer, got {n_boot!r}")
    if not 0.0 < float(ci) < 1.0:
        raise TopickitError(f"ci must be between 0 and 1, got {ci!r}")
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise TopickitError(f"random_state must be an integer, got {random_state!r}")


def topic_prevalence(
    doc_topics: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    by: Literal["date", "source"] = "date",
    freq: str = "W",
    column: str | None = None,
    unit_weights: pd.Series | str | None = None,
    n_boot: int = 500,
    ci: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Mean topic weight per period or per source, with bootstrap intervals.

    Parameters
    ----------
    doc_topics : pandas.DataFrame
        A run's unit × topic table: ``unit_id, doc_id, level, model, topic_0 …``; each
        ``(model, level)`` is handled separately, using the topic columns it fills.
    articles : pandas.DataFrame
        The articles table (``doc_id`` and the grouping column).
    by : {"date", "source"}, default "date"
        Group articles by publication period or by outlet.
    freq : {"D", "W", "M"}, default "W"
        Period length for ``by="date"``; a week starts on Monday. Ignored for sources.
    column : str, optional
        Column of ``articles`` to group by (default ``"date"`` or ``"source"``). For
        sources, URL values are reduced to their host without ``www.``
        (see :func:`outlet_name`), so a link column such as ``article_source_link`` works.
    unit_weights : str or pandas.Series, optional
        Weights for rolling units up to articles: a numeric ``doc_topics`` column, or a
        Series indexed by ``unit_id`` (e.g. token counts). Default: plain mean.
    n_boot : int, default 500
        Bootstrap resamples per group; 0 skips the bootstrap (``lower``/``upper`` NaN).
    ci : float, default 0.95
        Coverage of the percentile interval.
    random_state : int, default 0
        Seed; each group's resamples depend only on it and on the group's
        ``(model, level, group)``, so adding a model or a period changes no other interval.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, level, group, topic, share, lower, upper, n_units, n_articles``;
        one row per model, level, group and topic, sorted. ``group`` is the period's first
        day as ``YYYY-MM-DD`` or the outlet name. ``n_units`` counts the units and
        ``n_articles`` the articles in the group. Units whose article is missing from
        ``articles`` or has no date/source are left out and counted in
        ``attrs["excluded"]`` (one record per model and level with ``n_units`` and
        ``n_articles``); ``attrs`` also holds ``by``, ``freq``, ``column``, ``n_boot``, ``ci``.

    Raises
    ------
    TopickitError
        If a table lacks a needed column or an option is invalid.
    """
    _validate(by, freq, n_boot, ci, random_state)
    column = column or by
    _check_columns(doc_topics, ["unit_id", "doc_id", "level", "model"], "doc_topics")
    _check_columns(articles, ["doc_id", column], "articles")
    labels = _groups(articles.drop_duplicates("doc_id"), by, column, freq)
    records: list[dict[str, object]] = []
    excluded: list[dict[str, object]] = []
    for (model, level), subset in doc_topics.groupby(["model", "level"], sort=True):
        topic_cols = _topic_columns(subset)
        if not topic_cols:
            continue
        scored = subset[topic_cols].notna().all(axis=1).to_numpy()
        weights = _unit_weights(subset, unit_weights)
        rolled = rollup_to_articles(
            subset.loc[scored], topic_cols, None if weights is None else weights[scored]
        )
        group_of = labels.reindex(rolled.index)
        missing = group_of.isna().to_numpy()
        excluded.append(
            {
                "model": model,
                "level": level,
                "n_units": int(rolled["n_units"].to_numpy()[missing].sum() + (~scored).sum()),
                "n_articles": int(missing.sum()),
            }
        )
        kept = rolled.loc[~missing]
        values = kept[topic_cols].to_numpy(dtype=float)
        n_units = kept["n_units"].to_numpy()
        codes, names = pd.factorize(group_of.loc[~missing].to_numpy(dtype=object), sort=True)
        for g, name in enumerate(names):
            rows = codes == g
            rng = _seed(random_state, (model, level, name))
            share, lower, upper = _bootstrap(values[rows], n_boot, ci, rng)
            for col, s, lo, hi in zip(topic_cols, share, lower, upper, strict=True):
                records.append(
                    {
                        "model": model,
                        "level": level,
                        "group": str(name),
                        "topic": int(col.rsplit("_", 1)[1]),
                        "share": float(s),
                        "lower": float(lo),
                        "upper": float(hi),
                        "n_units": int(n_units[rows].sum()),
                        "n_articles": int(rows.sum()),
                    }
                )
        if missing.any():
            logger.info(
                "%s/%s: %d article(s) without %s left out", model, level, missing.sum(), column
            )
    table = pd.DataFrame(records, columns=list(PREVALENCE_COLUMNS))
    table = table.sort_values(["model", "level", "group", "topic"], ignore_index=True)
    table.attrs.update(
        {"by": by, "freq": freq, "column": column, "n_boot": int(n_boot), "ci": float(ci)}
    )
    table.attrs["excluded"] = excluded
    return table
