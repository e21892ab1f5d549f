"""A theme classifier that uses both the codebook's seed terms and labelled examples.

Three ways of combining them, chosen by ``variant``:

``"pseudo"``
    Each theme's seed terms form one extra labelled training text (weight
    ``pseudo_weight``), so the TF-IDF vocabulary and the logistic regressions know the seed
    terms even when the labelled paragraphs never use them.
``"blend"``
    ``p = blend_weight * p_supervised + (1 - blend_weight) * p_lexicon``; the multi-label
    score blends the one-vs-rest probability with the lexicon evidence relative to the text's
    best theme.
``"features"``
    The lexicon's theme distribution, times ``feature_scale``, is appended to the TF-IDF
    features of the logistic regressions.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, ClassVar

import numpy as np

from topickit._validation import Interval, Options
from topickit.registry import THEME_CLASSIFIERS
from topickit.themes.codebook import Codebook
from topickit.themes.lexicon import LexiconScorer
from topickit.themes.supervised import SupervisedThemeClassifier

__all__ = ["COMBINED_VARIANTS", "CombinedThemeClassifier"]

#: The ways of combining seed terms and examples.
COMBINED_VARIANTS = ("pseudo", "blend", "features")


@THEME_CLASSIFIERS.register
class CombinedThemeClassifier(SupervisedThemeClassifier):
    """Seed terms plus labelled examples (see the module docstring for the variants).

    Parameters
    ----------
    codebook : Codebook, default=None
        The themes (required by ``fit``).
    variant : {"pseudo", "blend", "features"}, default="blend"
    C : float, default=10.0
    class_weight : {"balanced", None}, default="balanced"
    phrases : bool, default=False
    min_df : int, default=1
    theme_threshold : float, default=0.5
        ``predict_themes`` keeps themes whose (blended) one-vs-rest score reaches this value.
    pseudo_weight : float, default=1.0
        Sample weight of each seed-term pseudo-document (``variant="pseudo"``).
    blend_weight : float, default=0.5
        Weight of the supervised model in the blend (``variant="blend"``).
    feature_scale : float, default=1.0
        Multiplier of the lexicon feature columns (``variant="features"``).

    Attributes
    ----------
    lexicon_ : LexiconScorer
        The seed-term scorer (default settings, uniform prior).
    """

    kind: ClassVar[str] = "combined"
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **SupervisedThemeClassifier._parameter_constraints,
        "variant": [Options(COMBINED_VARIANTS)],
        "pseudo_weight": [Interval(Real, 0.0, None, closed="neither")],
        "blend_weight": [Interval(Real, 0.0, 1.0)],
        "feature_scale": [Interval(Real, 0.0, None, closed="neither")],
    }

    def __init__(
        self,
        *,
        codebook: Codebook | None = None,
        variant: str = "blend",
        C: float = 10.0,
        class_weight: str | None = "balanced",
        phrases: bool = False,
        min_df: int = 1,
        theme_threshold: float = 0.5,
        pseudo_weight: float = 1.0,
        blend_weight: float = 0.5,
        feature_scale: float = 1.0,
    ) -> None:
        super().__init__(
            codebook=codebook,
            C=C,
            class_weight=class_weight,
            phrases=phrases,
            min_df=min_df,
            theme_threshold=theme_threshold,
        )
        self.variant = variant
        self.pseudo_weight = pseudo_weight
        self.blend_weight = blend_weight
        self.feature_scale = feature_scale

    def _prepare(self) -> None:
        self.lexicon_ = LexiconScorer(codebook=self.codebook).fit([])

    def _extra_examples(self) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        if self.variant != "pseudo":
            return super()._extra_examples()
        n = len(self.classes_)
        texts = [" ; ".join(theme.seed_terms) for theme in self.codebook.themes]
        return texts, np.arange(n), np.eye(n, dtype=bool), np.full(n, float(self.pseudo_weight))

    def _extra_features(self, texts: list[str]) -> np.ndarray | None:
        if self.variant != "features":
            return None
        return self.feature_scale * self.lexicon_.predict_proba(texts)

    def _scores(self, texts: list[str]) -> np.ndarray:
        scores = super()._scores(texts)
        if self.variant == "blend":
            w = self.blend_weight
            scores = w * scores + (1.0 - w) * self.lexicon_.predict_proba(texts)
        return scores

    def theme_probabilities(self, texts: list[str]) -> np.ndarray:
        """One-vs-rest theme scores; for the blend, mixed with relative lexicon evidence."""
        probs = super().theme_probabilities(texts)
        if self.variant == "blend":
            raw = self.lexicon_.raw_scores(list(texts))
            best = raw.max(axis=1, keepdims=True)
            relative = np.divide(raw, best, out=np.zeros_like(raw), where=best > 0)
            probs = self.blend_weight * probs + (1.0 - self.blend_weight) * relative
        return probs
