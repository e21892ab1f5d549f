"""Document representations compared by cosine similarity.

Every representation is fitted on background documents only and then maps new documents to
vectors: weighted bags of words (:class:`TermVectors`), latent semantic vectors of a weighted
bag of words (:class:`LatentSemanticVectors`), or the document-topic rows of any topickit topic
model (:class:`TopicVectors`). :func:`make_representation` builds one from a config ``kind``.
An ensemble (kind ``"ensemble"``) averages the similarity matrices of other representations
and is handled by :func:`ensemble_similarity`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.preprocessing import normalize

from topickit._validation import Interval, Options, check_fitted, validate_params
from topickit.exceptions import ConfigError, CorpusError
from topickit.models.log_entropy import LogEntropy
from topickit.models.registry import make_model
from topickit.registry import MODELS, REPRESENTATIONS
from topickit.similarity.lee import cosine_matrix
from topickit.vectorize import TokenCorpus, count_matrix

__all__ = [
    "ENSEMBLE_KIND",
    "REPRESENTATION_KINDS",
    "WEIGHTINGS",
    "LatentSemanticVectors",
    "TermVectors",
    "TopicVectors",
    "ensemble_similarity",
    "make_representation",
    "similarity_matrix",
]

logger = logging.getLogger(__name__)

#: Term weightings of :class:`TermVectors` (and config kinds of the same names).
WEIGHTINGS = ("bow", "tfidf", "log_entropy", "bm25")
#: The kind of a representation that averages other representations' similarities.
ENSEMBLE_KIND = "ensemble"


class TermVectors(BaseEstimator):
    """A weighted bag of words over the background vocabulary, rows of unit length.

    Parameters
    ----------
    weighting : {"bow", "tfidf", "log_entropy", "bm25"}, default="tfidf"
        ``"bow"``: raw counts. ``"tfidf"``: scikit-learn TF-IDF with background IDF.
        ``"log_entropy"``: :class:`~topickit.models.log_entropy.LogEntropy`. ``"bm25"``:
        Okapi BM25 term weights with background IDF and average document length.
    sublinear : bool, default=True
        TF-IDF only: use ``1 + log(tf)`` instead of raw counts.
    smooth_idf : bool, default=True
        TF-IDF only: add one to document frequencies (scikit-learn's smoothing).
    k1, b : float, default=1.2 and 0.75
        BM25 only: term-frequency saturation and length normalisation.

    Attributes
    ----------
    vocabulary_ : list of str
    dimension_ : None
        Term spaces report no reduced dimension.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "weighting": [Options(WEIGHTINGS)],
        "sublinear": [bool],
        "smooth_idf": [bool],
        "k1": [Interval(Real, 0, None, closed="left")],
        "b": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        weighting: str = "tfidf",
        *,
        sublinear: bool = True,
        smooth_idf: bool = True,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.weighting = weighting
        self.sublinear = sublinear
        self.smooth_idf = smooth_idf
        self.k1 = k1
        self.b = b

    @classmethod
    def from_config(cls, kind: str, params: dict[str, Any], seed: int) -> TermVectors:
        """The representation of config ``kind`` (a weighting name), parameters checked."""
        rep = cls(kind, **params)
        validate_params(rep.get_params(), rep._parameter_constraints, "TermVectors")
        return rep

    def fit(self, corpus: TokenCorpus) -> TermVectors:
        """Learn the vocabulary and the weighting's collection statistics."""
        validate_params(self.get_params(deep=False), self._parameter_constraints, "TermVectors")
        if len(corpus) == 0 or not corpus.terms:
            raise CorpusError("TermVectors.fit got no documents or an empty vocabulary")
        self.vocabulary_ = list(corpus.terms)
        counts = corpus.counts.astype(np.float64)
        if self.weighting == "tfidf":
            self.tfidf_ = TfidfTransformer(
                sublinear_tf=self.sublinear, smooth_idf=self.smooth_idf
            ).fit(counts)
        elif self.weighting == "log_entropy":
            self.log_entropy_ = LogEntropy().fit(corpus)
        elif self.weighting == "bm25":
            n_docs = counts.shape[0]
            df = np.asarray((counts > 0).sum(axis=0)).ravel()
            self.idf_ = np.log1p((n_docs - df + 0.5) / (df + 0.5))
            self.avg_length_ = float(counts.sum()) / n_docs
        self.dimension_ = None
        return self

    def transform(self, corpus: TokenCorpus) -> sp.csr_matrix:
        """Weighted, l2-normalised rows of ``corpus`` (unknown tokens ignored)."""
        check_fitted(self, "vocabulary_")
        counts = count_matrix(corpus, self.vocabulary_).astype(np.float64)
        if self.weighting == "tfidf":
            return sp.csr_matrix(self.tfidf_.transform(counts))
        if self.weighting == "log_entropy":
            return self.log_entropy_.transform(corpus)
        if self.weighting == "bm25":
            counts = sp.csr_matrix(counts)
            lengths = np.asarray(counts.sum(axis=1)).ravel() / max(self.avg_length_, 1e-12)
            row = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
            tf = counts.data
            counts.data = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * lengths[row]))
            counts = sp.csr_matrix(counts.multiply(self.idf_[np.newaxis, :]))
        return normalize(counts, norm="l2")


