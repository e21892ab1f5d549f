"""Check theme labels given to a classifier's ``fit`` and turn them into codes.

Two label forms are accepted: the primary theme name of each text (1-D, optionally with the
full theme set of each text) or a theme indicator matrix (texts x themes in codebook order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from topickit.exceptions import DataError

__all__ = ["check_theme_labels"]


def check_theme_labels(
    n_texts: int,
    y: Any,
    themes: Sequence[Sequence[str]] | None,
    names: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Primary-theme codes and the theme indicator matrix of ``n_texts`` labelled texts.

    Parameters
    ----------
    n_texts : int
        Number of training texts.
    y : array-like of shape (n_texts,) or (n_texts, n_themes)
        Primary theme names, or an indicator matrix (true or 1 where a text has a theme,
        columns in codebook order). For a matrix, a text's primary theme is its first
        marked theme in codebook order.
    themes : list of tuple of str, optional
        All themes of each text (1-D ``y`` only); by default each text's primary theme.
    names : list of str
        The codebook's theme names, in order.

    Returns
    -------
    codes : ndarray of int64, shape (n_texts,)
        Codebook index of each primary theme.
    indicator : ndarray of bool, shape (n_texts, n_themes)
        All themes of each text; the primary theme is always marked.

    Raises
    ------
    DataError
        When the labels do not match the texts in number, name an unknown theme, or an
        indicator matrix has the wrong width, values other than 0/1 or a row without theme.
    """
    if isinstance(y, str):
        raise DataError("theme labels y must be a list of theme names, not a single string")
    array = np.asarray(y, dtype=object) if not isinstance(y, np.ndarray) else y
    if array.ndim == 2:
        if themes is not None:
            raise DataError("give the theme sets either as an indicator matrix y or as themes=")
        return _from_indicator(n_texts, array, names)
    if array.ndim != 1:
        raise DataError(f"theme labels y must be 1-D names or a 2-D matrix, not {array.ndim}-D")
    primary = list(y)
    if len(primary) != n_texts:
        raise DataError(f"got {n_texts} texts but {len(primary)} primary labels")
    sets = [(p,) for p in primary] if themes is None else [tuple(t) for t in themes]
    if len(sets) != n_texts:
        raise DataError(f"got {n_texts} texts but {len(sets)} theme label sets")
    index = {n: k for k, n in enumerate(names)}
    codes = np.empty(n_texts, dtype=np.int64)
    indicator = np.zeros((n_texts, len(names)), dtype=bool)
    for i, (p, ts) in enumerate(zip(primary, sets, strict=True)):
        for name in (p, *ts):
            if not isinstance(name, str) or name not in index:
                raise DataError(f"label {i}: unknown theme {name!r}; known: {names}")
        codes[i] = index[p]
        indicator[i, [index[t] for t in ts]] = True
        indicator[i, index[p]] = True
    return codes, indicator


def _from_indicator(n_texts: int, matrix: np.ndarray, names: list[str]) -> tuple[Any, Any]:
    if matrix.shape != (n_texts, len(names)):
        raise DataError(
            f"theme indicator matrix y has shape {matrix.shape}; expected "
            f"({n_texts}, {len(names)}): one row per text, one column per codebook theme"
        )
    try:
        values = matrix.astype(np.float64)
    except (TypeError, ValueError):
        raise DataError("theme indicator matrix y must hold 0/1 or true/false values") from None
    if not np.isin(values, (0.0, 1.0)).all():
        raise DataError("theme indicator matrix y must hold 0/1 or true/false values")
    indicator = values == 1.0
    empty = np.flatnonzero(~indicator.any(axis=1))
    if len(empty):
        raise DataError(f"theme indicator matrix y: row {int(empty[0])} marks no theme")
    return np.argmax(indicator, axis=1).astype(np.int64), indicator
