"""Evaluating theme classifiers: leave-one-article-out, held-out sets, baselines, choice.

Paragraphs of one article share names, quotes and wording, so a classifier is always tested
on articles it was not trained on: :func:`leave_one_article_out` fits on all other articles
and predicts the held-out article's units, once per article. Metrics are computed over the
codebook's themes (a theme absent from both truth and predictions scores 0, as scikit-learn's
``zero_division=0`` does).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.preprocessing import MultiLabelBinarizer

from topickit.exceptions import ConfigError, CorpusError
from topickit.themes.base import MajorityThemeClassifier, ThemeClassifier
from topickit.themes.codebook import Codebook

__all__ = [
    "CVResult",
    "choose_best",
    "compare_classifiers",
    "evaluate_on",
    "leave_one_article_out",
    "majority_baseline",
    "score_predictions",
]

logger = logging.getLogger(__name__)

Themes = Sequence[Sequence[str]]


@dataclass
class CVResult:
    """Predictions and metrics of a theme classifier on labelled units.

    Attributes
    ----------
    predictions : pandas.DataFrame
        One row per unit (index: unit ids, or positions): ``doc_id`` (fold; None for a
        held-out set), ``true_primary``, ``pred_primary``, ``true_themes``, ``pred_themes``
        and one ``score_<theme>`` column per theme.
    primary : dict
        ``accuracy`` and ``macro_f1`` of the primary theme.
    multilabel : dict
        ``micro_f1`` and ``macro_f1`` of the theme sets.
    per_theme : pandas.DataFrame
        Index: themes (codebook order); precision, recall, f1 and support of the primary
        decision, and ``ml_precision``, ``ml_recall``, ``ml_f1``, ``ml_support`` of the
        theme sets.
    confusion : pandas.DataFrame
        Primary-theme confusion counts, rows true, columns predicted, codebook order.
    """

    predictions: pd.DataFrame
    primary: dict[str, float]
    multilabel: dict[str, float]
    per_theme: pd.DataFrame
    confusion: pd.DataFrame

    def headline(self) -> dict[str, float]:
        """The four headline metrics in one flat dict."""
        return {
            "accuracy": self.primary["accuracy"],
            "macro_f1": self.primary["macro_f1"],
            "ml_micro_f1": self.multilabel["micro_f1"],
            "ml_macro_f1": self.multilabel["macro_f1"],
        }


def score_predictions(
    names: Sequence[str],
    true_primary: Sequence[str],
    pred_primary: Sequence[str],
    true_themes: Themes,
    pred_themes: Themes,
) -> tuple[dict[str, float], dict[str, float], pd.DataFrame, pd.DataFrame]:
    """Primary and multi-label metrics over the themes ``names``.

    Returns
    -------
    primary : dict
    multilabel : dict
    per_theme : pandas.DataFrame
    confusion : pandas.DataFrame
        See :class:`CVResult`.
    """
    names = list(names)
    yt, yp = list(true_primary), list(pred_primary)
    primary = {
        "accuracy": float(accuracy_score(yt, yp)),
        "macro_f1": float(f1_score(yt, yp, labels=names, average="macro", zero_division=0)),
    }
    binarizer = MultiLabelBinarizer(classes=names)
    mt = binarizer.fit_transform([tuple(t) for t in true_themes])
    mp = binarizer.transform([tuple(t) for t in pred_themes])
    multilabel = {
        "micro_f1": float(f1_score(mt, mp, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(mt, mp, average="macro", zero_division=0)),
    }
    p, r, f, s = precision_recall_fscore_support(yt, yp, labels=names, zero_division=0)
    mlp, mlr, mlf, mls = precision_recall_fscore_support(mt, mp, zero_division=0)
    per_theme = pd.DataFrame(
        {
            "precision": p,
            "recall": r,
            "f1": f,
            "support": s,
            "ml_precision": mlp,
            "ml_recall": mlr,
            "ml_f1": mlf,
            "ml_support": mls,
        },
        index=pd.Index(names, name="theme"),
    )
    confusion = pd.DataFrame(
        confusion_matrix(yt, yp, labels=names),
        index=pd.Index(names, name="true"),
        columns=pd.Index(names, name="predicted"),
    )
    return primary, multilabel, per_theme, confusion


def _result(
    names: list[str],
    index: Sequence,
    doc_ids: Sequence | None,
    true_primary: Sequence[str],
    true_themes: Themes,
    pred_primary: Sequence[str],
    pred_themes: Themes,
    scores: np.ndarray,
) -> CVResult:
    frame = pd.DataFrame(
        {
            "doc_id": list(doc_ids) if doc_ids is not None else [None] * len(index),
            "true_primary": list(true_primary),
            "pred_primary": list(pred_primary),
            "true_themes": [tuple(t) for t in true_themes],
            "pred_themes": [tuple(t) for t in pred_themes],
        },
        index=pd.Index(list(index), name="unit"),
    )
    for k, name in enumerate(names):
        frame[f"score_{name}"] = scores[:, k]
    metrics = score_predictions(names, true_primary, pred_primary, true_themes, pred_themes)
    return CVResult(frame, *metrics)


def _check_lengths(texts: Sequence[str], **columns: Sequence | None) -> None:
    for name, col in columns.items():
        if col is not None and len(col) != len(texts):
            raise CorpusError(f"got {len(texts)} texts but {len(col)} {name}")


def leave_one_article_out(
    make_classifier: Callable[[], ThemeClassifier],
    texts: Sequence[str],
    doc_ids: Sequence[str],
    primary: Sequence[str],
    themes: Themes,
    *,
    unit_ids: Sequence[str] | None = None,
) -> CVResult:
    """Fit on all articles but one, predict that one's units; repeat for every article.

    Parameters
    ----------
    make_classifier : callable
        Returns a new, unfitted classifier (called once per fold).
    texts, doc_ids, primary, themes : sequences of equal length
        Unit texts, the article each unit belongs to, and its labels.
    unit_ids : sequence of str, optional
        Index of the predictions table (positions by default).

    Returns
    -------
    CVResult
    """
    texts = list(texts)
    _check_lengths(texts, doc_ids=doc_ids, primary=primary, themes=themes, unit_ids=unit_ids)
    doc_ids = np.asarray([str(d) for d in doc_ids])
    folds = sorted(set(doc_ids))
    if len(folds) < 2:
        raise CorpusError("leave-one-article-out needs units from at least two articles")
    primary, themes = list(primary), [tuple(t) for t in themes]
    pred_primary: list[str] = [""] * len(texts)
    pred_themes: list[tuple[str, ...]] = [()] * len(texts)
    names: list[str] = []
    scores = None
    for doc in folds:
        test = np.flatnonzero(doc_ids == doc)
        train = np.flatnonzero(doc_ids != doc)
        model = make_classifier()
        names = model.codebook.names
        model.fit(
            [texts[i] for i in train],
            [primary[i] for i in train],
            themes=[themes[i] for i in train],
        )
        held = [texts[i] for i in test]
        fold_scores = model.predict_proba(held)
        if scores is None:
            scores = np.zeros((len(texts), len(names)))
        scores[test] = fold_scores
        for i, p, ts in zip(test, model.predict(held), model.predict_themes(held), strict=True):
            pred_primary[i], pred_themes[i] = str(p), ts
        logger.debug("fold %s: %d train, %d test units", doc, len(train), len(test))
    index = list(unit_ids) if unit_ids is not None else range(len(texts))
    return _result(names, index, doc_ids, primary, themes, pred_primary, pred_themes, scores)


def majority_baseline(
    codebook: Codebook,
    texts: Sequence[str],
    doc_ids: Sequence[str],
    primary: Sequence[str],
    themes: Themes,
    *,
    unit_ids: Sequence[str] | None = None,
) -> CVResult:
    """Leave-one-article-out metrics of predicting the training folds' most frequent theme.

    Each held-out unit gets the most frequent primary theme of the other articles (ties: the
    theme listed first in the codebook) and the theme set ``{primary}``.
    """
    return leave_one_article_out(
        lambda: MajorityThemeClassifier(codebook=codebook),
        texts,
        doc_ids,
        primary,
        themes,
        unit_ids=unit_ids,
    )


def evaluate_on(
    classifier: ThemeClassifier,
    texts: Sequence[str],
    primary: Sequence[str],
    themes: Themes,
    *,
    unit_ids: Sequence[str] | None = None,
) -> CVResult:
    """Metrics of a fitted classifier on a held-out labelled set (e.g. the dev paragraphs)."""
    texts = list(texts)
    _check_lengths(texts, primary=primary, themes=themes, unit_ids=unit_ids)
    index = list(unit_ids) if unit_ids is not None else range(len(texts))
    return _result(
        classifier.classes_,
        index,
        None,
        list(primary),
        [tuple(t) for t in themes],
        [str(p) for p in classifier.predict(texts)],
        classifier.predict_themes(texts),
        classifier.predict_proba(texts),
    )


def compare_classifiers(
    candidates: dict[str, Callable[[], ThemeClassifier]],
    texts: Sequence[str],
    doc_ids: Sequence[str],
    primary: Sequence[str],
    themes: Themes,
    *,
    dev: tuple[Sequence[str], Sequence[str], Themes] | None = None,
) -> pd.DataFrame:
    """Leave-one-article-out (and optional held-out) headline metrics of several candidates.

    Parameters
    ----------
    candidates : dict of str to callable
        Name to a factory of unfitted classifiers.
    texts, doc_ids, primary, themes : sequences
        The labelled units for leave-one-article-out.
    dev : (texts, primary, themes), optional
        A held-out set; each candidate is fitted on all units and scored on it.

    Returns
    -------
    pandas.DataFrame
        One row per candidate (index: name): ``kind``, ``n_params`` (fitted on all units),
        ``loao_accuracy``, ``loao_macro_f1``, ``loao_ml_micro_f1``, ``loao_ml_macro_f1`` and,
        with ``dev``, the same four with the prefix ``dev_``.
    """
    if not candidates:
        raise ConfigError("compare_classifiers needs at least one candidate")
    rows = []
    for name, factory in candidates.items():
        cv = leave_one_article_out(factory, texts, doc_ids, primary, themes)
        full = factory().fit(list(texts), list(primary), themes=[tuple(t) for t in themes])
        row = {"name": name, "kind": full.kind, "n_params": int(full.n_params_)}
        row.update({f"loao_{k}": v for k, v in cv.headline().items()})
        if dev is not None:
            held = evaluate_on(full, *dev)
            row.update({f"dev_{k}": v for k, v in held.headline().items()})
        rows.append(row)
        logger.info("%s: LOAO macro-F1 %.3f", name, row["loao_macro_f1"])
    return pd.DataFrame(rows).set_index("name")


def choose_best(
    table: pd.DataFrame, *, metric: str = "loao_macro_f1", tol: float = 0.0
) -> tuple[str, str]:
    """The best candidate of a :func:`compare_classifiers` table, and the rule used.

    The highest ``metric`` wins; candidates within ``tol`` of the best count as tied, and a
    tie goes to the one with fewest trained parameters (then table order).

    Returns
    -------
    name : str
    rule : str
        One sentence stating the rule and the figures it was applied to.
    """
    if metric not in table.columns:
        raise ConfigError(f"choose_best: no column {metric!r} in the comparison table")
    values = table[metric].round(6)
    best = float(values.max())
    tied = table[values >= best - tol]
    winner = str(tied.sort_values("n_params", kind="stable").index[0])
    rule = (
        f"Chose {winner!r}: highest {metric} ({float(table.loc[winner, metric]):.3f}; best "
        f"{best:.3f}), candidates within {tol:g} of the best counting as tied and ties going "
        f"to the fewest trained parameters ({len(tied)} tied)."
    )
    return winner, rule
