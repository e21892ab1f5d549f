"""Non-negative matrix factorisation of TF-IDF vectors."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import NMF

from topickit._validation import Interval, Options
from topickit.models.base import TopicModel, state_value, uniform_empty_rows
from topickit.registry import MODELS
from topickit.vectorize import TokenCorpus
from topickit.vectorize.weighting import fit_idf, tfidf_weights

__all__ = ["TfidfNMF"]


@MODELS.register
class TfidfNMF(TopicModel):
    """NMF of sublinear, l2-normalised TF-IDF vectors, ``X ≈ W H``.

    ``transform`` returns topic *shares*: for document ``i`` the weight of topic ``k`` is
    ``W[i, k] * H[k].sum()`` (the TF-IDF mass topic ``k`` contributes to the reconstruction),
    divided by the row total so that rows sum to 1. A document with no known token (or one
    reconstructed as all zeros) gets a uniform row. Shares are not probabilities
    (``probabilistic`` is False).

    Parameters
    ----------
    n_topics : int, default=10
        Number of components.
    beta_loss : {"frobenius", "kullback-leibler"}, default="frobenius"
        Divergence minimised; "frobenius" uses the coordinate-descent solver,
        "kullback-leibler" the multiplicative-update solver.
    alpha_W, alpha_H : float or "same", default=0.0 and "same"
        Regularisation strength on W and on H ("same" copies ``alpha_W``).
    l1_ratio : float, default=0.0
        Mix of L1 (1.0) and L2 (0.0) regularisation.
    max_iter : int, default=400
        Maximum solver iterations.
    tol : float, default=1e-4
        Stopping tolerance.
    random_state : int, default=0
        Seed (used by the "nndsvda" initialisation and the solver).

    Attributes
    ----------
    vocabulary_ : list of str
    idf_ : ndarray of shape (n_terms,)
    components_ : ndarray of shape (n_topics, n_terms)
        The factor H.
    reconstruction_err_ : float
    model_ : sklearn.decomposition.NMF
        The fitted scikit-learn estimator.
    n_topics_ : int
    """

    kind: ClassVar[str] = "nmf"
    probabilistic: ClassVar[bool] = False

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **TopicModel._parameter_constraints,
        "beta_loss": [Options({"frobenius", "kullback-leibler"})],
        "alpha_W": [Interval(Real, 0, None, closed="left")],
        "alpha_H": [Interval(Real, 0, None, closed="left"), Options({"same"})],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        n_topics: int = 10,
        *,
        beta_loss: str = "frobenius",
        alpha_W: float = 0.0,
        alpha_H: float | str = "same",
        l1_ratio: float = 0.0,
        max_iter: int = 400,
        tol: float = 1e-4,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.beta_loss = beta_loss
        self.alpha_W = alpha_W
        self.alpha_H = alpha_H
        self.l1_ratio = l1_ratio
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _make_nmf(self) -> NMF:
        return NMF(
            n_components=self.n_topics,
            init="nndsvda",
            solver="mu" if self.beta_loss == "kullback-leibler" else "cd",
            beta_loss=self.beta_loss,
            alpha_W=self.alpha_W,
            alpha_H=self.alpha_H,
            l1_ratio=self.l1_ratio,
            max_iter=self.max_iter,
            tol=self.tol,
            random_state=self.random_state,
        )

    def _fit_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> None:
        self._check_topics_fit(min(counts.shape), "number of documents or terms")
        self.idf_ = fit_idf(counts)
        self.model_ = self._make_nmf().fit(tfidf_weights(counts, self.idf_))
        self.components_ = np.asarray(self.model_.components_, dtype=np.float64)
        self.reconstruction_err_ = float(self.model_.reconstruction_err_)

    def _transform_counts(self, counts: sp.csr_matrix, corpus: TokenCorpus) -> np.ndarray:
        w = self.model_.transform(tfidf_weights(counts, self.idf_))
        return uniform_empty_rows(w * self.components_.sum(axis=1)[np.newaxis, :])

    def _state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {"reconstruction_err": self.reconstruction_err_, "n_iter": self.model_.n_iter_}
        return meta, {"components": self.components_, "idf": self.idf_}

    def _restore(self, meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        self.components_ = np.asarray(state_value(arrays, "components", "arrays"), dtype=np.float64)
        self.idf_ = np.asarray(state_value(arrays, "idf", "arrays"), dtype=np.float64)
        self.reconstruction_err_ = float(state_value(meta, "reconstruction_err", "meta"))
        model = self._make_nmf()
        # The public fitted attributes are all NMF.transform needs.
        model.components_ = self.components_.copy()
        model.n_components_ = self.components_.shape[0]
        model.n_features_in_ = self.components_.shape[1]
        model.reconstruction_err_ = self.reconstruction_err_
        model.n_iter_ = int(state_value(meta, "n_iter", "meta"))
        self.model_ = model
