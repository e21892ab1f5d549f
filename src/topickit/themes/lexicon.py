"""A theme scorer built from the codebook's seed terms alone (no training needed).

Seed terms and texts go through the same :meth:`TextPipeline.base_tokens` (normalised,
lemmatised, stop words kept), so "killed" matches the seed "kill" and "air strikes" matches
"air strike". Multi-word terms match as token sequences, longest match first, without overlap.

Scoring, for a text and a theme ``k``::

    s_k = sum over matched seed terms t of theme k:  w_t * f(count_t)
    w_t = 1 / (number of themes listing t)     (``specificity=True``; else 1)
    f(c) = 1 + log(c)                           (``sublinear=True``; else c)
    p_k = (s_k + smoothing * prior_k) / (sum_j s_j + smoothing)

so a text without any match gets the prior (uniform, or the training labels' theme shares
when ``prior="labels"``), and a text with a few matches is pulled towards its themes more
strongly the more it matches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Real
from typing import Any, ClassVar

import numpy as np

from topickit._validation import Interval, Options, check_fitted
from topickit.registry import THEME_CLASSIFIERS
from topickit.text.pipeline import TextPipeline
from topickit.themes.base import ThemeClassifier, lexical_tokens
from topickit.themes.codebook import Codebook

__all__ = ["LexiconScorer", "seed_term_table"]


def seed_term_table(
    codebook: Codebook, pipeline: TextPipeline | None = None
) -> dict[tuple[str, ...], list[int]]:
    """Lemmatised seed terms and the themes (codebook indices) that list them.

    Parameters
    ----------
    codebook : Codebook, default=None
        The themes (required by ``fit``).
    pipeline : TextPipeline, optional
        Supplies :meth:`~TextPipeline.base_tokens` (default settings when omitted).

    Returns
    -------
    dict of tuple of str to list of int
        Terms in first-seen order; a term written twice under one theme counts once.
    """
    pipeline = pipeline or TextPipeline(phrases=False)
    table: dict[tuple[str, ...], list[int]] = {}
    for k, theme in enumerate(codebook.themes):
        for term in theme.seed_terms:
            key = tuple(lexical_tokens(pipeline, term))
            if not key:
                continue
            owners = table.setdefault(key, [])
            if k not in owners:
                owners.append(k)
    return table


@THEME_CLASSIFIERS.register
class LexiconScorer(ThemeClassifier):
    """Score themes by matching the codebook's seed terms (see the module docstring).

    Parameters
    ----------
    codebook : Codebook
    specificity : bool, default=True
        Weight each term by 1 / (number of themes listing it).
    sublinear : bool, default=True
        Count a repeated term as ``1 + log(count)`` instead of ``count``.
    smoothing : float, default=0.5
        Pseudo-count of evidence for the prior; larger values keep weakly matched texts
        closer to the prior.
    prior : {"uniform", "labels"}, default="uniform"
        Distribution of a text with no match: uniform, or the primary-theme shares of the
        labels given to ``fit`` (uniform when ``fit`` got no labels).
    theme_threshold : float, default=0.5
        ``predict_themes`` keeps themes with some match whose score is at least this
        fraction of the text's best theme score.

    Attributes
    ----------
    terms_ : dict of tuple of str to list of int
        Lemmatised seed terms and the themes that list them.
    prior_ : ndarray of shape (n_themes,)
    """

    kind: ClassVar[str] = "lexicon"
    needs_labels: ClassVar[bool] = False
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **ThemeClassifier._parameter_constraints,
        "specificity": [bool],
        "sublinear": [bool],
        "smoothing": [Interval(Real, 0.0, None, closed="neither")],
        "prior": [Options({"uniform", "labels"})],
        "theme_threshold": [Interval(Real, 0.0, 1.0)],
    }

    def __init__(
        self,
        *,
        codebook: Codebook | None = None,
        specificity: bool = True,
        sublinear: bool = True,
        smoothing: float = 0.5,
        prior: str = "uniform",
        theme_threshold: float = 0.5,
    ) -> None:
        self.codebook = codebook
        self.specificity = specificity
        self.sublinear = sublinear
        self.smoothing = smoothing
        self.prior = prior
        self.theme_threshold = theme_threshold

    # ------------------------------------------------------------------ fitting
    def _fit(self, texts: list[str], y: np.ndarray | None, y_multi: np.ndarray | None) -> None:
        n = len(self.classes_)
        if self.prior == "labels" and y is not None and len(y):
            counts = np.bincount(y, minlength=n).astype(np.float64) + 1.0
            self.prior_ = counts / counts.sum()
            self.n_params_ = n - 1
        else:
            self.prior_ = np.full(n, 1.0 / n)
            self.n_params_ = 0
        self._build()

    def _build(self) -> None:
        self.pipeline_ = TextPipeline(phrases=False)
        self.terms_ = seed_term_table(self.codebook, self.pipeline_)
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        for term in self.terms_:
            self._by_first.setdefault(term[0], []).append(term)
        for starts in self._by_first.values():
            starts.sort(key=len, reverse=True)

    # ------------------------------------------------------------------ matching
    def match_counts(self, text: str) -> dict[tuple[str, ...], int]:
        """Seed terms found in ``text`` with their counts (longest match first, no overlap)."""
        check_fitted(self, "terms_")
        tokens = lexical_tokens(self.pipeline_, text)
        found: dict[tuple[str, ...], int] = {}
        i = 0
        while i < len(tokens):
            step = 1
            for term in self._by_first.get(tokens[i], ()):
                if tuple(tokens[i : i + len(term)]) == term:
                    found[term] = found.get(term, 0) + 1
                    step = len(term)
                    break
            i += step
        return found

    def explain(self, text: str) -> dict[str, list[str]]:
        """Matched seed terms of ``text`` by theme name (terms joined with spaces)."""
        out: dict[str, list[str]] = {name: [] for name in self.classes_}
        for term in self.match_counts(text):
            for k in self.terms_[term]:
                out[self.classes_[k]].append(" ".join(term))
        return out

    def raw_scores(self, texts: list[str]) -> np.ndarray:
        """Unnormalised evidence ``s_k`` of each text for each theme (0 when nothing matches).

        Returns
        -------
        ndarray of shape (n_texts, n_themes)
        """
        check_fitted(self, "terms_")
        out = np.zeros((len(texts), len(self.classes_)))
        for i, text in enumerate(texts):
            for term, count in self.match_counts(text).items():
                owners = self.terms_[term]
                weight = 1.0 / len(owners) if self.specificity else 1.0
                value = 1.0 + math.log(count) if self.sublinear else float(count)
                out[i, owners] += weight * value
        return out

    def _scores(self, texts: list[str]) -> np.ndarray:
        raw = self.raw_scores(texts)
        total = raw.sum(axis=1, keepdims=True) + self.smoothing
        return (raw + self.smoothing * self.prior_[np.newaxis, :]) / total

    def _theme_mask(self, texts: list[str], threshold: float) -> np.ndarray:
        return relative_mask(self.raw_scores(texts), threshold)

    # ------------------------------------------------------------------ persistence
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {}, {"prior": np.asarray(self.prior_, dtype=np.float64)}

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        self.prior_ = np.asarray(arrays["prior"], dtype=np.float64)
        self._build()


def relative_mask(raw: np.ndarray, threshold: float) -> np.ndarray:
    """Themes with positive evidence at least ``threshold`` times the row's largest evidence."""
    best = raw.max(axis=1, keepdims=True)
    return (raw > 0) & (raw >= threshold * best)
