"""Model-selection curves: each evaluation metric against the number of topics K."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from topickit.exceptions import TopickitError
from topickit.plots._style import category_colors, new_figure, require_columns

__all__ = ["METRIC_TITLES", "plot_metric_vs_k"]

logger = logging.getLogger(__name__)

#: Panel titles for the metric names topickit writes; other names are shown as they are.
METRIC_TITLES = {
    "c_v": "C_V coherence (higher is better)",
    "c_npmi": "NPMI coherence (higher is better)",
    "u_mass": "UMass coherence (higher is better)",
    "topic_diversity": "Topic diversity (higher is better)",
    "stability": "Stability across seeds (higher is better)",
    "perplexity": "Perplexity (lower is better)",
}

_METRIC_COLUMNS = ("model", "level", "k", "seed", "metric", "value")


def _recommended_for(recommended: int | Mapping[str, int] | None, model: str) -> int | None:
    if recommended is None:
        return None
    if isinstance(recommended, Mapping):
        value = recommended.get(model)
        return None if value is None else int(value)
    return int(recommended)


def plot_metric_vs_k(
    metrics: pd.DataFrame,
    *,
    metrics_to_show: Sequence[str] = ("c_v", "c_npmi", "u_mass", "topic_diversity", "stability"),
    level: str | None = None,
    recommended: int | Mapping[str, int] | None = None,
    title: str | None = None,
) -> Figure:
    """Draw one panel per metric: the mean over seeds against K, one line per model.

    The band around each line is ± one standard deviation across seeds (absent with a single
    seed). Metrics listed in ``metrics_to_show`` but absent from the table are skipped, so
    there are no empty panels.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Tidy metrics table with columns ``model, level, k, seed, metric, value``.
    metrics_to_show : sequence of str
        Metric names to draw, in panel order.
    level : str or None, default=None
        Keep only this segmentation level. With None and several levels in the table, each
        (model, level) pair gets its own line.
    recommended : int, mapping of str to int, or None, default=None
        A recommended K, for all models (int) or per model (``{"nmf": 6}``); drawn as a
        dashed vertical line in the model's colour.
    title : str or None, default=None
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per metric present in the table.
    """
    require_columns(metrics, _METRIC_COLUMNS, table="metrics")
    table = metrics
    if level is not None:
        table = table[table["level"] == level]
        if table.empty:
            levels = sorted(metrics["level"].astype(str).unique())
            raise TopickitError(f"metrics table has no rows with level={level!r}; has {levels}")
    present = set(table["metric"].astype(str))
    shown = [m for m in dict.fromkeys(metrics_to_show) if m in present]
    skipped = [m for m in metrics_to_show if m not in present]
    if skipped:
        logger.info("metric panels skipped (not in the table): %s", ", ".join(skipped))
    if not shown:
        raise TopickitError(
            f"metrics table has none of the metrics {list(metrics_to_show)}; has {sorted(present)}"
        )
    table = table[table["metric"].isin(shown)]  # models with other metrics only: no legend entry
    table = table.assign(
        _series=table["model"].astype(str)
        if table["level"].nunique() == 1
        else table["model"].astype(str) + " (" + table["level"].astype(str) + ")"
    )
    series = list(dict.fromkeys(sorted(table["_series"])))
    colours = dict(zip(series, category_colors(len(series)), strict=True))
    ks = sorted(int(k) for k in table["k"].unique())

    ncols = min(3, len(shown))
    nrows = math.ceil(len(shown) / ncols)
    fig, axes = new_figure(4.6 * ncols + 0.4, 3.4 * nrows + 1.2, nrows=nrows, ncols=ncols)
    for ax, metric in zip(axes.flat, shown, strict=False):
        rows = table[table["metric"] == metric]
        for name in series:
            stats = (
                rows[rows["_series"] == name]
                .groupby("k")["value"]
                .agg(["mean", "std", "count"])
                .sort_index()
            )
            if stats.empty:
                continue
            x = stats.index.to_numpy(dtype=float)
            mean = stats["mean"].to_numpy(dtype=float)
            std = stats["std"].fillna(0.0).to_numpy(dtype=float)
            colour = colours[name]
            size = 4 if len(x) > 1 else 7  # a model run at one K only must stay visible
            ax.plot(x, mean, marker="o", markersize=size, color=colour, linewidth=1.6)
            if np.any(std > 0):
                ax.fill_between(x, mean - std, mean + std, color=colour, alpha=0.2, linewidth=0)
            model = str(rows.loc[rows["_series"] == name, "model"].iloc[0])
            best_k = _recommended_for(recommended, model)
            if best_k is not None and isinstance(recommended, Mapping):
                ax.axvline(best_k, color=colour, linestyle="--", linewidth=1.2, alpha=0.9)
                # a star on the curve tells models with the same recommended K apart
                at = np.flatnonzero(x == best_k)
                if at.size:
                    ax.plot(
                        x[at],
                        mean[at],
                        linestyle="",
                        marker="*",
                        markersize=12,
                        color=colour,
                        markeredgecolor="black",
                        markeredgewidth=0.6,
                    )
        if recommended is not None and not isinstance(recommended, Mapping):
            ax.axvline(int(recommended), color="dimgrey", linestyle="--", linewidth=1.2)
        ax.set_title(METRIC_TITLES.get(metric, metric), fontsize=10)
        ax.set_xlabel("K (number of topics)")
        ax.set_ylabel(metric)
        pad = max(0.3, 0.03 * (ks[-1] - ks[0]))
        ax.set_xlim(ks[0] - pad, ks[-1] + pad)  # keep markers and recommended-K lines off the frame
        if len(ks) <= 15:
            ax.set_xticks(ks)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(shown) :]:
        fig.delaxes(ax)

    handles = [
        Line2D([], [], color=colours[name], marker="o", markersize=4, label=name) for name in series
    ]
    n_seeds = int(table["seed"].nunique())
    handles.append(
        Line2D(
            [], [], color="grey", alpha=0.35, linewidth=6, label=f"± 1 std across {n_seeds} seeds"
        )
    )
    if recommended is not None:
        marker = "*" if isinstance(recommended, Mapping) else None
        handles.append(
            Line2D(
                [],
                [],
                color="grey",
                linestyle="--",
                marker=marker,
                markersize=10,
                markeredgecolor="black",
                markeredgewidth=0.6,
                label="recommended K",
            )
        )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 7),
        frameon=False,
        fontsize=9,
    )
    level_note = f" ({level} level)" if level is not None else ""
    fig.suptitle(title or f"Evaluation metrics vs number of topics{level_note}", fontsize=13)
    return fig
