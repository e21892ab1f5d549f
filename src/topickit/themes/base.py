"""The contract every theme classifier keeps, plus the helpers the classifiers share.

A theme classifier reads raw unit texts and scores them against the themes of a
:class:`~topickit.themes.codebook.Codebook`. ``predict_scores`` returns one row per text: a
distribution over the themes in codebook order (rows sum to 1), whose argmax is the primary
theme. ``predict_themes`` gives the multi-label answer (all themes of a text, always including
the primary one). Classifiers persist without pickle: :meth:`ThemeClassifier.get_state` gives
JSON-able metadata plus numeric arrays, and :meth:`ThemeClassifier.from_state` rebuilds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from topickit._subclasses import find_kind
from topickit._validation import check_fitted, validate_params
from topickit.exceptions import BundleError, ConfigError, CorpusError
from topickit.text.pipeline import TextPipeline
from topickit.text.stopwords import build_stopwords
from topickit.themes.codebook import Codebook

__all__ = [
    "THEME_STATE_FORMAT",
    "MajorityThemeClassifier",
    "ThemeClassifier",
    "lexical_tokens",
    "pipeline_tokens",
]

#: Version of the ``get_state`` layout; bump when the stored keys change.
THEME_STATE_FORMAT = 1

_STOP = build_stopwords(english=True, news=False, extra=())


def _is_codebook(value: object) -> bool:
    """a Codebook"""
    return isinstance(value, Codebook)


def lexical_tokens(pipeline: TextPipeline, text: str) -> list[str]:
    """Lemmatised tokens of ``text`` for matching seed terms (stop words kept).

    Tokens are :meth:`TextPipeline.base_tokens`, lower-cased, except acronyms whose lower-case
    form is an English stop word ("US" stays "US", so it never matches the pronoun "us").
    """
    out = []
    for tok in pipeline.base_tokens(text):
        low = tok.lower()
        out.append(tok if tok.isupper() and low in _STOP else low)
    return out


def pipeline_tokens(pipeline: TextPipeline, phrases: Mapping[str, float], text: str) -> list[str]:
    """Final pipeline tokens of ``text`` with a given phrase table (before vocabulary filters).

    This is what :meth:`TextPipeline.transform` computes before it restricts tokens to the
    pipeline's own vocabulary; the classifiers keep their own vocabulary instead.
    """
    return pipeline.final_tokens(text, dict(phrases))


def _as_text_list(texts: Any, where: str) -> list[str]:
    if isinstance(texts, str):
        raise TypeError(f"{where} expects a list of texts, not a single string")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{where}: text {i} is {type(t).__name__}, not str")
    return texts


class ThemeClassifier(BaseEstimator):
    """Base class of topickit theme classifiers (not usable on its own).

    Subclasses set :attr:`kind`, extend ``_parameter_constraints`` and implement ``_fit``,
    ``_scores``, ``_theme_mask``, ``_state`` and ``_restore``.

    Parameters
    ----------
    codebook : Codebook
        The themes, in the order of the score columns.

    Attributes
    ----------
    kind : str
        Registry name (``"lexicon"``, ``"supervised"``, ``"combined"``).
    classes_ : list of str
        Theme names in codebook order (set by ``fit``).
    n_params_ : int
        Number of parameters learned from labelled examples (set by ``fit``); used to
        prefer the simpler classifier on ties.
    """

    kind: ClassVar[str] = ""
    needs_labels: ClassVar[bool] = True
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {"codebook": [_is_codebook]}

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        texts: Sequence[str],
        primary: Sequence[str] | None = None,
        themes: Sequence[Sequence[str]] | None = None,
    ) -> ThemeClassifier:
        """Learn from labelled texts.

        Parameters
        ----------
        texts : list of str
            Raw unit texts.
        primary : list of str, optional
            Primary theme of each text (required unless the classifier needs no labels).
        themes : list of tuple of str, optional
            All themes of each text; by default each text's themes are its primary one.

        Returns
        -------
        self

        Raises
        ------
        CorpusError
            When labels name unknown themes or do not match the texts in number.
        """
        self._validate_params()
        texts = _as_text_list(texts, f"{type(self).__name__}.fit")
        names = self.codebook.names
        if primary is None:
            if self.needs_labels:
                raise CorpusError(f"{type(self).__name__}.fit needs the primary theme labels")
            y, y_multi = None, None
        else:
            y, y_multi = self._check_labels(texts, primary, themes, names)
        self.classes_ = list(names)
        self._fit(texts, y, y_multi)
        return self

    def _validate_params(self) -> None:
        validate_params(
            self.get_params(deep=False), self._parameter_constraints, type(self).__name__
        )

    @staticmethod
    def _check_labels(
        texts: list[str],
        primary: Sequence[str],
        themes: Sequence[Sequence[str]] | None,
        names: list[str],
    ) -> tuple[np.ndarray, np.ndarray]:
        index = {n: k for k, n in enumerate(names)}
        primary = list(primary)
        if len(primary) != len(texts):
            raise CorpusError(f"got {len(texts)} texts but {len(primary)} primary labels")
        if themes is None:
            themes = [(p,) for p in primary]
        themes = [tuple(t) for t in themes]
        if len(themes) != len(texts):
            raise CorpusError(f"got {len(texts)} texts but {len(themes)} theme label sets")
        y = np.empty(len(texts), dtype=np.int64)
        y_multi = np.zeros((len(texts), len(names)), dtype=bool)
        for i, (p, ts) in enumerate(zip(primary, themes, strict=True)):
            for name in (p, *ts):
                if name not in index:
                    raise CorpusError(f"label {i}: unknown theme {name!r}; known: {names}")
            y[i] = index[p]
            y_multi[i, [index[t] for t in ts]] = True
            y_multi[i, index[p]] = True
        return y, y_multi

    def _fit(self, texts: list[str], y: np.ndarray | None, y_multi: np.ndarray | None) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ predicting
    def predict_scores(self, texts: Sequence[str]) -> np.ndarray:
        """Theme distribution of each text.

        Parameters
        ----------
        texts : list of str

        Returns
        -------
        ndarray of shape (n_texts, n_themes)
            Scores in [0, 1], codebook order, each row summing to 1.
        """
        check_fitted(self, "classes_")
        texts = _as_text_list(texts, f"{type(self).__name__}.predict_scores")
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return self._scores(texts)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Primary theme of each text (argmax of :meth:`predict_scores`; ties: codebook order).

        Returns
        -------
        ndarray of str, shape (n_texts,)
        """
        scores = self.predict_scores(texts)
        return np.asarray(self.classes_, dtype=object)[np.argmax(scores, axis=1)].astype(str)

    def predict_themes(
        self, texts: Sequence[str], threshold: float | None = None
    ) -> list[tuple[str, ...]]:
        """All themes of each text (multi-label), always including the primary theme.

        Parameters
        ----------
        texts : list of str
        threshold : float, optional
            Overrides the classifier's own ``theme_threshold`` (see each class for its
            meaning).

        Returns
        -------
        list of tuple of str
            Themes in codebook order.
        """
        check_fitted(self, "classes_")
        texts = _as_text_list(texts, f"{type(self).__name__}.predict_themes")
        if not texts:
            return []
        threshold = self.theme_threshold if threshold is None else float(threshold)
        mask = self._theme_mask(texts, threshold)
        mask[np.arange(len(texts)), np.argmax(self._scores(texts), axis=1)] = True
        return [tuple(n for n, m in zip(self.classes_, row, strict=True) if m) for row in mask]

    def _scores(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def _theme_mask(self, texts: list[str], threshold: float) -> np.ndarray:
        raise NotImplementedError

    # ------------------------------------------------------------------ persistence
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Everything needed to rebuild the fitted classifier, without pickle.

        Returns
        -------
        meta : dict
            JSON-serialisable: kind, class, format, params, the codebook and fitted scalars.
        arrays : dict of str to ndarray
            Numeric arrays only (safe for ``np.savez`` / ``np.load(allow_pickle=False)``).
        """
        check_fitted(self, "classes_")
        params = {k: v for k, v in self.get_params(deep=False).items() if k != "codebook"}
        extra, arrays = self._state()
        meta = {
            "format": THEME_STATE_FORMAT,
            "kind": self.kind,
            "class": type(self).__name__,
            "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
            "codebook": self.codebook.to_dict(),
            "n_params": int(self.n_params_),
            **extra,
        }
        arrays = {k: np.asarray(v) for k, v in arrays.items()}
        for key, arr in arrays.items():
            if arr.dtype == object:
                raise TypeError(f"state array {key!r} has dtype object")
        return meta, arrays

    @classmethod
    def from_state(
        cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
    ) -> ThemeClassifier:
        """Rebuild a fitted classifier from :meth:`get_state` output.

        Called on :class:`ThemeClassifier` itself, the class is chosen by ``meta["kind"]``.

        Raises
        ------
        BundleError
            When the state is of another kind or format, or a key is missing.
        """
        target = find_kind(cls, meta.get("kind"))
        if target is None:
            raise BundleError(
                f"theme classifier state of kind {meta.get('kind')!r} "
                f"cannot be loaded by {cls.__name__}"
            )
        if meta.get("format") != THEME_STATE_FORMAT:
            raise BundleError(f"theme classifier state format {meta.get('format')!r} unsupported")
        try:
            codebook = Codebook.from_dict(meta["codebook"], source="state codebook")
            model = target(codebook=codebook, **meta["params"])
            model.classes_ = list(codebook.names)
            model.n_params_ = int(meta["n_params"])
            model._restore(meta, arrays)
        except (KeyError, TypeError, ConfigError) as err:
            raise BundleError(f"theme classifier state is incomplete or invalid: {err}") from err
        return model

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        raise NotImplementedError

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        raise NotImplementedError


class MajorityThemeClassifier(ThemeClassifier):
    """Baseline: every text gets the most frequent primary theme of the training labels.

    Ties go to the theme listed first in the codebook. ``predict_themes`` returns the primary
    theme only.

    Parameters
    ----------
    codebook : Codebook
    theme_threshold : float, default=1.0
        Unused (kept for the common interface).
    """

    kind: ClassVar[str] = "majority"

    def __init__(self, codebook: Codebook, theme_threshold: float = 1.0) -> None:
        self.codebook = codebook
        self.theme_threshold = theme_threshold

    def _fit(self, texts: list[str], y: np.ndarray | None, y_multi: np.ndarray | None) -> None:
        counts = np.bincount(y, minlength=len(self.classes_))
        self.majority_ = int(np.argmax(counts))
        self.n_params_ = 1

    def _scores(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.classes_)))
        out[:, self.majority_] = 1.0
        return out

    def _theme_mask(self, texts: list[str], threshold: float) -> np.ndarray:
        return np.zeros((len(texts), len(self.classes_)), dtype=bool)

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"majority": self.majority_}, {}

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        self.majority_ = int(meta["majority"])
