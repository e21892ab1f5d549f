"""Summaries of a K sweep over seeds, and a stated rule for recommending K.

The input is the tidy metrics table an experiment writes: one row per
``(model, level, k, seed, metric)`` with its ``value``.

Choosing K
----------
:func:`recommend_k` applies a one-standard-deviation rule, a variant of Breiman's
one-standard-error rule, per ``(model, level)``:

1. Find the K with the best mean of ``metric`` over seeds (ties go to the smaller K).
2. Every K whose mean lies within ``tolerance`` standard deviations (the best K's
   seed-to-seed std) of that best mean is treated as indistinguishable from it: with a
   handful of seeds the ranking inside that band is noise.
3. Inside the band, prefer the K whose topics repeat each other least (highest mean
   ``tie_metric``, topic diversity by default); if that is unavailable or tied, the
   smallest K (fewer topics are easier to read and validate).

The std rather than the standard error is used on purpose: with three to five seeds the
standard error is itself badly estimated, and the std is the more conservative band. With a
single seed there is no spread estimate (std is NaN), so the band holds only the best K and
the rule sentence says so.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import pandas as pd

from topickit._validation import Interval, validate_params
from topickit.exceptions import TopickitError

__all__ = ["METRICS_COLUMNS", "SUMMARY_COLUMNS", "recommend_k", "summarise_metrics"]

#: Columns of the tidy metrics table.
METRICS_COLUMNS = ("model", "level", "k", "seed", "metric", "value")
#: Columns of :func:`summarise_metrics`' result.
SUMMARY_COLUMNS = ("model", "level", "k", "metric", "mean", "std", "n_seeds", "min", "max")
_KEYS = ["model", "level", "k", "metric"]


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TopickitError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise TopickitError(f"{name} is missing column {missing[0]!r} (needs {', '.join(columns)})")


def summarise_metrics(metrics: pd.DataFrame) -> pd.DataFrame:
    """Aggregate each metric over seeds per ``(model, level, k, metric)``.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Tidy table with columns ``model, level, k, seed, metric, value``. NaN values
        (e.g. an undefined silhouette) are left out of the statistics.

    Returns
    -------
    pandas.DataFrame
        Columns ``model, level, k, metric, mean, std, n_seeds, min, max`` sorted by the
        keys. ``std`` uses ``ddof=1`` and is NaN when fewer than two seeds have a value (one
        seed says nothing about seed-to-seed spread; 0 would suggest false certainty).
        ``n_seeds`` counts seeds with a finite value.

    Raises
    ------
    TopickitError
        When a column is missing or a ``(model, level, k, seed, metric)`` row is repeated.
    """
    _require_columns(metrics, METRICS_COLUMNS, "metrics")
    frame = metrics.loc[:, list(METRICS_COLUMNS)].copy()
    duplicated = frame.duplicated(subset=["model", "level", "k", "seed", "metric"])
    if duplicated.any():
        row = frame.loc[duplicated].iloc[0]
        raise TopickitError(
            f"metrics repeats the row model={row['model']!r}, level={row['level']!r}, "
            f"k={row['k']!r}, seed={row['seed']!r}, metric={row['metric']!r}"
        )
    value = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    frame["value"] = value.where(np.isfinite(value))
    grouped = frame.groupby(_KEYS, dropna=False, sort=True)["value"]
    summary = grouped.agg(["mean", "std", "count", "min", "max"]).reset_index()
    summary = summary.rename(columns={"count": "n_seeds"})
    summary["n_seeds"] = summary["n_seeds"].astype("int64")
    return summary.loc[:, list(SUMMARY_COLUMNS)]


def _fmt(value: float) -> str:
    return "nan" if value is None or math.isnan(value) else f"{value:.3f}"


def recommend_k(
    summary: pd.DataFrame,
    *,
    metric: str = "c_npmi",
    tie_metric: str | None = "topic_diversity",
    tolerance: float = 1.0,
    greater_is_better: bool = True,
) -> pd.DataFrame:
    """Recommend a number of topics per ``(model, level)`` by a stated rule.

    See the module docstring for the rule. In short: the Ks whose mean ``metric`` is within
    ``tolerance`` standard deviations of the best mean are indistinguishable; among them the
    one with the highest mean ``tie_metric`` wins, and remaining ties go to the smallest K.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`summarise_metrics`.
    metric : str, default "c_npmi"
        Metric that ranks K.
    tie_metric : str or None, default "topic_diversity"
        Metric that chooses among indistinguishable Ks (higher is better); ``None`` to
        take the smallest K in the band.
    tolerance : float, default 1.0
        Width of the band in standard deviations of the best K's metric across seeds.
    greater_is_better : bool, default True
        Direction of ``metric`` (all coherence measures, diversity and silhouette: True).

    Returns
    -------
    pandas.DataFrame
        Columns ``model, level, k, best_k, rule``: the recommended K, the K with the best
        mean, and a sentence stating why. ``k`` is missing (``<NA>``) when no K has a
        finite mean for ``metric``.

    Raises
    ------
    TopickitError
        When a column is missing or ``metric`` does not occur in ``summary``.
    """
    validate_params(
        {"tolerance": tolerance},
        {"tolerance": [Interval(Real, 0, None)]},
        "recommend_k",
    )
    _require_columns(summary, SUMMARY_COLUMNS, "summary")
    if not (summary["metric"] == metric).any():
        known = ", ".join(sorted(map(str, summary["metric"].unique())))
        raise TopickitError(f"metric {metric!r} is not in the summary (has: {known})")
    rows = []
    for (model, level), group in summary.groupby(["model", "level"], dropna=False, sort=True):
        k, best_k, rule = _recommend_one(group, metric, tie_metric, tolerance, greater_is_better)
        rows.append({"model": model, "level": level, "k": k, "best_k": best_k, "rule": rule})
    out = pd.DataFrame(rows, columns=["model", "level", "k", "best_k", "rule"])
    out["k"] = out["k"].astype("Int64")
    out["best_k"] = out["best_k"].astype("Int64")
    return out


def _recommend_one(
    group: pd.DataFrame,
    metric: str,
    tie_metric: str | None,
    tolerance: float,
    greater_is_better: bool,
) -> tuple[int | None, int | None, str]:
    main = group[(group["metric"] == metric) & group["mean"].notna()].sort_values("k")
    if main.empty:
        return None, None, f"no K has a finite mean {metric}"
    sign = 1.0 if greater_is_better else -1.0
    score = sign * main["mean"].to_numpy(dtype=float)
    best = int(np.argmax(score))  # first maximum = smallest K, since sorted by k
    best_k = int(main["k"].iloc[best])
    best_mean = float(main["mean"].iloc[best])
    best_std = float(main["std"].iloc[best])
    n_seeds = int(main["n_seeds"].iloc[best])
    spread = 0.0 if math.isnan(best_std) else best_std
    in_band = score >= score[best] - tolerance * spread
    band = [int(k) for k in main["k"].to_numpy()[in_band]]

    if math.isnan(best_std):
        anchor = f"(K={best_k}: {_fmt(best_mean)}, {n_seeds} seed, no spread estimate)"
        band_text = f"mean {metric} equals the best mean {anchor}"
    else:
        anchor = f"(K={best_k}: {_fmt(best_mean)} ± {_fmt(best_std)})"
        band_text = f"mean {metric} is within {tolerance:g} std of the best mean {anchor}"
    if len(band) == 1:
        return best_k, best_k, f"K={best_k} is the only K whose {band_text}"

    candidates = f"candidates K={', '.join(map(str, band))}"
    ties = pd.Series(dtype=float)
    if tie_metric is not None:
        tie_rows = group[(group["metric"] == tie_metric) & group["k"].isin(band)]
        ties = tie_rows.set_index("k")["mean"].dropna().sort_index()
    if ties.empty:
        k = min(band)
        return k, best_k, f"smallest K whose {band_text}; {candidates}"
    top = float(ties.max())
    k = int(min(ties.index[ties == top]))
    rule = (
        f"among K whose {band_text} ({candidates}), the highest mean {tie_metric} "
        f"({_fmt(top)}), smallest K on ties"
    )
    return k, best_k, rule
