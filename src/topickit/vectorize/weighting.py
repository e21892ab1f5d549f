"""Term weighting: sublinear TF-IDF with scikit-learn's :class:`TfidfTransformer`.

Models keep only the fitted ``idf`` vector (a plain array, saved in bundles), and rebuild the
transformer from it to weight new documents exactly as the training ones.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

__all__ = ["fit_idf", "tfidf_weights"]


def _transformer() -> TfidfTransformer:
    return TfidfTransformer(norm="l2", smooth_idf=True, sublinear_tf=True)


def fit_idf(counts: sp.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequencies of a count matrix.

    Parameters
    ----------
    counts : sparse matrix of shape (n_docs, n_terms)

    Returns
    -------
    ndarray of shape (n_terms,)
    """
    return np.asarray(_transformer().fit(counts).idf_, dtype=np.float64)


def tfidf_weights(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear TF-IDF of ``counts`` with a fitted ``idf``, rows scaled to unit length.

    ``tf = 1 + log(count)`` for nonzero counts, times ``idf``; all-zero rows stay zero.

    Parameters
    ----------
    counts : sparse matrix of shape (n_docs, n_terms)
    idf : ndarray of shape (n_terms,)

    Returns
    -------
    scipy.sparse.csr_matrix of float64
    """
    transformer = _transformer()
    transformer.idf_ = np.asarray(idf, dtype=np.float64)
    counts = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    counts.eliminate_zeros()
    return sp.csr_matrix(transformer.transform(counts, copy=False))
