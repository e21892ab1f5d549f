"""A loaded bundle: preprocess, transform and classify new texts with the saved parts."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from topickit.exceptions import BundleError

if TYPE_CHECKING:
    from pathlib import Path

    from topickit.themes.codebook import Codebook

__all__ = ["Bundle"]

_MAX_METRICS_SHOWN = 8


def _as_texts(texts: str | Iterable[str]) -> list[str]:
    """A list of texts; a single string counts as one text."""
    if isinstance(texts, str):
        return [texts]
    if texts is None:
        raise TypeError("texts must be a string or an iterable of strings, not None")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is {type(text).__name__}, expected str")
    return out


class Bundle:
    """A fitted pipeline, topic model and optional theme classifier, loaded from disk.

    Create one with :func:`topickit.bundle.load_bundle`.

    Attributes
    ----------
    manifest : dict
        The parsed ``manifest.json``.
    pipeline : TextPipeline
        The fitted preprocessing pipeline.
    model : TopicModel
        The fitted topic model.
    theme_classifier : object or None
        The fitted theme classifier, if the bundle has one.
    level : str
        The unit level the model was trained on.
    path : Path or None
        Where the bundle was loaded from.
    """

    def __init__(
        self,
        *,
        manifest: dict[str, Any],
        pipeline: Any,
        model: Any,
        theme_classifier: Any = None,
        path: Path | None = None,
    ) -> None:
        self.manifest = manifest
        self.pipeline = pipeline
        self.model = model
        self.theme_classifier = theme_classifier
        self.path = path
        self.level: str = str(manifest.get("corpus", {}).get("level", ""))

    def __repr__(self) -> str:
        themes = "" if self.theme_classifier is None else f", themes={self.theme_classifier.kind}"
        return (
            f"Bundle(model={self.model.kind}, n_topics={self.n_topics}, level={self.level}{themes})"
        )

    @property
    def n_topics(self) -> int:
        """Number of topics of the model."""
        return int(self.model.n_topics_)

    @property
    def topic_columns(self) -> list[str]:
        """Column names of :meth:`transform`: ``topic_0`` ... ``topic_{K-1}``."""
        return [f"topic_{k}" for k in range(self.n_topics)]

    @property
    def codebook(self) -> Codebook | None:
        """The saved codebook, or None."""
        from topickit.themes.codebook import Codebook

        data = self.manifest.get("codebook")
        return None if data is None else Codebook.from_dict(data, source="manifest.json codebook")

    # ------------------------------------------------------------------ applying
    def preprocess(self, texts: str | Iterable[str]) -> list[list[str]]:
        """Token lists of ``texts`` as the model saw its training units.

        Parameters
        ----------
        texts : str or iterable of str
            Unit texts at the bundle's :attr:`level`; one string is one text.

        Returns
        -------
        list of list of str
        """
        texts = _as_texts(texts)
        return self.pipeline.transform(texts) if texts else []

    def coverage(self, texts: str | Iterable[str]) -> np.ndarray:
        """The share of each text's tokens that the topic model knows.

        A text's tokens are taken after the bundle's own preprocessing (phrases, aliases,
        stop words, short tokens and numbers) but before its vocabulary filter; the share is
        how many of them are terms of the model's vocabulary. A paragraph of the training
        corpus scores 1.0 when the training run filtered no terms; a paragraph in another
        language, or one made of names the model never saw, scores near 0. A text with no
        tokens at all (empty, only stop words or numbers) scores 0.0: the model cannot read
        it either.

        Parameters
        ----------
        texts : str or iterable of str
            Unit texts at the bundle's :attr:`level`; one string is one text.

        Returns
        -------
        numpy.ndarray
            One float in [0, 1] per text.

        """
        return self._coverage_of(self._unfiltered_tokens(_as_texts(texts)))

    def transform_with_coverage(
        self, texts: str | Iterable[str]
    ) -> tuple[pd.DataFrame, np.ndarray]:
        """:meth:`transform` and :meth:`coverage` of the same texts, tokenising them once.

        Parameters
        ----------
        texts : str or iterable of str

        Returns
        -------
        weights : pandas.DataFrame
            As :meth:`transform`.
        coverage : numpy.ndarray
            As :meth:`coverage`.
        """
        docs = self._unfiltered_tokens(_as_texts(texts))
        vocab = self.pipeline.dictionary_.token2id
        weights = self._weights([[t for t in doc if t in vocab] for doc in docs])
        return weights, self._coverage_of(docs)

    def _unfiltered_tokens(self, texts: list[str]) -> list[list[str]]:
        """Tokens of each text after the pipeline's steps, before its vocabulary filter."""
        return [self.pipeline.final_tokens(text) for text in texts]

    def _coverage_of(self, docs: list[list[str]]) -> np.ndarray:
        """The share of each token list's tokens in the model's vocabulary (0.0 when empty)."""
        known = self._known_terms()
        shares = np.zeros(len(docs), dtype=np.float64)
        for i, tokens in enumerate(docs):
            if tokens:
                shares[i] = sum(t in known for t in tokens) / len(tokens)
        return shares

    def _known_terms(self) -> frozenset[str]:
        """The topic model's vocabulary as a set (computed once)."""
        known = self.__dict__.get("_known")
        if known is None:
            known = self._known = frozenset(str(t) for t in self.model.vocabulary_)
        return known

    def topic_labels(self, n: int = 5) -> list[str]:
        """The ``n`` top terms of each topic joined with spaces, one string per topic.

        Parameters
        ----------
        n : int, default=5
            Terms per topic.

        Returns
        -------
        list of str
            Item ``k`` belongs to topic ``k``.
        """
        return [" ".join(term for term, _ in terms) for terms in self.model.topic_terms(n)]

    def transform(self, texts: str | Iterable[str]) -> pd.DataFrame:
        """Topic weights of each text.

        Parameters
        ----------
        texts : str or iterable of str

        Returns
        -------
        pandas.DataFrame
            Columns ``topic_0`` ... ``topic_{K-1}``, one row per text, index ``0..n-1``.
        """
        return self._weights(self.preprocess(texts))

    def _weights(self, tokens: list[list[str]]) -> pd.DataFrame:
        """Topic weights of token lists already restricted to the vocabulary."""
        if not tokens:
            values = np.zeros((0, self.n_topics))
        else:
            values = np.asarray(self.model.transform(tokens), dtype=np.float64)
        return pd.DataFrame(values, columns=self.topic_columns)

    def topics(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` top terms of each topic.

        Returns
        -------
        pandas.DataFrame
            Columns ``topic, rank, term, weight``; ``rank`` is 1-based.
        """
        rows = [
            (k, rank, term, weight)
            for k, terms in enumerate(self.model.topic_terms(n))
            for rank, (term, weight) in enumerate(terms, start=1)
        ]
        return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])

    def predict_themes(self, texts: str | Iterable[str]) -> pd.DataFrame:
        """Primary theme and per-theme scores of each text.

        Returns
        -------
        pandas.DataFrame
            Column ``theme`` (highest-scoring theme) and one ``theme_<name>`` score column per
            theme, in codebook order.

        Raises
        ------
        BundleError
            When the bundle has no theme classifier.
        """
        clf = self.theme_classifier
        if clf is None:
            raise BundleError("this bundle has no theme classifier")
        names = [str(c) for c in clf.classes_]
        columns = [f"theme_{c}" for c in names]
        texts = _as_texts(texts)
        if not texts:
            frame = pd.DataFrame(np.zeros((0, len(names))), columns=columns)
            frame.insert(0, "theme", pd.Series([], dtype=object))
            return frame
        scores = np.asarray(clf.predict_scores(texts), dtype=np.float64)
        if scores.shape != (len(texts), len(names)):
            raise BundleError(
                f"theme classifier returned scores of shape {scores.shape}, "
                f"expected {(len(texts), len(names))}"
            )
        frame = pd.DataFrame(scores, columns=columns)
        frame.insert(0, "theme", [names[i] for i in scores.argmax(axis=1)])
        return frame

    # ------------------------------------------------------------------ describing
    def describe(self) -> str:
        """A multi-line, human-readable summary of what the manifest says."""
        m = self.manifest
        model = m.get("model") or {}
        corpus = m.get("corpus", {})
        versions = m.get("versions") or {}
        fingerprint = str(corpus.get("fingerprint", "?"))
        lines = [
            f"topickit bundle {self.path or ''}".rstrip(),
            f"  model: {model.get('class', type(self.model).__name__)} "
            f"(kind {self.model.kind!r}), K={self.n_topics} topics, "
            f"{len(self.model.vocabulary_)} terms",
            f"  level: {self.level}",
            f"  training corpus: {corpus.get('n_articles', '?')} articles, "
            f"{corpus.get('n_units', '?')} units, fingerprint {fingerprint[:12]}",
            f"  vocabulary: {len(self.pipeline.dictionary_)} terms, "
            f"{len(self.pipeline.phrases_)} phrases",
            f"  created: {m.get('created', '?')}",
            f"  versions: format {m.get('format_version')}, topickit {m.get('topickit_version')}"
            + "".join(f", {k} {v}" for k, v in versions.items() if k != "topickit" and v),
            f"  metrics: {self._metrics_line()}",
            f"  codebook: {self._codebook_line()}",
            f"  theme classifier: {self._themes_line()}",
            f"  components: {', '.join(m.get('components', []))}",
        ]
        return "\n".join(lines)

    def _metrics_line(self) -> str:
        shown = []
        for key, value in self.manifest.get("metrics", {}).items():
            if isinstance(value, Real) and not isinstance(value, bool):
                shown.append(f"{key}={value:.4g}")
            elif isinstance(value, str | bool) or value is None:
                shown.append(f"{key}={value}")
        if not shown:
            return "none recorded"
        extra = len(shown) - _MAX_METRICS_SHOWN
        text = ", ".join(shown[:_MAX_METRICS_SHOWN])
        return text + (f" (+{extra} more)" if extra > 0 else "")

    def _codebook_line(self) -> str:
        data = self.manifest.get("codebook")
        if not data:
            return "none"
        names = [t.get("name", "?") for t in data.get("themes", [])]
        return f"{data.get('name')} v{data.get('version')}: {', '.join(names)}"

    def _themes_line(self) -> str:
        if self.theme_classifier is None:
            return "none"
        classes = ", ".join(str(c) for c in getattr(self.theme_classifier, "classes_", []))
        return f"{self.theme_classifier.kind} ({classes})"