class LatentSemanticVectors(BaseEstimator):
    """Latent semantic analysis: an exact SVD of a weighted background document-term matrix.

    A document is folded in as ``w(x) @ V_k.T``, the projection of its weighted vector on the
    ``k`` leading right singular vectors; for background documents that is ``U_k S_k``, the
    usual LSA document coordinates (gensim's ``LsiModel`` gives the same).

    Parameters
    ----------
    n_topics : int, default=200
        Dimensions kept; lowered (with a log message) to the rank of the background matrix.
    weighting : {"log_entropy", "tfidf", "bm25", "bow"}, default="log_entropy"
        Term weighting before the SVD (see :class:`TermVectors`).

    Attributes
    ----------
    terms_ : TermVectors
        The fitted weighting.
    components_ : ndarray of shape (dimension_, n_terms)
        Right singular vectors, each signed so that its largest-magnitude loading is positive.
    singular_values_ : ndarray of shape (dimension_,)
    dimension_ : int
        Dimensions actually kept.
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_topics": [Interval(Integral, 1, None, closed="left")],
        "weighting": [Options(WEIGHTINGS)],
    }

    def __init__(self, n_topics: int = 200, *, weighting: str = "log_entropy") -> None:
        self.n_topics = n_topics
        self.weighting = weighting

    @classmethod
    def from_config(cls, kind: str, params: dict[str, Any], seed: int) -> LatentSemanticVectors:
        """The representation of config kind ``"lsa"``, parameters checked."""
        rep = cls(**params)
        validate_params(rep.get_params(), rep._parameter_constraints, "LSA")
        return rep

    def fit(self, corpus: TokenCorpus) -> LatentSemanticVectors:
        """Weight the background documents and keep the leading singular vectors."""
        validate_params(
            self.get_params(deep=False), self._parameter_constraints, "LatentSemanticVectors"
        )
        self.terms_ = TermVectors(self.weighting).fit(corpus)
        weights = self.terms_.transform(corpus).toarray()
        _, values, vt = scipy.linalg.svd(weights, full_matrices=False, lapack_driver="gesdd")
        rank = int(np.sum(values > values[0] * 1e-10)) if values.size else 0
        k = min(self.n_topics, rank)
        if k < self.n_topics:
            logger.info("LSA: n_topics lowered from %d to the matrix rank %d", self.n_topics, k)
        components = vt[:k]
        peak = components[np.arange(k), np.abs(components).argmax(axis=1)]
        self.components_ = components * np.where(peak < 0, -1.0, 1.0)[:, np.newaxis]
        self.singular_values_ = values[:k]
        self.dimension_ = k
        return self

    def transform(self, corpus: TokenCorpus) -> np.ndarray:
        """LSA coordinates of ``corpus``, shape ``(n_docs, dimension_)``."""
        check_fitted(self, "components_")
        return np.asarray(self.terms_.transform(corpus) @ self.components_.T)


class TopicVectors(BaseEstimator):
    """Document-topic rows of a topickit topic model (see :data:`topickit.registry.MODELS`).

    Parameters
    ----------
    kind : str
        Model kind, e.g. ``"nmf"`` or ``"gensim_lda"``.
    n_topics : int, default=50
        Number of topics; lowered to ``n_docs - 1`` on a smaller background corpus.
    sqrt : bool, default=False
        Square-root the (non-negative) rows before the cosine: for topic proportions the
        cosine then is the Bhattacharyya coefficient, ``1 - Hellinger distance ** 2``.
    random_state : int, default=0
    model_params : dict, optional
        Further constructor parameters of the model.

    Attributes
    ----------
    model_ : TopicModel
    dimension_ : int
    """

    def __init__(
        self,
        kind: str,
        *,
        n_topics: int = 50,
        sqrt: bool = False,
        random_state: int = 0,
        model_params: Mapping[str, Any] | None = None,
    ) -> None:
        self.kind = kind
        self.n_topics = n_topics
        self.sqrt = sqrt
        self.random_state = random_state
        self.model_params = model_params

    @classmethod
    def from_config(cls, kind: str, params: dict[str, Any], seed: int) -> TopicVectors:
        """Topic rows of model ``kind``; ``seed`` is the model's ``random_state`` by default."""
        own = {k: params.pop(k) for k in ("n_topics", "sqrt", "random_state") if k in params}
        rep = cls(kind, random_state=seed, model_params=params, **own)
        if not isinstance(rep.sqrt, bool):
            raise ValueError(f"'sqrt' must be true or false, got {rep.sqrt!r}")
        rep._build(2)  # checks the model's own parameters now, not after a long fit
        return rep

    def _build(self, n_topics: int):
        params = {"random_state": self.random_state, **dict(self.model_params or {})}
        return make_model(self.kind, n_topics=n_topics, **params)

    def fit(self, corpus: TokenCorpus) -> TopicVectors:
        """Fit the topic model on the background documents."""
        k = min(self.n_topics, max(len(corpus) - 1, 1))
        if k < self.n_topics:
            logger.info("%s: n_topics lowered from %d to %d", self.kind, self.n_topics, k)
        self.model_ = self._build(k).fit(corpus)
        self.dimension_ = int(self.model_.n_topics_)
        return self

    def transform(self, corpus: TokenCorpus) -> np.ndarray:
        """Topic rows of ``corpus`` (square-rooted when ``sqrt``)."""
        check_fitted(self, "model_")
        rows = np.asarray(self.model_.transform(corpus), dtype=np.float64)
        return np.sqrt(np.clip(rows, 0.0, None)) if self.sqrt else rows


