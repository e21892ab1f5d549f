"""Shared helpers for the plots: figure sizing, term formatting, colours, table checks, saving.

Everything here is private to :mod:`topickit.plots` except :func:`save_figure`, which the
package re-exports for the experiment runner and notebooks.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from topickit._atomic import atomic_write_with
from topickit.exceptions import TopickitError

__all__ = ["save_figure"]

logger = logging.getLogger(__name__)

#: Figure width bounds in inches (8-16 in at 150 dpi gives 1200-2400 px).
MIN_WIDTH = 6.0
MAX_WIDTH = 16.0
#: Height bounds in inches; 19 in at 150 dpi stays under 3000 px.
MIN_HEIGHT = 3.0
MAX_HEIGHT = 19.0
#: No saved PNG may be larger than this many pixels on either side.
MAX_PIXELS = 3000
#: Smallest font size used anywhere (points).
SMALL_FONT = 8
#: Beyond this many rows a heatmap or bar chart hides its per-row tick labels.
MAX_ROW_LABELS = 60

_TOPIC_COLUMN = re.compile(r"^topic_(\d+)$")
_UNIT_POSITION = re.compile(r":p(\d+)$")


def figure_size(width: float, height: float) -> tuple[float, float]:
    """Clamp a wanted figure size (inches) to the bounds every topickit figure keeps."""
    return (
        float(np.clip(width, MIN_WIDTH, MAX_WIDTH)),
        float(np.clip(height, MIN_HEIGHT, MAX_HEIGHT)),
    )


def new_figure(width: float, height: float, nrows: int = 1, ncols: int = 1, **kwargs):
    """Create a constrained-layout figure and its axes grid with a clamped size."""
    return plt.subplots(
        nrows,
        ncols,
        figsize=figure_size(width, height),
        layout="constrained",
        squeeze=False,
        **kwargs,
    )


def figure_and_axes(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """Return ``(figure, axes)``: the given axes' figure, or a new single-panel figure."""
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    fig, axes = new_figure(width, height)
    return fig, axes[0, 0]


def shorten(text: object, max_len: int) -> str:
    """Cut ``text`` to ``max_len`` characters, ending with an ellipsis when cut."""
    text = " ".join(str(text).split())
    if len(text) <= max_len:
        return text
    return text[: max(max_len - 1, 1)].rstrip() + "…"


def pretty_term(term: object, max_len: int = 22) -> str:
    """Show a vocabulary term for humans: ``"supreme_leader"`` becomes ``"supreme leader"``."""
    return shorten(str(term).replace("_", " "), max_len)


def topic_columns(frame: pd.DataFrame, *, table: str = "doc_topics") -> list[str]:
    """The ``topic_<k>`` columns of ``frame`` that hold a value, sorted by topic number.

    A run's table holds models of different K side by side, so the columns past a model's
    own K are empty (NaN) for its rows; those columns are dropped.
    """
    found = [(int(m.group(1)), c) for c in frame.columns if (m := _TOPIC_COLUMN.match(str(c)))]
    if not found:
        raise TopickitError(f"{table} table has no topic_<k> columns (got {list(frame.columns)})")
    columns = [c for _, c in sorted(found) if frame[c].notna().any()]
    if not columns:
        raise TopickitError(f"{table} table has only empty topic_<k> columns for these rows")
    return columns


def topic_number(column: str) -> int:
    """``"topic_3"`` -> ``3``."""
    return int(str(column).rsplit("_", 1)[1])


def unit_position(unit_id: object) -> int:
    """Paragraph position from a unit id such as ``"002:p3"``; ``-1`` when there is none."""
    match = _UNIT_POSITION.search(str(unit_id))
    return int(match.group(1)) if match else -1


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, table: str) -> None:
    """Raise :class:`TopickitError` naming the first missing column of ``frame``."""
    if not isinstance(frame, pd.DataFrame):
        raise TopickitError(f"{table} must be a pandas DataFrame, got {type(frame).__name__}")
    for column in columns:
        if column not in frame.columns:
            raise TopickitError(
                f"{table} table is missing column {column!r} (has {list(frame.columns)})"
            )


