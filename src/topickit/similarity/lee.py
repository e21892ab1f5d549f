"""The Lee corpus files and the pair bookkeeping of a similarity benchmark.

The Lee, Pincombe & Welsh (2005) data: a background corpus and a test corpus with one
document per line, and a square matrix of mean human similarity ratings of the test
documents (gensim ships the upper triangle, tab-separated, with zeros below the diagonal).
Everything is scored on the ``n (n - 1) / 2`` unordered pairs ``i < j``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.stats import pearsonr, spearmanr

from topickit.exceptions import ConfigError, CorpusError

__all__ = [
    "GENSIM_PREFIX",
    "cosine_matrix",
    "pair_index",
    "pair_labels",
    "pair_split",
    "pair_values",
    "pearson_r",
    "read_documents",
    "read_ratings",
    "resolve_data_path",
    "score_similarities",
    "spearman_rho",
]

logger = logging.getLogger(__name__)

#: A config path starting with this names a file of gensim's bundled test data.
GENSIM_PREFIX = "gensim-test-data:"


def resolve_data_path(spec: str, base: Path) -> Path:
    """Resolve a ``[similarity]`` path: ``gensim-test-data:NAME`` or relative to ``base``.

    Parameters
    ----------
    spec : str
        The path as written in the config.
    base : Path
        Folder of the config file.

    Returns
    -------
    Path

    Raises
    ------
    ConfigError
        When the file does not exist.
    """
    if spec.startswith(GENSIM_PREFIX):
        from gensim.test.utils import datapath

        name = spec[len(GENSIM_PREFIX) :]
        path = Path(datapath(name))
    else:
        path = Path(spec)
        if not path.is_absolute():
            path = (base / path).resolve()
    if not path.is_file():
        raise ConfigError(f"similarity data file {spec!r} not found (looked at {path})")
    return path


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # The Lee test file has a few Latin-1 bytes (a pound sign); gensim reads it as Latin-1.
        return raw.decode("latin-1")


def read_documents(path: Path, limit: int | None = None) -> list[str]:
    """One document per non-empty line; the first ``limit`` when given.

    Raises
    ------
    CorpusError
        When the file holds no document.
    """
    lines = Path(path).read_bytes().splitlines()
    docs = [text for text in (_decode(line).strip() for line in lines) if text]
    if not docs:
        raise CorpusError(f"{path}: no documents (expected one document per line)")
    return docs[:limit] if limit is not None else docs


def read_ratings(path: Path, limit: int | None = None) -> np.ndarray:
    """Read a square matrix of pairwise ratings and make it symmetric.

    The file has one row per line and whitespace-separated numbers. When one triangle is
    all zeros (gensim's ``similarities0-1.txt`` stores only the upper one) it is filled from
    the other; otherwise the two triangles must agree.

    Parameters
    ----------
    path : Path
    limit : int, optional
        Keep the ratings of the first ``limit`` documents only.

    Returns
    -------
    ndarray of shape (n, n)
        Symmetric; the diagonal is kept as written.

    Raises
    ------
    CorpusError
        When the file is not a square numeric matrix or its triangles disagree.
    """
    rows = []
    for number, raw in enumerate(Path(path).read_bytes().splitlines(), start=1):
        fields = _decode(raw).split()
        if not fields:
            continue
        try:
            rows.append([float(x) for x in fields])
        except ValueError:
            raise CorpusError(f"{path}: line {number} is not a row of numbers") from None
    n = len(rows)
    if n < 2 or any(len(r) != n for r in rows):
        widths = sorted({len(r) for r in rows})
        raise CorpusError(f"{path}: expected a square matrix, got {n} rows of widths {widths}")
    matrix = np.asarray(rows, dtype=np.float64)
    if not np.all(np.isfinite(matrix)):
        raise CorpusError(f"{path}: ratings must be finite numbers")
    upper, lower = np.triu_indices(n, 1), np.tril_indices(n, -1)
    if not matrix[lower].any():
        matrix[lower] = matrix.T[lower]
    elif not matrix[upper].any():
        matrix[upper] = matrix.T[upper]
    elif not np.allclose(matrix, matrix.T):
        raise CorpusError(f"{path}: the ratings matrix is not symmetric")
    return matrix[:limit, :limit] if limit is not None else matrix


def pair_index(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices of the ``n (n - 1) / 2`` unordered pairs ``i < j``, row-major."""
    return np.triu_indices(n, 1)


def pair_values(matrix: np.ndarray) -> np.ndarray:
    """The upper-triangle values of a square matrix, in :func:`pair_index` order."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {matrix.shape}")
    return matrix[pair_index(matrix.shape[0])]


def pair_labels(n: int) -> list[str]:
    """``"i-j"`` labels (0-based document positions) of the pairs, in :func:`pair_index` order."""
    rows, cols = pair_index(n)
    return [f"{i}-{j}" for i, j in zip(rows.tolist(), cols.tolist(), strict=True)]


def pair_split(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Masks over the pairs of :func:`pair_index`: both documents even, both documents odd.

    The even-position documents' pairs are the *selection* pairs (used to choose settings),
    the odd-position documents' pairs are *held out*; mixed pairs belong to neither. The split
    does not depend on any seed, so choices made on it stay reproducible.
    """
    rows, cols = pair_index(n)
    return (rows % 2 == 0) & (cols % 2 == 0), (rows % 2 == 1) & (cols % 2 == 1)


def cosine_matrix(X: np.ndarray | sp.spmatrix) -> np.ndarray:
    """Cosine similarity of every pair of rows of ``X`` (dense or sparse).

    A row of zeros has similarity 0 with every row, itself included.

    Returns
    -------
    ndarray of shape (n_rows, n_rows)
    """
    if sp.issparse(X):
        X = sp.csr_matrix(X, dtype=np.float64)
        norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
        gram = np.asarray((X @ X.T).todense())
    else:
        X = np.asarray(X, dtype=np.float64)
        norms = np.linalg.norm(X, axis=1)
        gram = X @ X.T
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    sims = gram * scale[:, np.newaxis] * scale[np.newaxis, :]
    return np.clip(sims, -1.0, 1.0)


def pearson_r(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; NaN when either side is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(pearsonr(x, y).statistic)


def spearman_rho(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation; NaN when either side is constant."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(spearmanr(x, y).statistic)


def score_similarities(
    matrices: dict[str, np.ndarray], ratings: np.ndarray
) -> dict[str, dict[str, float]]:
    """Pearson r on all pairs, on the selection and held-out pairs, and Spearman rho.

    Parameters
    ----------
    matrices : dict of str to ndarray of shape (n, n)
        Similarity matrix of each representation.
    ratings : ndarray of shape (n, n)
        Human ratings of the same documents.

    Returns
    -------
    dict of str to dict
        Per representation: ``lee_r``, ``lee_r_select``, ``lee_r_heldout``, ``lee_spearman``.
    """
    human = pair_values(ratings)
    select, heldout = pair_split(ratings.shape[0])
    scores = {}
    for name, matrix in matrices.items():
        pred = pair_values(matrix)
        scores[name] = {
            "lee_r": pearson_r(pred, human),
            "lee_r_select": pearson_r(pred[select], human[select]),
            "lee_r_heldout": pearson_r(pred[heldout], human[heldout]),
            "lee_spearman": spearman_rho(pred, human),
        }
    return scores