for _weighting in WEIGHTINGS:
    REPRESENTATIONS.register(TermVectors, kind=_weighting)
REPRESENTATIONS.register(LatentSemanticVectors, kind="lsa")

#: Config kinds handled here besides the topic-model kinds of the model registry.
REPRESENTATION_KINDS = (*WEIGHTINGS, "lsa", ENSEMBLE_KIND)


def make_representation(kind: str, params: Mapping[str, Any], *, seed: int = 0):
    """Build an unfitted representation from a config ``kind`` and its ``params``.

    Parameters
    ----------
    kind : str
        A kind of :data:`topickit.registry.REPRESENTATIONS` (``"bow"``, ``"tfidf"``,
        ``"log_entropy"``, ``"bm25"``, ``"lsa"``) or a topic-model kind of
        :data:`topickit.registry.MODELS` (``"nmf"``, ``"gensim_lda"``, ...), whose
        document-topic rows are the vectors.
    params : mapping
        Constructor parameters (without ``preprocess``, which the runner handles).
    seed : int, default=0
        ``random_state`` of topic models unless ``params`` sets one.

    Returns
    -------
    TermVectors, LatentSemanticVectors or TopicVectors

    Raises
    ------
    ConfigError
        For an unknown kind or parameter, or an invalid value.
    """
    params = dict(params)
    cls = REPRESENTATIONS.find(kind)
    if cls is None and kind not in MODELS.choices():
        known = ", ".join(sorted({*REPRESENTATIONS.choices(), ENSEMBLE_KIND, *MODELS.choices()}))
        raise ConfigError(f"unknown representation kind {kind!r}; choose one of: {known}")
    try:
        rep = (cls or TopicVectors).from_config(kind, params, seed)
    except TypeError as err:
        raise ConfigError(f"invalid parameter for kind {kind!r}: {err}") from None
    except ValueError as err:
        if isinstance(err, ConfigError):
            raise
        raise ConfigError(str(err)) from None
    return rep


def ensemble_similarity(
    matrices: Mapping[str, np.ndarray],
    members: Sequence[str],
    weights: Sequence[float] | None = None,
) -> np.ndarray:
    """Weighted average of the similarity matrices of ``members``.

    Parameters
    ----------
    matrices : mapping of str to ndarray
        Similarity matrix of every computed representation, by name.
    members : sequence of str
        At least two names of ``matrices``.
    weights : sequence of float, optional
        One positive weight per member (default: equal weights).

    Returns
    -------
    ndarray

    Raises
    ------
    ConfigError
        For fewer than two members, an unknown member or bad weights.
    """
    if isinstance(members, str) or len(members) < 2:
        raise ConfigError("an ensemble needs a list of at least two 'members'")
    missing = [m for m in members if m not in matrices]
    if missing:
        raise ConfigError(
            f"ensemble member(s) {', '.join(missing)} are not representations computed before it"
        )
    try:
        w = np.ones(len(members)) if weights is None else np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError("ensemble 'weights' must be a list of numbers") from None
    if w.shape != (len(members),) or not np.all(np.isfinite(w) & (w > 0)):
        raise ConfigError("ensemble 'weights' must be one positive number per member")
    total = sum(wi * matrices[m] for wi, m in zip(w, members, strict=True))
    return total / w.sum()


def similarity_matrix(rep: Any, corpus: TokenCorpus) -> np.ndarray:
    """Cosine similarity of the rows ``rep.transform(corpus)``."""
    return cosine_matrix(rep.transform(corpus))