def select_rows(frame: pd.DataFrame, *, table: str, **values: object) -> pd.DataFrame:
    """Rows of ``frame`` whose columns equal the given values; raise when none match."""
    require_columns(frame, values, table=table)
    mask = np.ones(len(frame), dtype=bool)
    for column, value in values.items():
        mask &= (frame[column] == value).to_numpy()
    if not mask.any():
        wanted = ", ".join(f"{c}={v!r}" for c, v in values.items())
        have = sorted({tuple(r) for r in frame[list(values)].drop_duplicates().to_numpy()})
        raise TopickitError(f"{table} table has no rows with {wanted}; available: {have[:10]}")
    return frame.loc[mask]


def article_titles(articles: pd.DataFrame | None, max_len: int = 32) -> dict[str, str]:
    """Map ``doc_id`` to a short title; empty when ``articles`` is None or has no titles."""
    if articles is None:
        return {}
    require_columns(articles, ["doc_id"], table="articles")
    if "title" not in articles.columns:
        return {}
    titles = {}
    for doc_id, title in zip(articles["doc_id"], articles["title"], strict=True):
        if isinstance(title, str) and title.strip():
            titles[str(doc_id)] = shorten(title, max_len)
    return titles


def doc_label(doc_id: object, titles: dict[str, str]) -> str:
    """``"002 · Khamenei asserts…"`` when a title is known, else the doc id."""
    title = titles.get(str(doc_id))
    return f"{doc_id} · {title}" if title else str(doc_id)


def category_colors(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` distinct categorical colours: tab10 up to 10, tab20 up to 20, then viridis samples."""
    if n <= 10:
        cmap = plt.get_cmap("tab10")
        return [cmap(i) for i in range(n)]
    if n <= 20:
        cmap = plt.get_cmap("tab20")
        return [cmap(i) for i in range(n)]
    cmap = plt.get_cmap("viridis")
    return [cmap(x) for x in np.linspace(0.0, 1.0, n)]


def annotate_cells(ax: Axes, image: AxesImage, values: np.ndarray, labels: Sequence[str]) -> None:
    """Write ``labels`` (row-major) into the cells of a heatmap, in black or white for contrast."""
    n_rows, n_cols = values.shape
    cells = max(n_rows, n_cols)
    size = 10 if cells <= 6 else 9 if cells <= 10 else SMALL_FONT
    for (i, j), text in zip(np.ndindex(n_rows, n_cols), labels, strict=True):
        value = values[i, j]
        if not np.isfinite(value):
            continue
        r, g, b, _ = to_rgba(image.cmap(image.norm(value)))
        luminance = 0.299 * r + 0.587 * g + 0.114 * b
        colour = "black" if luminance > 0.5 else "white"
        ax.text(j, i, text, ha="center", va="center", color=colour, fontsize=size)


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Write ``fig`` to ``path`` as a PNG, atomically, then close the figure.

    The image is written with :func:`topickit._atomic.atomic_write_with` (a temporary file in
    the same folder, renamed into place), so readers never see a half-written PNG. The
    resolution is lowered when needed so that neither side exceeds 3000 pixels.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save; it is closed afterwards, even when saving fails.
    path : str or path-like
        Target file; missing parent folders are created.
    dpi : int, default=150
        Wanted resolution in dots per inch.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    target = Path(path)
    if dpi <= 0:
        raise TopickitError(f"dpi must be a positive number, got {dpi!r}")
    width, height = fig.get_size_inches()
    dpi_used = min(float(dpi), MAX_PIXELS / max(width, height, 1e-9))
    if dpi_used < dpi:
        logger.info(
            "lowering dpi from %s to %.1f to keep %s under %d px",
            dpi,
            dpi_used,
            target.name,
            MAX_PIXELS,
        )
    try:
        atomic_write_with(target, partial(fig.savefig, format="png", dpi=dpi_used))
    finally:
        plt.close(fig)
    logger.debug("saved figure %s", target)
    return target
