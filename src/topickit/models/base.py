"""The contract every topickit topic model keeps, plus helpers the models share.

A topic model is a scikit-learn transformer over token lists: ``fit(X)`` learns
``components_`` (topics x terms) over ``vocabulary_``, and ``transform(X)`` returns one row of
topic weights per document. Models persist without pickle through :meth:`TopicModel.get_state`
(JSON-able metadata plus plain numeric arrays) and :meth:`TopicModel.from_state`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import Tags

from topickit._tags import text_input_tags
from topickit._validation import Interval, check_fitted, validate_params
from topickit.exceptions import BundleError, CorpusError, DataError, InvalidParameterError
from topickit.registry import MODELS
from topickit.vectorize import TokenCorpus, as_token_corpus, count_matrix

__all__ = [
    "STATE_FORMAT",
    "Docs",
    "TopicModel",
    "empty_rows",
    "state_value",
    "token_corpus",
    "uniform_empty_rows",
]

logger = logging.getLogger(__name__)

#: Version of the ``get_state`` layout; bump when the stored keys change.
STATE_FORMAT = 1

#: What ``fit`` and ``transform`` accept.
Docs = TokenCorpus | Iterable[Sequence[str]]


class TopicModel(TransformerMixin, BaseEstimator):
    """Base class of topickit topic models (not usable on its own).

    Subclasses set the class attributes, declare ``_parameter_constraints``, and implement
    ``_fit_counts``, ``_transform_counts``, ``_state_arrays`` and ``_restore``.

    Attributes
    ----------
    kind : str
        Registry name of the model (``"nmf"``, ``"gensim_lda"``, ...).
    probabilistic : bool
        Whether ``transform`` rows are posterior topic probabilities.
    rows_sum_to_one : bool
        Whether every ``transform`` row sums to 1 (true for all models except LSA).
    vocabulary_ : list of str
        Terms in column order of ``components_`` (set by ``fit``).
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-term weights (set by ``fit``).
    n_topics_ : int
        Number of topics learned.
    """

    kind: ClassVar[str] = ""
    probabilistic: ClassVar[bool] = False
    rows_sum_to_one: ClassVar[bool] = True

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_topics": [Interval(Integral, 1, None, closed="left")],
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both")],
    }

    def __sklearn_tags__(self) -> Tags:
        """Input is a list of token lists (or a ``TokenCorpus``), not a numeric matrix."""
        return text_input_tags(super().__sklearn_tags__())

    # ------------------------------------------------------------------ fitting
    def fit(self, X: Docs, y: Any = None) -> TopicModel:
        """Learn the topics of ``X``.

        Parameters
        ----------
        X : TokenCorpus or sequence of token lists
            Training documents.
        y : ignored
            Present for scikit-learn API compatibility.

        Returns
        -------
        self
        """
        self._validate_params()
        corpus = token_corpus(X, f"{type(self).__name__}.fit")
        if len(corpus) == 0:
            raise CorpusError(f"{type(self).__name__}.fit got no documents")
        vocabulary = list(corpus.terms)
        counts = corpus.counts
        if not vocabulary or counts.sum() == 0:
            raise CorpusError(
                f"{type(self).__name__}.fit got an empty vocabulary; "
                "perhaps the documents only contained stop words"
            )
        self.vocabulary_ = vocabulary
        logger.info(
            "fitting %s with %d topics on %d documents x %d terms",
            type(self).__name__,
            self.n_topics,
            counts.shape[0],
            counts.shape[1],
        )
        self._fit_counts(counts, corpus)
        self.n_topics_ = int(self.components_.shape[0])
        return self

    def transform(self, X: Docs) -> np.ndarray:
        """Topic weights of each document of ``X`` (training or new documents).

        Tokens outside ``vocabulary_`` are ignored.

        Parameters
        ----------
        X : TokenCorpus or sequence of token lists

        Returns
        -------
        ndarray of shape (n_docs, n_topics)
        """
        check_fitted(self, "components_")
        corpus = token_corpus(X, f"{type(self).__name__}.transform")
        counts = count_matrix(corpus, self.vocabulary_)
        if counts.shape[0] == 0:
            return np.zeros((0, self.n_topics_))
        return self._transform_counts(counts, corpus)

    def _validate_params(self) -> None:
        validate_params(
            self.get_params(deep=False), self._parameter_constraints, type(self).__name__
        )

    def _fit_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> None:
        raise NotImplementedError

    def _transform_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> np.ndarray:
        raise NotImplementedError

    def _check_topics_fit(self, limit: int, what: str, *, strict: bool = False) -> None:
        """Raise InvalidParameterError when ``n_topics`` is too large for the data (``limit``)."""
        too_many = self.n_topics >= limit if strict else self.n_topics > limit
        if too_many:
            relation = "smaller than" if strict else "at most"
            raise InvalidParameterError(
                f"n_topics={self.n_topics} must be {relation} the {what} ({limit}) "
                f"for {type(self).__name__}"
            )

    # ------------------------------------------------------------------ inspection
    def topic_terms(self, n: int = 10) -> list[list[tuple[str, float]]]:
        """The ``n`` highest-ranked terms of each topic, with their weights.

        Parameters
        ----------
        n : int, default=10
            Terms per topic (fewer when the vocabulary is smaller).

        Returns
        -------
        list of list of (str, float)
            One list per topic, best term first; ties keep vocabulary order.
        """
        check_fitted(self, "components_")
        if isinstance(n, bool) or not isinstance(n, Integral) or n < 1:
            raise InvalidParameterError(f"n must be a positive int, got {n!r}")
        scores = self._ranking_scores()
        result = []
        for k in range(self.components_.shape[0]):
            order = np.argsort(-scores[k], kind="stable")[:n]
            result.append([(self.vocabulary_[j], float(self.components_[k, j])) for j in order])
        return result

    def _ranking_scores(self) -> np.ndarray:
        return self.components_

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output column names ``["topic0", "topic1", ...]`` (object ndarray, sklearn style)."""
        check_fitted(self, "components_")
        return np.asarray([f"topic{k}" for k in range(self.n_topics_)], dtype=object)

    # ------------------------------------------------------------------ persistence
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Everything needed to rebuild the fitted model, without pickle.

        Returns
        -------
        meta : dict
            JSON-serialisable: kind, class name, format version, params, vocabulary and
            model-specific scalars.
        arrays : dict of str to ndarray
            Numeric arrays only (safe for ``np.savez`` / ``np.load(allow_pickle=False)``).
        """
        check_fitted(self, "components_")
        params: dict[str, Any] = {}
        arrays: dict[str, np.ndarray] = {}
        array_params = []
        for name, value in self.get_params(deep=False).items():
            if isinstance(value, np.ndarray):
                arrays[f"param__{name}"] = np.asarray(value, dtype=np.float64)
                array_params.append(name)
            else:
                params[name] = _jsonable(value)
        extra_meta, model_arrays = self._state()
        arrays.update(model_arrays)
        meta = {
            "format": STATE_FORMAT,
            "kind": self.kind,
            "class": type(self).__name__,
            "params": params,
            "array_params": array_params,
            "vocabulary": list(self.vocabulary_),
            "n_topics": int(self.n_topics_),
            **{k: _jsonable(v) for k, v in extra_meta.items()},
        }
        for key, arr in arrays.items():
            if arr.dtype == object:
                raise TypeError(f"state array {key!r} has dtype object")
        return meta, arrays

    @classmethod
    def from_state(cls, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> TopicModel:
        """Rebuild a fitted model from :meth:`get_state` output.

        Called on :class:`TopicModel` itself, the class is the one registered in
        :data:`topickit.registry.MODELS` as ``meta["kind"]``; called on a subclass, the
        state must be of that subclass. The kind string only selects a registered class.

        Raises
        ------
        BundleError
            When the state is of another kind or format, or a key is missing.
        """
        kind = meta.get("kind")
        target = MODELS.find(kind, saved=True)
        if not isinstance(target, type) or not issubclass(target, cls):
            raise BundleError(f"model state of kind {kind!r} cannot be loaded by {cls.__name__}")
        if meta.get("format") != STATE_FORMAT:
            raise BundleError(
                f"model state format {meta.get('format')!r} is not supported "
                f"(expected {STATE_FORMAT})"
            )
        params = dict(state_value(meta, "params", "meta"))
        for name in meta.get("array_params", []):
            params[name] = np.asarray(state_value(arrays, f"param__{name}", "arrays"))
        try:
            model = target(**params)
            model._validate_params()  # a loaded model never runs fit, where this happens
        except (TypeError, ValueError) as err:
            raise BundleError(f"model state params do not fit {target.__name__}: {err}") from err
        model.vocabulary_ = list(state_value(meta, "vocabulary", "meta"))
        model.n_topics_ = int(state_value(meta, "n_topics", "meta"))
        model._restore(meta, arrays)
        return model

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        raise NotImplementedError

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        raise NotImplementedError


# ---------------------------------------------------------------------- helpers
def token_corpus(X: Any, where: str) -> TokenCorpus:
    """``X`` as a :class:`TokenCorpus`, or a DataError saying what is wrong with it.

    Raises
    ------
    DataError
        When ``X`` is not a sequence of token lists of strings (a numeric array, a single
        string, a list of texts, ...).
    """
    if isinstance(X, TokenCorpus):
        return X
    expected = "expects a list of token lists (such as TextPipeline output)"
    if isinstance(X, str | bytes) or not isinstance(X, Iterable):
        raise DataError(f"{where} {expected}, got {type(X).__name__}")
    docs = []
    for i, doc in enumerate(X):
        if isinstance(doc, str | bytes) or not isinstance(doc, Iterable):
            raise DataError(f"{where} {expected}; document {i} is {type(doc).__name__}")
        tokens = list(doc)
        for token in tokens:
            if not isinstance(token, str):
                raise DataError(
                    f"{where} {expected}; document {i} holds a {type(token).__name__} token"
                )
        docs.append(tokens)
    return as_token_corpus(docs)


def uniform_empty_rows(doc_topic: np.ndarray) -> np.ndarray:
    """Normalise rows to sum to 1; rows with no mass (or not finite) become uniform."""
    doc_topic = np.asarray(doc_topic, dtype=np.float64)
    totals = doc_topic.sum(axis=1, keepdims=True)
    bad = ~np.isfinite(totals[:, 0]) | (totals[:, 0] <= 0)
    out = np.divide(doc_topic, totals, out=np.zeros_like(doc_topic), where=~bad[:, None])
    out[bad] = 1.0 / doc_topic.shape[1]
    return out


def empty_rows(counts: sp.csr_matrix) -> np.ndarray:
    """Boolean mask of documents with no known token."""
    return np.asarray(counts.sum(axis=1)).ravel() == 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def state_value(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    """``mapping[key]``, or a BundleError naming the missing key and ``where`` it belongs."""
    if key not in mapping:
        raise BundleError(f"model state is missing {key!r} in its {where}")
    return mapping[key]


class PerplexityMixin:
    """Held-out fit of probabilistic topic models: a per-word log bound and its perplexity.

    A subclass implements :meth:`_log_bound` (total log-likelihood bound, in nats, of a count
    matrix over ``vocabulary_``); the per-word value and the perplexity are the same for all.
    """

    def _log_bound(self, counts: sp.csr_matrix) -> float:
        raise NotImplementedError

    def log_perplexity(self, X: Docs) -> float:
        """Per-word log-likelihood bound of ``X`` in nats (higher is better).

        Raises
        ------
        CorpusError
            When ``X`` has no token in the model's vocabulary.
        """
        check_fitted(self, "components_")
        counts = count_matrix(X, self.vocabulary_)
        n_words = counts.sum()
        if n_words == 0:
            raise CorpusError("log_perplexity needs documents with at least one known token")
        return float(self._log_bound(counts) / n_words)

    def perplexity(self, X: Docs) -> float:
        """``exp(-log_perplexity(X))`` (lower is better)."""
        return float(np.exp(-self.log_perplexity(X)))
