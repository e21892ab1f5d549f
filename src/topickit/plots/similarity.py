"""Figures of a document-similarity benchmark: model cosine against human ratings."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from topickit.exceptions import TopickitError
from topickit.plots._style import figure_and_axes, new_figure, require_columns, shorten

__all__ = ["PUBLISHED_LSA_R", "plot_similarity_r", "plot_similarity_scatter"]

#: Pearson r of LSA on the Lee corpus reported by Lee, Pincombe & Welsh (2005).
PUBLISHED_LSA_R = 0.60


def plot_similarity_scatter(
    human: Sequence[float] | np.ndarray,
    predicted: Sequence[float] | np.ndarray,
    *,
    title: str,
    r: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Scatter of a model's cosine similarity against the human rating, one point per pair.

    Parameters
    ----------
    human : array-like of shape (n_pairs,)
        Mean human rating of each document pair.
    predicted : array-like of shape (n_pairs,)
        The model's similarity of the same pairs.
    title : str
        Usually the representation's name.
    r : float, optional
        Pearson correlation, shown in the title and the legend.
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    x = np.asarray(human, dtype=np.float64).ravel()
    y = np.asarray(predicted, dtype=np.float64).ravel()
    if x.shape != y.shape or x.size == 0:
        raise TopickitError(
            f"human and predicted need the same non-zero length, got {x.size} and {y.size}"
        )
    fig, ax = figure_and_axes(ax, 6.5, 5.5)
    alpha = float(np.clip(12.0 / math.sqrt(x.size), 0.2, 0.9))  # 1,225 pairs: about 0.34
    label = f"{x.size:,} document pairs"
    if r is not None and math.isfinite(r):
        label += f" (Pearson r = {r:.3f})"
    ax.scatter(x, y, s=14, alpha=alpha, color="tab:blue", edgecolors="none", label=label)
    finite = np.isfinite(x) & np.isfinite(y)
    if finite.sum() >= 2 and np.ptp(x[finite]) > 0:
        slope, intercept = np.polyfit(x[finite], y[finite], 1)
        grid = np.linspace(x[finite].min(), x[finite].max(), 50)
        ax.plot(grid, slope * grid + intercept, color="tab:red", lw=1.5, label="least-squares line")
    shown = shorten(title, 60)
    ax.set_title(f"{shown}: r = {r:.3f}" if r is not None and math.isfinite(r) else shown)
    ax.set_xlabel("human similarity rating (mean, 0-1)")
    ax.set_ylabel("model cosine similarity")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=9, frameon=True, framealpha=0.9)
    return fig


def plot_similarity_r(
    table: pd.DataFrame,
    *,
    reference: float | None = PUBLISHED_LSA_R,
    target: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Horizontal bars of Pearson r per representation, best on top, with reference lines.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``representation`` and ``r`` (one row per representation).
    reference : float or None, default=0.60
        The published LSA result (Lee, Pincombe & Welsh 2005), drawn as a dashed line.
    target : float, optional
        A goal drawn as a dotted line.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    require_columns(table, ["representation", "r"], table="similarity")
    if table.empty:
        raise TopickitError("similarity table has no rows to plot")
    data = table[["representation", "r"]].copy()
    data["r"] = pd.to_numeric(data["r"], errors="coerce")
    data = data.sort_values(["r", "representation"], ascending=[True, True], na_position="first")
    if ax is None:
        _, axes = new_figure(8.0, 1.2 + 0.42 * len(data))
        ax = axes[0, 0]
    fig = ax.figure
    values = data["r"].fillna(0.0).to_numpy()
    positions = np.arange(len(data))
    bars = ax.barh(positions, values, color="tab:blue", height=0.7)
    for bar, value in zip(bars, data["r"], strict=True):
        text = "n/a" if pd.isna(value) else f"{value:.3f}"
        width = bar.get_width()
        inside = width >= 0.12  # label inside the bar end, clear of the reference lines
        ax.text(
            width - 0.01 if inside else max(width, 0.0) + 0.01,
            bar.get_y() + bar.get_height() / 2,
            text,
            va="center",
            ha="right" if inside else "left",
            color="white" if inside else "black",
            fontsize=9,
            fontweight="bold" if inside else "normal",
        )
    ax.set_yticks(positions, [shorten(n, 28) for n in data["representation"]])
    top = max(float(np.nanmax(values)) if len(values) else 0.0, reference or 0.0, target or 0.0)
    ax.set_xlim(min(0.0, float(values.min()) - 0.05), min(1.0, top + 0.12))
    if reference is not None:
        ax.axvline(
            reference, color="tab:red", ls="--", lw=1.3, label=f"published LSA ({reference:.2f})"
        )
    if target is not None:
        ax.axvline(target, color="black", ls=":", lw=1.3, label=f"target ({target:.2f})")
    ax.set_xlabel("Pearson r with human similarity ratings")
    ax.set_title("Lee corpus: correlation with human judgments per representation")
    ax.grid(True, axis="x", alpha=0.3)
    if reference is not None or target is not None:
        ax.legend(loc="lower right", fontsize=9)
    return fig
