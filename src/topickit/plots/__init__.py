"""Figures for topic models: top terms, document views, metric curves, maps, alignments.

Every function takes tidy run-folder tables (or a labelled matrix), builds its figure with
matplotlib's object API and returns the :class:`~matplotlib.figure.Figure`; none of them
shows or saves. Single-panel plots also accept ``ax=`` to draw into an existing axes.
Use :func:`save_figure` to write a PNG atomically and close the figure.
"""

from __future__ import annotations

from topickit.plots._style import save_figure
from topickit.plots.alignment import plot_alignment_heatmap, plot_confusion_matrix
from topickit.plots.documents import (
    plot_doc_topic_heatmap,
    plot_prevalence_by_article,
    plot_prevalence_by_date,
)
from topickit.plots.maps import embed_2d, plot_unit_map
from topickit.plots.metrics import METRIC_TITLES, plot_metric_vs_k
from topickit.plots.prevalence import plot_prevalence_by_source, plot_prevalence_over_time
from topickit.plots.similarity import plot_similarity_r, plot_similarity_scatter
from topickit.plots.topics import plot_top_terms

__all__ = [
    "METRIC_TITLES",
    "embed_2d",
    "plot_alignment_heatmap",
    "plot_confusion_matrix",
    "plot_doc_topic_heatmap",
    "plot_metric_vs_k",
    "plot_prevalence_by_article",
    "plot_prevalence_by_date",
    "plot_prevalence_by_source",
    "plot_prevalence_over_time",
    "plot_similarity_r",
    "plot_similarity_scatter",
    "plot_top_terms",
    "plot_unit_map",
    "save_figure",
]
