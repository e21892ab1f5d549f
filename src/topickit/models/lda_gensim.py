"""Latent Dirichlet allocation with gensim's online variational Bayes (LdaModel / LdaMulticore)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from gensim.corpora import Dictionary
from gensim.models import LdaModel, LdaMulticore
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfTransformer

from topickit._validation import Interval, Options, check_fitted
from topickit.exceptions import CorpusError, InvalidParameterError
from topickit.models.base import Docs, TopicModel, state_value, uniform_empty_rows
from topickit.registry import MODELS
from topickit.streaming.corpus import StreamedCorpus
from topickit.vectorize import TokenCorpus, count_matrix

__all__ = ["GensimLDA"]

_DTYPE = np.float32


def _positive_list(value: Any) -> bool:
    """a list of positive floats"""
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim == 1 else None
    if not isinstance(value, list | tuple) or not value:
        return False
    return all(
        isinstance(v, Real) and not isinstance(v, bool) and np.isfinite(v) and v > 0 for v in value
    )


def _positive_array(value: Any) -> bool:
    """an array or list of positive floats with 1 or 2 dimensions"""
    if not isinstance(value, np.ndarray | list | tuple):
        return False
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return arr.ndim in (1, 2) and arr.size > 0 and bool(np.all(np.isfinite(arr) & (arr > 0)))


@MODELS.register
class GensimLDA(TopicModel):
    """LDA on bag-of-words with gensim's ``LdaModel`` (``LdaMulticore`` when ``n_jobs > 1``).

    ``transform`` runs gensim's variational inference (``LdaModel.inference``) and normalises
    each document's topic Dirichlet parameters (gamma) to proportions; rows sum to 1 and a
    document with no known token gets a uniform row. gensim draws the starting gamma from the
    model's random state, so ``transform`` re-seeds it with ``random_state`` before *each
    document*: a document's row depends only on the model and the document, not on the batch
    it comes in or on earlier calls. :meth:`log_perplexity` re-seeds once per call.

    Perplexity convention, shared with :class:`~topickit.models.SklearnLDA`:
    :meth:`log_perplexity` is gensim's per-word variational lower bound (ELBO) in **nats**
    (natural log; higher is better), and :meth:`perplexity` is ``exp(-log_perplexity)``
    (lower is better). gensim's own log message prints ``2 ** -bound``, which mixes bases;
    topickit does not.

    Parameters
    ----------
    n_topics : int, default=10
        Number of topics.
    alpha : {"symmetric", "asymmetric", "auto"}, float or list of float, default="symmetric"
        Document-topic prior; a list needs one positive value per topic. "auto" (learned)
        is not available with ``n_jobs > 1``.
    eta : {"symmetric", "auto"}, float or array, default="symmetric"
        Topic-word prior; an array has shape ``(n_terms,)`` or ``(n_topics, n_terms)`` in
        vocabulary order. Subclasses may derive it from the vocabulary by overriding
        :meth:`_make_eta` (e.g. seeded LDA boosting seed terms per topic).
    passes : int, default=10
        Passes over the corpus.
    iterations : int, default=100
        Maximum inference iterations per document and chunk.
    chunksize : int, default=2000
        Documents per training chunk.
    eval_every : int or None, default=None
        Log the perplexity every that many updates (None: never; it is slow).
    decay, offset : float, default=0.5 and 1.0
        Online learning-rate schedule (kappa and tau_0).
    minimum_probability : float, default=0.0
        Passed to gensim (used by its ``get_document_topics``).
    gamma_threshold : float, default=0.001
        Convergence threshold of the per-document inference.
    n_jobs : int, default=1
        Worker processes; more than 1 uses ``LdaMulticore`` (results then depend on
        scheduling and are not guaranteed to be reproducible).
    init : {"random", "nmf"}, default="random"
        How the topic-word state starts. ``"random"`` is gensim's own random start.
        ``"nmf"`` starts from an NMF (NNDSVDa initialisation) of the TF-IDF matrix, scaled
        to the corpus's token count, plus gensim's usual random jitter: variational LDA
        then converges to nearly the same topics whatever the seed, which on small
        corpora improves coherence and seed-to-seed stability a great deal.
    random_state : int, default=0
        Seed for training and for the inference in ``transform``.

    Attributes
    ----------
    vocabulary_ : list of str
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-word probabilities (rows sum to 1).
    model_ : gensim.models.LdaModel
        The fitted gensim model (its ``id2word`` follows ``vocabulary_``).
    n_topics_ : int
    """

    kind: ClassVar[str] = "gensim_lda"
    probabilistic: ClassVar[bool] = True

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **TopicModel._parameter_constraints,
        "alpha": [
            Options({"symmetric", "asymmetric", "auto"}),
            Interval(Real, 0, None, closed="neither"),
            _positive_list,
        ],
        "eta": [
            Options({"symmetric", "auto"}),
            Interval(Real, 0, None, closed="neither"),
            _positive_array,
        ],
        "passes": [Interval(Integral, 1, None, closed="left")],
        "iterations": [Interval(Integral, 1, None, closed="left")],
        "chunksize": [Interval(Integral, 1, None, closed="left")],
        "eval_every": [None, Interval(Integral, 1, None, closed="left")],
        "decay": [Interval(Real, 0, 1, closed="right")],
        "offset": [Interval(Real, 1, None, closed="left")],
        "minimum_probability": [Interval(Real, 0, 1, closed="both")],
        "gamma_threshold": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Interval(Integral, 1, None, closed="left")],
        "init": [Options({"random", "nmf"})],
    }

    def __init__(
        self,
        n_topics: int = 10,
        *,
        alpha: str | float | Sequence[float] = "symmetric",
        eta: str | float | np.ndarray = "symmetric",
        passes: int = 10,
        iterations: int = 100,
        chunksize: int = 2000,
        eval_every: int | None = None,
        decay: float = 0.5,
        offset: float = 1.0,
        minimum_probability: float = 0.0,
        gamma_threshold: float = 0.001,
        n_jobs: int = 1,
        init: str = "random",
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.alpha = alpha
        self.eta = eta
        self.passes = passes
        self.iterations = iterations
        self.chunksize = chunksize
        self.eval_every = eval_every
        self.decay = decay
        self.offset = offset
        self.minimum_probability = minimum_probability
        self.gamma_threshold = gamma_threshold
        self.n_jobs = n_jobs
        self.init = init
        self.random_state = random_state

    # ------------------------------------------------------------------ hooks
    def _make_eta(self, vocabulary: Sequence[str]) -> str | float | np.ndarray:
        """The topic-word prior handed to gensim; override to derive it from ``vocabulary``.

        Parameters
        ----------
        vocabulary : sequence of str
            The model's terms in column order.

        Returns
        -------
        str, float or ndarray of shape (n_terms,) or (n_topics, n_terms)
        """
        if isinstance(self.eta, np.ndarray | list | tuple):
            return np.asarray(self.eta, dtype=np.float64)
        return self.eta

    def _check_priors(self, eta: Any, n_terms: int) -> None:
        if not isinstance(self.alpha, str | Real) and len(self.alpha) != self.n_topics:
            raise InvalidParameterError(
                f"the 'alpha' parameter of {type(self).__name__} has {len(self.alpha)} values "
                f"but n_topics={self.n_topics}"
            )
        if isinstance(self.alpha, str) and self.alpha == "auto" and self.n_jobs > 1:
            raise InvalidParameterError(
                f"the 'alpha' parameter of {type(self).__name__} cannot be 'auto' with "
                "n_jobs > 1 (gensim LdaMulticore does not learn alpha); use n_jobs=1"
            )
        if isinstance(eta, np.ndarray):
            allowed = [(n_terms,), (self.n_topics, n_terms)]
            if eta.shape not in allowed:
                raise InvalidParameterError(
                    f"the 'eta' parameter of {type(self).__name__} has shape {eta.shape}; "
                    f"expected {allowed[0]} or {allowed[1]} for this vocabulary"
                )

    # ------------------------------------------------------------------ fit / transform
    def fit(self, X: Docs, y: Any = None) -> GensimLDA:
        """Learn the topics of ``X``.

        A :class:`~topickit.streaming.corpus.StreamedCorpus` is trained straight from its bag of
        words on disk (online LDA, ``chunksize`` units at a time): memory does not grow with
        the number of units, except with ``init="nmf"``, whose NMF start loads the count
        matrix. Other input goes through :meth:`TopicModel.fit`.

        Parameters
        ----------
        X : TokenCorpus, StreamedCorpus or sequence of token lists
        y : ignored

        Returns
        -------
        self
        """
        if not isinstance(X, StreamedCorpus):
            return super().fit(X, y)
        self._validate_params()
        if len(X) == 0 or not X.terms or X.n_tokens == 0:
            raise CorpusError(f"{type(self).__name__}.fit got no documents or an empty vocabulary")
        self.vocabulary_ = list(X.terms)
        self._fit_bow(X.bow, lambda: X.counts)
        self.n_topics_ = int(self.components_.shape[0])
        return self

    def _fit_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> None:
        # ``counts`` is ``corpus.counts``, built from the cached ``corpus.bow``: train on that
        # list rather than on a second copy converted back from the matrix.
        self._fit_bow(corpus.bow, lambda: counts)

    def _fit_bow(self, bow: Any, get_counts: Any) -> None:
        """Train on a gensim corpus; ``get_counts()`` gives the count matrix if needed."""
        n_terms = len(self.vocabulary_)
        eta = self._make_eta(self.vocabulary_)
        self._check_priors(eta, n_terms)
        if isinstance(eta, np.ndarray):
            eta = eta.astype(_DTYPE)
        alpha = self.alpha
        if not isinstance(alpha, str | Real):
            alpha = np.asarray(alpha, dtype=_DTYPE)
        common = {
            "corpus": None if self.init == "nmf" else bow,
            "num_topics": self.n_topics,
            "id2word": _dictionary(self.vocabulary_),
            "chunksize": self.chunksize,
            "passes": self.passes,
            "alpha": alpha,
            "eta": eta,
            "decay": self.decay,
            "offset": self.offset,
            "eval_every": self.eval_every,
            "iterations": self.iterations,
            "gamma_threshold": self.gamma_threshold,
            "minimum_probability": self.minimum_probability,
            "random_state": self.random_state,
            "dtype": _DTYPE,
        }
        if self.n_jobs > 1:
            self.model_ = LdaMulticore(workers=self.n_jobs, **common)
        else:
            self.model_ = LdaModel(**common)
        if self.init == "nmf":
            self._start_from_nmf(get_counts())
            self.model_.update(bow)
        self._set_components()

    def _start_from_nmf(self, counts: sp.csr_matrix) -> None:
        """Replace gensim's random topic-word start by an NMF of the TF-IDF matrix."""
        tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts.astype(np.float64))
        k = self.n_topics
        if k > min(tfidf.shape):
            raise InvalidParameterError(
                f"init='nmf' needs n_topics <= min(documents, terms) = {min(tfidf.shape)}; "
                f"got n_topics={k}"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = NMF(k, init="nndsvda", max_iter=300, random_state=self.random_state)
            topics = start.fit(tfidf).components_
        totals = topics.sum(axis=1, keepdims=True)
        topics = np.divide(
            topics, totals, out=np.full_like(topics, 1.0 / topics.shape[1]), where=totals > 0
        )
        topics *= float(counts.sum()) / k
        jitter = self.model_.random_state.gamma(100.0, 1.0 / 100.0, topics.shape)
        self.model_.state.sstats[...] = (topics + jitter).astype(self.model_.state.sstats.dtype)
        self.model_.sync_state()

    def _set_components(self) -> None:
        topics = np.asarray(self.model_.get_topics(), dtype=np.float64)
        self.components_ = topics / topics.sum(axis=1, keepdims=True)

    def _reseed(self) -> None:
        self.model_.random_state = np.random.RandomState(self.random_state)

    def _transform_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> np.ndarray:
        bow = _bow(counts)
        self._reseed()
        rng = self.model_.random_state
        start = rng.get_state()
        doc_topic = np.zeros((len(bow), self.n_topics_))
        for i, doc in enumerate(bow):
            if doc:
                # Same starting gamma for every document: a row depends on nothing but the doc.
                rng.set_state(start)
                gamma, _ = self.model_.inference([doc])
                doc_topic[i] = gamma[0]
        return uniform_empty_rows(doc_topic)

    def log_perplexity(self, X: Docs) -> float:
        """Per-word variational lower bound of ``X`` in nats (gensim's ``log_perplexity``).

        Raises
        ------
        CorpusError
            When ``X`` has no token in the model's vocabulary.
        """
        check_fitted(self, "components_")
        counts = count_matrix(X, self.vocabulary_)
        if counts.sum() == 0:
            raise CorpusError("log_perplexity needs documents with at least one known token")
        self._reseed()
        return float(self.model_.log_perplexity(_bow(counts)))

    def perplexity(self, X: Docs) -> float:
        """``exp(-log_perplexity(X))`` (lower is better)."""
        return float(np.exp(-self.log_perplexity(X)))

    # ------------------------------------------------------------------ persistence
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        model = self.model_
        arrays = {
            "sstats": np.asarray(model.state.sstats),
            "alpha": np.asarray(model.alpha),
            "eta": np.asarray(model.eta),
            "state_eta": np.asarray(model.state.eta),
        }
        return {"numdocs": int(model.state.numdocs)}, arrays

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        sstats = np.asarray(state_value(arrays, "sstats", "arrays"), dtype=_DTYPE)
        model = LdaModel(
            corpus=None,
            num_topics=sstats.shape[0],
            id2word=_dictionary(self.vocabulary_),
            chunksize=self.chunksize,
            passes=self.passes,
            alpha=np.asarray(state_value(arrays, "alpha", "arrays"), dtype=_DTYPE),
            eta=np.asarray(state_value(arrays, "eta", "arrays"), dtype=_DTYPE),
            decay=self.decay,
            offset=self.offset,
            eval_every=self.eval_every,
            iterations=self.iterations,
            gamma_threshold=self.gamma_threshold,
            minimum_probability=self.minimum_probability,
            random_state=self.random_state,
            dtype=_DTYPE,
        )
        model.state.sstats[...] = sstats
        model.state.eta = np.asarray(state_value(arrays, "state_eta", "arrays"), dtype=_DTYPE)
        model.state.numdocs = int(state_value(meta, "numdocs", "meta"))
        model.sync_state()
        self.model_ = model
        self._set_components()


def _dictionary(vocabulary: Sequence[str]) -> Dictionary:
    """A gensim dictionary whose ids are the positions in ``vocabulary``."""
    dictionary = Dictionary()
    dictionary.token2id = {term: i for i, term in enumerate(vocabulary)}
    dictionary.id2token = dict(enumerate(vocabulary))
    return dictionary


def _bow(counts: sp.csr_matrix) -> list[list[tuple[int, int]]]:
    """gensim bag-of-words (``(term_id, count)`` pairs) of the rows of ``counts``."""
    counts = sp.csr_matrix(counts)
    counts.sort_indices()
    indices, data = counts.indices.tolist(), counts.data.tolist()
    return [
        list(zip(indices[start:end], data[start:end], strict=True))
        for start, end in zip(counts.indptr[:-1].tolist(), counts.indptr[1:].tolist(), strict=True)
    ]
