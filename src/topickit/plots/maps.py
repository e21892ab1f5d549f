"""Two-dimensional maps of units (PCA or t-SNE), coloured by topic."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import sparse
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.manifold import TSNE

from topickit.exceptions import TopickitError
from topickit.plots._style import SMALL_FONT, category_colors, figure_and_axes, shorten

__all__ = ["embed_2d", "plot_unit_map"]

logger = logging.getLogger(__name__)

#: Points are annotated with their hover labels only up to this many units.
MAX_POINT_LABELS = 30


def embed_2d(
    vectors, *, method: str = "pca", random_state: int = 0
) -> tuple[np.ndarray, np.ndarray | None]:
    """Project ``vectors`` (n_units, n_features; dense or sparse) to two dimensions.

    Parameters
    ----------
    vectors : array-like or scipy sparse matrix
        One row per unit.
    method : {"pca", "tsne"}, default="pca"
        PCA (TruncatedSVD for sparse input) or t-SNE. t-SNE's perplexity is set to
        ``min(30, (n - 1) / 3)`` (at least 1) so that it works for a handful of units.
    random_state : int, default=0
        Seed for t-SNE and randomised solvers.

    Returns
    -------
    coords : ndarray of shape (n_units, 2)
    explained : ndarray of shape (2,) or None
        Explained-variance ratio of each component for PCA; None for t-SNE.
    """
    if method not in ("pca", "tsne"):
        raise TopickitError(f"method must be 'pca' or 'tsne', got {method!r}")
    data = vectors if sparse.issparse(vectors) else np.asarray(vectors, dtype=float)
    if data.ndim != 2 or data.shape[0] < 2:
        raise TopickitError(f"vectors must be a 2-D array with at least 2 rows, got {data.shape}")
    n_units, n_features = data.shape
    if not sparse.issparse(data) and not np.all(np.isfinite(data)):
        raise TopickitError("vectors contain NaN or infinite values")
    if method == "pca" or n_units < 4:
        if method == "tsne":
            logger.info("t-SNE needs at least 4 units; using PCA for %d", n_units)
        n_comp = min(2, n_units, n_features)
        if sparse.issparse(data):
            reducer = TruncatedSVD(
                n_components=max(1, min(2, n_features - 1)), random_state=random_state
            )
        else:
            reducer = PCA(n_components=n_comp, random_state=random_state)
        coords = reducer.fit_transform(data)
        explained = np.asarray(reducer.explained_variance_ratio_, dtype=float)
        if coords.shape[1] < 2:
            coords = np.column_stack([coords, np.zeros(n_units)])
            explained = np.append(explained, 0.0)
        return coords, (explained if method == "pca" else None)
    if sparse.issparse(data):
        svd = TruncatedSVD(n_components=min(50, n_features - 1), random_state=random_state)
        data = svd.fit_transform(data)
    elif n_features > 50 and n_units > 50:
        data = PCA(n_components=50, random_state=random_state).fit_transform(data)
    perplexity = float(max(1.0, min(30.0, (n_units - 1) / 3)))
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=random_state)
    return tsne.fit_transform(data), None


def _legend_name(label: object) -> str:
    if isinstance(label, (int, np.integer)):
        return "unassigned" if label < 0 else f"Topic {int(label)}"
    return shorten(label, 28)


def plot_unit_map(
    vectors,
    labels: Sequence[object] | np.ndarray,
    *,
    method: str = "pca",
    title: str | None = None,
    hover_labels: Sequence[str] | None = None,
    random_state: int = 0,
    ax: Axes | None = None,
) -> Figure:
    """Draw units as points in 2-D (PCA or t-SNE), one colour per topic.

    Parameters
    ----------
    vectors : array-like or scipy sparse matrix of shape (n_units, n_features)
        Unit vectors (TF-IDF rows, doc-topic weights, embeddings …).
    labels : sequence of length n_units
        Topic of each unit (ints, shown as "Topic k"; negative means unassigned) or names.
    method : {"pca", "tsne"}, default="pca"
        Projection; PCA axis labels carry the explained variance.
    title : str or None, default=None
        Axes title.
    hover_labels : sequence of str or None, default=None
        Names of the units. A PNG cannot hover, so they are written next to the points
        when there are at most 30 units and ignored otherwise.
    random_state : int, default=0
        Seed for the projection.
    ax : matplotlib.axes.Axes or None, default=None
        Draw into this axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    labels = np.asarray(labels)
    n_units = vectors.shape[0] if sparse.issparse(vectors) else len(vectors)
    if labels.shape != (n_units,):
        raise TopickitError(f"labels must have one entry per unit ({n_units}), got {labels.shape}")
    if hover_labels is not None and len(hover_labels) != n_units:
        raise TopickitError(
            f"hover_labels must have one entry per unit ({n_units}), got {len(hover_labels)}"
        )
    coords, explained = embed_2d(vectors, method=method, random_state=random_state)

    fig, ax = figure_and_axes(ax, width=9.0, height=6.5)
    size, alpha = (60.0, 0.9) if n_units <= 50 else (18.0, 0.75) if n_units <= 500 else (5.0, 0.5)
    categories = sorted(set(labels.tolist()), key=lambda v: (isinstance(v, str), v))
    palette = {}
    for category, colour in zip(categories, category_colors(len(categories)), strict=True):
        missing = isinstance(category, (int, np.integer)) and category < 0
        palette[category] = to_rgba("lightgrey" if missing else colour)
    # one scatter in a fixed shuffled order, so no topic is always painted over the others
    order = np.random.default_rng(random_state).permutation(n_units)
    point_colours = np.array([palette[c] for c in labels.tolist()])
    ax.scatter(
        coords[order, 0],
        coords[order, 1],
        s=size,
        alpha=alpha,
        c=point_colours[order],
        edgecolors="none",
    )
    handles = [
        Line2D(
            [], [], linestyle="", marker="o", markersize=7, color=palette[c], label=_legend_name(c)
        )
        for c in categories
    ]
    if hover_labels is not None and n_units <= MAX_POINT_LABELS:
        for (x, y), name in zip(coords, hover_labels, strict=True):
            ax.annotate(
                shorten(name, 18),
                (x, y),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=SMALL_FONT,
                alpha=0.85,
            )
    if explained is not None:
        ax.set_xlabel(f"component 1 ({explained[0]:.1%} of variance)")
        ax.set_ylabel(f"component 2 ({explained[1]:.1%} of variance)")
    else:
        ax.set_xlabel("component 1")
        ax.set_ylabel("component 2")
    name = "PCA" if method == "pca" else "t-SNE"
    ax.set_title(title or f"Map of {n_units} units ({name}), coloured by topic")
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=9,
        ncols=1 if len(categories) <= 20 else 2,
    )
    ax.grid(alpha=0.25)
    return fig
