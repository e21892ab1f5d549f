"""A run's theme analysis as data, and the tables made from it.

:class:`ThemeAnalysis` holds what an experiment learned about themes (the classifiers'
cross-validated scores, the classifier kept, every unit's theme scores, the topic-to-theme
mappings); the functions turn it into the tidy tables a run folder holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from topickit.themes.base import ThemeClassifier
from topickit.themes.codebook import Codebook
from topickit.themes.evaluation import CVResult
from topickit.themes.mapping import TopicThemeMap

__all__ = [
    "ThemeAnalysis",
    "classifier_table",
    "theme_share_frame",
    "themes_table",
    "topic_theme_labels",
    "topic_themes_table",
]


@dataclass
class ThemeAnalysis:
    """Everything a run learned about themes.

    Attributes
    ----------
    codebook : Codebook
    level : str
        Unit level of the theme analysis.
    annotated : pandas.DataFrame or None
        Annotations aligned with the level's units (``unit_id, primary, themes``).
    comparison : pandas.DataFrame or None
        Leave-one-article-out headline metrics per candidate (and the majority baseline).
    chosen : str
        Kind of the classifier kept.
    rule : str
        How it was chosen.
    cv : CVResult or None
        Out-of-fold predictions and metrics of the chosen classifier.
    classifier : ThemeClassifier
        The chosen classifier, fitted on every annotated unit (or untrained for the lexicon).
    scores : ndarray of shape (n_units, n_themes)
        Its theme scores for every unit of the level.
    mappings : dict of (str, str) to TopicThemeMap
        Topic-to-theme mapping of every kept topic model.
    agreement : dict of (str, str) to dict
        NMI, adjusted Rand and purity of each kept model's topics against the annotations.
    majority : CVResult or None
        Leave-one-article-out result of always predicting the most frequent theme.
    """

    codebook: Codebook
    level: str
    annotated: pd.DataFrame | None
    comparison: pd.DataFrame | None
    chosen: str
    rule: str
    cv: CVResult | None
    classifier: ThemeClassifier
    scores: np.ndarray
    mappings: dict[tuple[str, str], TopicThemeMap] = field(default_factory=dict)
    agreement: dict[tuple[str, str], dict] = field(default_factory=dict)
    majority: CVResult | None = None


def topic_theme_labels(analysis: ThemeAnalysis | None) -> dict:
    """``(model, level) -> {topic: "humanitarian (0.62)"}`` for every mapped topic model."""
    if analysis is None:
        return {}
    return {key: mapping.labels() for key, mapping in analysis.mappings.items()}


def themes_table(analysis: ThemeAnalysis, units: pd.DataFrame) -> pd.DataFrame:
    """Every unit's predicted themes, with the annotation and the out-of-fold prediction.

    Returns
    -------
    pandas.DataFrame
        ``unit_id, doc_id, level, text, theme, themes, theme_<name>…`` and, for annotated
        units, ``annotated_primary, annotated_themes, cv_theme, cv_themes``.
    """
    names = analysis.codebook.names
    texts = units["text"].tolist()
    predicted = analysis.classifier.predict_themes(texts)
    table = pd.DataFrame(
        {
            "unit_id": units["unit_id"].to_numpy(),
            "doc_id": units["doc_id"].to_numpy(),
            "level": units["level"].to_numpy(),
            "text": texts,
            "theme": [names[i] for i in np.argmax(analysis.scores, axis=1)],
            "themes": [";".join(t) for t in predicted],
        }
    )
    for i, name in enumerate(names):
        table[f"theme_{name}"] = analysis.scores[:, i]
    if analysis.annotated is not None:
        ann = analysis.annotated.set_index("unit_id")
        table["annotated_primary"] = table.unit_id.map(ann["primary"])
        table["annotated_themes"] = table.unit_id.map(ann["themes"].map(";".join))
    if analysis.cv is not None:
        preds = analysis.cv.predictions
        table["cv_theme"] = table.unit_id.map(preds["pred_primary"])
        table["cv_themes"] = table.unit_id.map(preds["pred_themes"].map(";".join))
    return table


def classifier_table(analysis: ThemeAnalysis) -> pd.DataFrame | None:
    """Cross-validated headline scores per classifier, majority baseline last (or None)."""
    if analysis.comparison is None:
        return None
    comparison = analysis.comparison.reset_index()
    if analysis.majority is not None:
        row = {"name": "majority", "kind": "majority", "n_params": 0}
        row.update({f"loao_{k}": v for k, v in analysis.majority.headline().items()})
        comparison = pd.concat([comparison, pd.DataFrame([row])], ignore_index=True)
    return comparison


def topic_themes_table(analysis: ThemeAnalysis) -> pd.DataFrame | None:
    """The theme each topic of each mapped model stands for (or None without mappings)."""
    rows = []
    for (name, level), mapping in sorted(analysis.mappings.items()):
        frame = mapping.assignment.copy()
        frame.insert(0, "level", level)
        frame.insert(0, "model", name)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True) if rows else None


def theme_share_frame(analysis: ThemeAnalysis, units: pd.DataFrame) -> pd.DataFrame:
    """Theme scores shaped like a ``doc_topics`` table (model ``"themes"``, one column a theme).

    So that the topic-share plots of :mod:`topickit.plots` can draw theme shares.
    """
    frame = pd.DataFrame(
        analysis.scores, columns=[f"topic_{i}" for i in range(analysis.scores.shape[1])]
    )
    frame.insert(0, "model", "themes")
    frame.insert(0, "level", analysis.level)
    frame.insert(0, "doc_id", units["doc_id"].to_numpy())
    frame.insert(0, "unit_id", units["unit_id"].to_numpy())
    return frame
