"""The contract every theme classifier keeps, plus the helpers the classifiers share.

A theme classifier is a scikit-learn classifier over raw unit texts, scoring them against the
themes of a :class:`~topickit.themes.codebook.Codebook` (its ``codebook`` parameter).
``fit(X, y)`` takes the primary theme names or a theme indicator matrix; ``predict_proba``
returns one row per text: a distribution over the themes in codebook order (rows sum to 1),
whose argmax, ``predict``, is the primary theme. ``predict_themes`` gives the multi-label
answer (all themes of a text, always including the primary one). Classifiers persist without
pickle: :meth:`ThemeClassifier.get_state` gives JSON-able metadata plus numeric arrays, and
:meth:`ThemeClassifier.from_state` rebuilds them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import Tags

from topickit._tags import text_input_tags
from topickit._validation import check_fitted, validate_params
from topickit.exceptions import BundleError, DataError
from topickit.registry import THEME_CLASSIFIERS
from topickit.text.pipeline import TextPipeline
from topickit.text.stopwords import build_stopwords
from topickit.themes.codebook import Codebook
from topickit.themes.labels import check_theme_labels

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
        raise DataError(f"{where} expects a list of texts, not a single string")
    try:
        texts = list(texts)
    except TypeError:
        raise DataError(f"{where} expects a list of texts, got {type(texts).__name__}") from None
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise DataError(f"{where}: text {i} is {type(t).__name__}, not str")
    return texts


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Base class of topickit theme classifiers (not usable on its own).

    A scikit-learn classifier over raw texts: ``fit(X, y)``, ``predict``, ``predict_proba``
    and ``classes_`` (the codebook's theme names). Subclasses set :attr:`kind`, extend
    ``_parameter_constraints`` and implement ``_fit``, ``_scores``, ``_theme_mask``,
    ``_state`` and ``_restore``.

    Parameters
    ----------
    codebook : Codebook
        The themes, in the order of the probability columns. A keyword with default
        ``None`` (so the class is default-constructible and clonable); ``fit`` refuses a
        missing codebook with an :class:`~topickit.exceptions.InvalidParameterError`.

    Attributes
    ----------
    kind : str
        Registry name (``"lexicon"``, ``"supervised"``, ``"combined"``, ``"majority"``).
    classes_ : list of str
        Theme names in codebook order (set by ``fit``).
    n_params_ : int
        Number of parameters learned from labelled examples (set by ``fit``); used to
        prefer the simpler classifier on ties.
    """

    kind: ClassVar[str] = ""
    needs_labels: ClassVar[bool] = True
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {"codebook": [_is_codebook]}

    def __init__(self, *, codebook: Codebook | None = None) -> None:
        self.codebook = codebook

    def __sklearn_tags__(self) -> Tags:
        """Input is a list of raw texts; labels are needed unless ``needs_labels`` is false."""
        tags = text_input_tags(super().__sklearn_tags__())
        tags.target_tags.required = self.needs_labels
        tags.target_tags.one_d_labels = False  # a theme indicator matrix is accepted too
        return tags

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        X: Sequence[str],
        y: Any = None,
        *,
        themes: Sequence[Sequence[str]] | None = None,
    ) -> ThemeClassifier:
        """Learn from labelled texts.

        Parameters
        ----------
        X : list of str
            Raw unit texts.
        y : array-like of str of shape (n_texts,), or of shape (n_texts, n_themes), optional
            Either the primary theme name of each text, or a theme indicator matrix (true or
            1 where a text has a theme; columns in codebook order). For a matrix, the primary
            theme of a text is its first marked theme in codebook order; to choose it
            yourself, give the primary names as ``y`` and the full sets as ``themes``.
            Required unless the classifier needs no labels (the lexicon scorer).
        themes : list of tuple of str, optional
            All themes of each text, with 1-D ``y``; by default a text's themes are its
            primary one.

        Returns
        -------
        self

        Raises
        ------
        InvalidParameterError
            For a missing or invalid codebook or parameter.
        DataError
            When the texts are not strings, or the labels are missing (for a classifier that
            needs them), name unknown themes or do not match the texts in number.
        """
        self._validate_params()
        name = type(self).__name__
        if y is None and (themes is not None or self.needs_labels):
            raise DataError(
                f"{name} requires y to be passed, but the target y is None "
                "(fit needs the primary theme labels y)"
            )
        texts = _as_text_list(X, f"{name}.fit")
        names = self.codebook.names
        if y is None:
            y_codes, y_multi = None, None
        else:
            y_codes, y_multi = check_theme_labels(len(texts), y, themes, names)
        self.classes_ = list(names)
        self._fit(texts, y_codes, y_multi)
        return self

    def _validate_params(self) -> None:
        validate_params(
            self.get_params(deep=False), self._parameter_constraints, type(self).__name__
        )

    def _fit(self, texts: list[str], y: np.ndarray | None, y_multi: np.ndarray | None) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ predicting
    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Theme distribution of each text.

        Parameters
        ----------
        X : list of str

        Returns
        -------
        ndarray of shape (n_texts, n_themes)
            Probabilities in [0, 1], columns in ``classes_`` (codebook) order, each row
            summing to 1.
        """
        check_fitted(self, "classes_")
        texts = _as_text_list(X, f"{type(self).__name__}.predict_proba")
        if not texts:
            return np.zeros((0, len(self.classes_)))
        return self._scores(texts)

    def predict_scores(self, X: Sequence[str]) -> np.ndarray:
        """Same as :meth:`predict_proba` (the name saved bundles and their callers use)."""
        return self.predict_proba(X)

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """Primary theme of each text (argmax of :meth:`predict_proba`; ties: codebook order).

        Returns
        -------
        ndarray of str, shape (n_texts,)
        """
        scores = self.predict_proba(X)
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

        Called on :class:`ThemeClassifier` itself, the class is the one registered in
        :data:`topickit.registry.THEME_CLASSIFIERS` as ``meta["kind"]`` (the string only
        selects a registered class).

        Raises
        ------
        BundleError
            When the state is of another kind or format, or a key is missing.
        """
        target = THEME_CLASSIFIERS.find(meta.get("kind"), saved=True)
        if not isinstance(target, type) or not issubclass(target, cls):
            raise BundleError(
                f"theme classifier state of kind {meta.get('kind')!r} "
                f"cannot be loaded by {cls.__name__}"
            )
        if meta.get("format") != THEME_STATE_FORMAT:
            raise BundleError(f"theme classifier state format {meta.get('format')!r} unsupported")
        try:
            codebook = Codebook.from_dict(meta["codebook"], source="state codebook")
            model = target(codebook=codebook, **meta["params"])
            model._validate_params()  # a loaded classifier never runs fit, where this happens
            model.classes_ = list(codebook.names)
            model.n_params_ = int(meta["n_params"])
            model._restore(meta, arrays)
        except (KeyError, TypeError, ValueError) as err:
            raise BundleError(f"theme classifier state is incomplete or invalid: {err}") from err
        return model

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        raise NotImplementedError

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        raise NotImplementedError


@THEME_CLASSIFIERS.register
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

    def __init__(self, *, codebook: Codebook | None = None, theme_threshold: float = 1.0) -> None:
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
