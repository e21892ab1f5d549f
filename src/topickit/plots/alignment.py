"""Labelled-matrix heatmaps: topic alignment between two models, and confusion matrices."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from topickit.exceptions import TopickitError
from topickit.plots._style import (
    SMALL_FONT,
    annotate_cells,
    figure_and_axes,
    require_columns,
    shorten,
)

__all__ = ["plot_alignment_heatmap", "plot_confusion_matrix"]

logger = logging.getLogger(__name__)

#: Cell values are written into heatmaps up to this many rows and columns.
MAX_ANNOTATED_ALIGNMENT = 12
MAX_ANNOTATED_CONFUSION = 20


def _check_matrix(matrix: pd.DataFrame, name: str) -> np.ndarray:
    if not isinstance(matrix, pd.DataFrame):
        raise TopickitError(f"{name} must be a pandas DataFrame, got {type(matrix).__name__}")
    if matrix.empty:
        raise TopickitError(f"{name} is empty")
    try:
        return matrix.to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise TopickitError(f"{name} must hold numbers only: {error}") from error


def _matrix_ticks(ax: Axes, matrix: pd.DataFrame) -> None:
    n_rows, n_cols = matrix.shape
    xlabels = [shorten(c, 24) for c in matrix.columns]
    ylabels = [shorten(i, 30) for i in matrix.index]
    step_x = max(1, int(np.ceil(n_cols / 40)))
    step_y = max(1, int(np.ceil(n_rows / 50)))
    ax.set_xticks(range(0, n_cols, step_x), xlabels[::step_x], fontsize=SMALL_FONT + 1)
    ax.set_yticks(range(0, n_rows, step_y), ylabels[::step_y], fontsize=SMALL_FONT + 1)
    if max((len(s) for s in xlabels), default=0) > 3:
        ax.tick_params(axis="x", labelrotation=40)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")


def _size_for(matrix: pd.DataFrame) -> tuple[float, float]:
    n_rows, n_cols = matrix.shape
    longest = max((len(str(i)) for i in matrix.index), default=1)
    cell = 0.55 if max(n_rows, n_cols) <= MAX_ANNOTATED_ALIGNMENT else 0.3  # inches per cell
    return 3.5 + min(longest, 30) * 0.07 + cell * n_cols, 2.2 + 0.8 * cell * n_rows


def plot_alignment_heatmap(
    matrix: pd.DataFrame,
    *,
    pairs: pd.DataFrame | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    colorbar_label: str = "similarity",
    ax: Axes | None = None,
) -> Figure:
    """Draw a topic-similarity matrix between two models, with matched pairs outlined.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Similarities; rows are the topics of model A, columns those of model B.
    pairs : pandas.DataFrame or None, default=None
        Matched topics with columns ``topic_a, topic_b, similarity``; ``topic_a`` values are
        looked up in ``matrix.index`` and ``topic_b`` in ``matrix.columns``.
    title : str or None, default=None
        Axes title.
    xlabel, ylabel : str or None, default=None
        Axis labels; by default the matrix's column and index names, or "topics of model B"
        and "topics of model A".
    colorbar_label : str, default="similarity"
        Label of the colour bar.
    ax : matplotlib.axes.Axes or None, default=None
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        Cell values are written in when the matrix has at most 12 rows and 12 columns.
    """
    values = _check_matrix(matrix, "alignment matrix")
    n_rows, n_cols = values.shape
    fig, ax = figure_and_axes(ax, *_size_for(matrix))
    finite = values[np.isfinite(values)]
    low = 0.0 if finite.size == 0 or finite.min() >= 0 else float(finite.min())
    high = 1.0 if finite.size == 0 or finite.max() <= 1 else float(finite.max())
    image = ax.imshow(
        values, cmap="viridis", vmin=low, vmax=high, aspect="auto", interpolation="nearest"
    )
    _matrix_ticks(ax, matrix)
    if n_rows <= MAX_ANNOTATED_ALIGNMENT and n_cols <= MAX_ANNOTATED_ALIGNMENT:
        annotate_cells(ax, image, values, [f"{v:.2f}" for v in values.ravel()])
    if pairs is not None:
        require_columns(pairs, ["topic_a", "topic_b"], table="pairs")
        rows = {label: i for i, label in enumerate(matrix.index)}
        cols = {label: j for j, label in enumerate(matrix.columns)}
        for a, b in zip(pairs["topic_a"], pairs["topic_b"], strict=True):
            if a not in rows:
                raise TopickitError(f"pairs topic_a value {a!r} is not a row of the matrix")
            if b not in cols:
                raise TopickitError(f"pairs topic_b value {b!r} is not a column of the matrix")
            for width, colour in ((4.0, "white"), (2.0, "black")):
                ax.add_patch(
                    Rectangle(
                        (cols[b] - 0.5, rows[a] - 0.5),
                        1,
                        1,
                        fill=False,
                        edgecolor=colour,
                        linewidth=width,
                        clip_on=False,
                    )
                )
    ax.set_xlabel(
        xlabel or (str(matrix.columns.name) if matrix.columns.name else "topics of model B")
    )
    ax.set_ylabel(ylabel or (str(matrix.index.name) if matrix.index.name else "topics of model A"))
    matched = "" if pairs is None else f", {len(pairs)} matched pairs outlined"
    ax.set_title(title or f"Topic alignment{matched}")
    colorbar = fig.colorbar(image, ax=ax, pad=0.02, fraction=0.05)
    colorbar.set_label(colorbar_label)
    return fig


def plot_confusion_matrix(
    matrix: pd.DataFrame,
    *,
    title: str | None = None,
    normalize: bool = False,
    ax: Axes | None = None,
) -> Figure:
    """Draw a confusion matrix: rows are true labels, columns predicted labels.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Counts; index = true labels, columns = predicted labels.
    title : str or None, default=None
        Axes title.
    normalize : bool, default=False
        Show each row as shares of its true label (rows with no items stay 0). The cells
        then read ``share`` over ``(count)``.
    ax : matplotlib.axes.Axes or None, default=None
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        Cells are annotated when the matrix has at most 20 rows and 20 columns.
    """
    counts = _check_matrix(matrix, "confusion matrix")
    if np.any(counts < 0) or not np.all(np.isfinite(counts)):
        raise TopickitError("confusion matrix must hold finite, non-negative counts")
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        shown = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
        labels = [f"{s:.2f}\n({c:g})" for s, c in zip(shown.ravel(), counts.ravel(), strict=True)]
        vmax, bar_label = 1.0, "share of true label"
    else:
        shown = counts
        labels = [f"{c:g}" for c in counts.ravel()]
        vmax, bar_label = max(1.0, float(counts.max())), "count"
    n_rows, n_cols = counts.shape
    fig, ax = figure_and_axes(ax, *_size_for(matrix))
    image = ax.imshow(
        shown, cmap="cividis", vmin=0.0, vmax=vmax, aspect="auto", interpolation="nearest"
    )
    _matrix_ticks(ax, matrix)
    if n_rows <= MAX_ANNOTATED_CONFUSION and n_cols <= MAX_ANNOTATED_CONFUSION:
        annotate_cells(ax, image, shown, labels)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    total = round(float(counts.sum()))
    same_labels = list(matrix.index) == list(matrix.columns)
    correct = round(float(np.trace(counts))) if same_labels else None
    summary = f"{total} items" + (
        f", {correct / total:.0%} on the diagonal" if correct is not None and total else ""
    )
    ax.set_title(title or f"Confusion matrix ({summary})")
    colorbar = fig.colorbar(image, ax=ax, pad=0.02, fraction=0.05)
    colorbar.set_label(bar_label)
    return fig
