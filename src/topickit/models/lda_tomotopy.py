"""Latent Dirichlet allocation by collapsed Gibbs sampling with tomotopy (optional, fast).

tomotopy is an optional dependency (``pip install 'topickit[fast]'``). It is imported only
inside :meth:`TomotopyLDA.fit`: a fitted model restored with :meth:`TopicModel.from_state`
transforms, scores and ranks terms from its arrays alone, without tomotopy.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from topickit._validation import Interval
from topickit.exceptions import BundleError, ConfigError, InvalidParameterError
from topickit.models.base import (
    PerplexityMixin,
    TopicModel,
    state_value,
    uniform_empty_rows,
)
from topickit.registry import MODELS
from topickit.vectorize import TokenCorpus

__all__ = ["TomotopyLDA", "fold_in", "tomotopy_available"]

logger = logging.getLogger(__name__)

#: Documents per block in :func:`fold_in` (bounds the ``nnz x n_topics`` temporaries).
_BLOCK = 1024


def tomotopy_available() -> bool:
    """Whether the optional ``tomotopy`` package can be imported (without importing it)."""
    return importlib.util.find_spec("tomotopy") is not None


def fold_in(
    counts: sp.csr_matrix, phi: np.ndarray, alpha: np.ndarray, iterations: int
) -> np.ndarray:
    """Document-topic proportions of ``counts`` with the topic-word matrix ``phi`` held fixed.

    Runs ``iterations`` expectation-maximisation steps from uniform proportions::

        theta_dk <- (alpha_k + sum_w n_dw * phi_kw theta_dk / sum_j phi_jw theta_dj)
                    / (N_d + sum_k alpha_k)

    which is the form of the Gibbs estimate ``(n_dk + alpha_k) / (N_d + sum alpha)`` with the
    topic counts ``n_dk`` replaced by their expectations. Each row depends only on its own
    document (no randomness, no early stopping), so a document gets the same row in any batch.

    Parameters
    ----------
    counts : sparse matrix of shape (n_docs, n_terms)
        Term counts in the column order of ``phi``.
    phi : ndarray of shape (n_topics, n_terms)
        Topic-word probabilities (rows sum to 1, all entries positive).
    alpha : ndarray of shape (n_topics,)
        Document-topic Dirichlet prior.
    iterations : int
        Number of EM steps.

    Returns
    -------
    ndarray of shape (n_docs, n_topics)
        Rows sum to 1; a document with no counts gets a uniform row.
    """
    counts = sp.csr_matrix(counts, dtype=np.float64)
    counts.sort_indices()
    n_docs, n_topics = counts.shape[0], phi.shape[0]
    alpha = np.asarray(alpha, dtype=np.float64)
    theta = np.zeros((n_docs, n_topics))
    phi_t = np.ascontiguousarray(phi.T, dtype=np.float64)  # (n_terms, n_topics)
    for start in range(0, n_docs, _BLOCK):
        block = counts[start : start + _BLOCK]
        theta[start : start + _BLOCK] = _fold_in_block(block, phi_t, alpha, iterations)
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    theta[lengths == 0] = 0.0
    return uniform_empty_rows(theta)


def _fold_in_block(
    block: sp.csr_matrix, phi_t: np.ndarray, alpha: np.ndarray, iterations: int
) -> np.ndarray:
    n_docs, n_topics = block.shape[0], phi_t.shape[1]
    rows = np.repeat(np.arange(n_docs), np.diff(block.indptr))
    phi_nz = phi_t[block.indices]  # (nnz, n_topics)
    scale = np.asarray(block.sum(axis=1)).ravel()[:, None] + alpha.sum()
    theta = np.full((n_docs, n_topics), 1.0 / n_topics)
    for _ in range(iterations):
        mix = np.einsum("ik,ik->i", theta[rows], phi_nz)
        weights = sp.csr_matrix((block.data / mix, block.indices, block.indptr), shape=block.shape)
        expected = theta * (weights @ phi_t)
        theta = (alpha + expected) / scale
    return theta


@MODELS.register(requires="tomotopy", install="pip install 'topickit[fast]'")
class TomotopyLDA(PerplexityMixin, TopicModel):
    """LDA by collapsed Gibbs sampling (tomotopy's ``LDAModel``); much faster than gensim.

    Training hands the documents' token lists, restricted to the model's vocabulary, to
    ``tomotopy.LDAModel(k=n_topics, alpha, eta, seed=random_state, min_cf=0, rm_top=0,
    tw=TermWeight.ONE)`` and runs ``iterations`` Gibbs sweeps. ``components_`` is the
    final sample's smoothed topic-word distribution ``(n_kw + eta) / (n_k + V * eta)`` over
    ``vocabulary_`` (sorted, as :class:`~topickit.vectorize.TokenCorpus` orders terms); it
    equals tomotopy's ``get_topic_word_dist`` whenever every vocabulary term occurs in the
    training documents.

    ``transform`` does not use tomotopy's sampling ``infer``: it folds each document in with
    ``components_`` and ``alpha_`` fixed by a fixed number of EM steps (:func:`fold_in`).
    The result is deterministic, independent of the batch a document comes in, and needs
    only the stored arrays. On training documents it agrees closely with tomotopy's own
    final-sample proportions (``train_doc_topic_``).

    Perplexity convention, shared with :class:`~topickit.models.GensimLDA`:
    :meth:`log_perplexity` is a per-word log-likelihood in **nats** (higher is better) and
    :meth:`perplexity` is ``exp(-log_perplexity)``. Here it is the plug-in likelihood
    ``sum_dw n_dw log(sum_k theta_dk phi_kw) / sum_dw n_dw`` with ``theta`` folded in on the
    very documents scored. gensim's value is a variational lower bound of the same quantity
    integrated over ``theta``, so the two mean the same thing but this one reads somewhat
    higher (it is optimistic: ``theta`` was fitted to the words it scores).

    Parameters
    ----------
    n_topics : int, default=10
        Number of topics (at most 32767).
    alpha : float, default=0.1
        Symmetric document-topic prior (tomotopy's default). With ``optimize_interval > 0``
        it is the starting value, and ``alpha_`` holds the learned (asymmetric) vector.
    eta : float, default=0.01
        Symmetric topic-word prior (tomotopy's default).
    iterations : int, default=500
        Gibbs sweeps over the corpus.
    burn_in : int, default=0
        Sweeps before alpha optimisation starts (tomotopy's ``burn_in``).
    optimize_interval : int, default=10
        Optimise alpha (Minka's fixed point) every this many sweeps after ``burn_in``;
        0 keeps alpha fixed. 10 is tomotopy's default.
    workers : int, default=1
        Sampling threads. ``workers=1`` samples serially (``ParallelScheme.NONE``) and is
        reproducible for a fixed ``random_state``; more workers use tomotopy's default
        parallel scheme, whose results tomotopy does not guarantee to be reproducible.
    transform_iterations : int, default=100
        EM steps of the fold-in in ``transform`` and ``log_perplexity``.
    random_state : int, default=0
        Seed of the Gibbs sampler.

    Attributes
    ----------
    vocabulary_ : list of str
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-word probabilities (rows sum to 1).
    alpha_ : ndarray of shape (n_topics,)
        Document-topic prior after training (learned when ``optimize_interval > 0``).
    train_doc_topic_ : ndarray of shape (n_docs, n_topics)
        tomotopy's proportions ``(n_dk + alpha_k) / (N_d + sum alpha)`` of the training
        documents at the final sample (uniform for empty documents). Not persisted.
    train_ll_per_word_ : float
        tomotopy's ``ll_per_word`` at the end of training (log joint of words and topic
        assignments per word, nats); for monitoring only, not a perplexity.
    n_topics_ : int
    """

    kind: ClassVar[str] = "tomotopy_lda"
    probabilistic: ClassVar[bool] = True

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **TopicModel._parameter_constraints,
        "n_topics": [Interval(Integral, 1, 32767, closed="both")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "eta": [Interval(Real, 0, None, closed="neither")],
        "iterations": [Interval(Integral, 1, None, closed="left")],
        "burn_in": [Interval(Integral, 0, None, closed="left")],
        "optimize_interval": [Interval(Integral, 0, None, closed="left")],
        "workers": [Interval(Integral, 1, None, closed="left")],
        "transform_iterations": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_topics: int = 10,
        *,
        alpha: float = 0.1,
        eta: float = 0.01,
        iterations: int = 500,
        burn_in: int = 0,
        optimize_interval: int = 10,
        workers: int = 1,
        transform_iterations: int = 100,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.alpha = alpha
        self.eta = eta
        self.iterations = iterations
        self.burn_in = burn_in
        self.optimize_interval = optimize_interval
        self.workers = workers
        self.transform_iterations = transform_iterations
        self.random_state = random_state

    # ------------------------------------------------------------------ fit / transform
    def _validate_params(self) -> None:
        super()._validate_params()
        if self.optimize_interval > 0 and self.burn_in >= self.iterations:
            raise InvalidParameterError(
                f"burn_in={self.burn_in} must be smaller than iterations={self.iterations} "
                f"for {type(self).__name__} (alpha would never be optimised); "
                "lower burn_in or set optimize_interval=0"
            )

    def _fit_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> None:
        tp = _import_tomotopy()
        known = set(self.vocabulary_)
        docs = [[t for t in doc if t in known] for doc in corpus.docs]
        model = tp.LDAModel(
            tw=tp.TermWeight.ONE,
            min_cf=0,
            rm_top=0,
            k=self.n_topics,
            alpha=float(self.alpha),
            eta=float(self.eta),
            seed=int(self.random_state),
        )
        model.burn_in = self.burn_in
        model.optim_interval = self.optimize_interval
        used = [i for i, doc in enumerate(docs) if doc]
        for i in used:
            model.add_doc(docs[i])
        parallel = tp.ParallelScheme.NONE if self.workers == 1 else tp.ParallelScheme.DEFAULT
        with warnings.catch_warnings():
            # tomotopy warns that results may differ with workers != 1; documented above.
            warnings.filterwarnings("ignore", message=".*workers.*", category=RuntimeWarning)
            model.train(self.iterations, workers=self.workers, parallel=parallel)
        self._read_model(model, used, len(docs))
        logger.info(
            "tomotopy LDA: %d sweeps, ll_per_word %.4f", model.global_step, model.ll_per_word
        )

    def _read_model(self, model: Any, used: list[int], n_docs: int) -> None:
        """Set the fitted arrays from the final Gibbs sample of a trained tomotopy model."""
        column = {term: j for j, term in enumerate(self.vocabulary_)}
        remap = np.asarray([column[t] for t in model.used_vocabs], dtype=np.int64)
        k, n_terms = self.n_topics, len(self.vocabulary_)
        if self.optimize_interval > 0:
            alpha = np.asarray(model.alpha, dtype=np.float64).reshape(k)
        else:  # tomotopy keeps a float32 copy; report the prior exactly as given
            alpha = np.full(k, float(self.alpha))
        topic_word = np.zeros((k, n_terms))
        doc_topic = np.zeros((n_docs, k))
        for row, doc in zip(used, model.docs, strict=True):
            words = remap[np.asarray(doc.words, dtype=np.int64)]
            topics = np.asarray(doc.topics, dtype=np.int64)
            np.add.at(topic_word, (topics, words), 1.0)
            doc_topic[row] = (np.bincount(topics, minlength=k) + alpha) / (
                topics.size + alpha.sum()
            )
        eta = float(self.eta)
        self.components_ = (topic_word + eta) / (
            topic_word.sum(axis=1, keepdims=True) + n_terms * eta
        )
        self.alpha_ = alpha
        self.train_doc_topic_ = uniform_empty_rows(doc_topic)
        self.train_ll_per_word_ = float(model.ll_per_word)

    def _transform_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> np.ndarray:
        return fold_in(counts, self.components_, self.alpha_, self.transform_iterations)

    def _log_bound(self, counts: sp.csr_matrix) -> float:
        """Log-likelihood in nats at the fold-in estimate of each document's topic mix.

        Optimistic against gensim's variational bound: theta is fitted to the very words
        it scores.
        """
        counts = sp.csr_matrix(counts, dtype=np.float64)
        theta = fold_in(counts, self.components_, self.alpha_, self.transform_iterations)
        loglik = 0.0
        for start in range(0, counts.shape[0], _BLOCK):
            block = counts[start : start + _BLOCK]
            rows = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
            mix = np.einsum(
                "ik,ki->i", theta[start : start + _BLOCK][rows], self.components_[:, block.indices]
            )
            loglik += float(np.dot(block.data, np.log(mix)))
        return loglik

    # ------------------------------------------------------------------ persistence
    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        arrays = {
            "components": np.asarray(self.components_, dtype=np.float64),
            "alpha": np.asarray(self.alpha_, dtype=np.float64),
        }
        return {"train_ll_per_word": self.train_ll_per_word_}, arrays

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        components = np.asarray(state_value(arrays, "components", "arrays"), dtype=np.float64)
        alpha = np.asarray(state_value(arrays, "alpha", "arrays"), dtype=np.float64)
        n_topics, n_terms = int(meta["n_topics"]), len(self.vocabulary_)
        if components.shape != (n_topics, n_terms) or alpha.shape != (n_topics,):
            raise BundleError(
                f"tomotopy_lda state arrays have shapes {components.shape} and {alpha.shape}; "
                f"expected {(n_topics, n_terms)} and {(n_topics,)}"
            )
        self.components_ = components
        self.alpha_ = alpha
        self.train_ll_per_word_ = float(state_value(meta, "train_ll_per_word", "meta"))


def _import_tomotopy() -> Any:
    try:
        import tomotopy
    except ImportError as err:
        raise ConfigError(
            "TomotopyLDA needs the optional package 'tomotopy'; "
            "install it with: pip install 'topickit[fast]'"
        ) from err
    return tomotopy
