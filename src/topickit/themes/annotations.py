"""Theme annotations of units: reading, checking against the current segmentation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from topickit.cleaning import normalize_text
from topickit.exceptions import CorpusError

__all__ = ["ANNOTATION_COLUMNS", "load_annotations", "text_hash"]

#: Columns of an annotations CSV.
ANNOTATION_COLUMNS = ("unit_id", "text_hash", "primary", "themes")


def text_hash(text: str) -> str:
    """A short, stable hash of a unit's text (12 hex digits of SHA-256).

    The text is Unicode-normalised and stripped first, so the hash survives quote styles.

    Examples
    --------
    >>> text_hash("Iran’s leader") == text_hash("Iran's leader ")
    True
    """
    return hashlib.sha256(normalize_text(text).strip().encode("utf-8")).hexdigest()[:12]


def load_annotations(
    path: str | Path, *, units: pd.DataFrame | None = None, themes: list[str] | None = None
) -> pd.DataFrame:
    """Read an annotations CSV and check it.

    Parameters
    ----------
    path : str or Path
        CSV with columns ``unit_id, text_hash, primary, themes`` (``themes`` separated
        by ``;``, and it includes the primary theme).
    units : pandas.DataFrame, optional
        The current units table; every annotation must name one of its units and its hash
        must match that unit's text (a mismatch means the label is stale).
    themes : list of str, optional
        Allowed theme names (the codebook's).

    Returns
    -------
    pandas.DataFrame
        ``unit_id, text_hash, primary, themes`` with ``themes`` as a tuple of names.

    Raises
    ------
    CorpusError
        Naming the file, the row and the problem.
    """
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"annotations file {path} does not exist")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ANNOTATION_COLUMNS if c not in table.columns]
    if missing:
        raise CorpusError(f"{path}: missing column(s) {', '.join(missing)}")
    table = table[list(ANNOTATION_COLUMNS)].copy()
    table["themes"] = [tuple(t.strip() for t in s.split(";") if t.strip()) for s in table.themes]
    allowed = set(themes) if themes is not None else None
    by_id = dict(zip(units.unit_id, units.text, strict=True)) if units is not None else None
    for i, row in enumerate(table.itertuples(), start=2):
        where = f"{path}: row {i} ({row.unit_id})"
        if allowed is not None:
            bad = [t for t in (row.primary, *row.themes) if t not in allowed]
            if bad:
                raise CorpusError(f"{where}: unknown theme {bad[0]!r}")
        if row.primary not in row.themes:
            raise CorpusError(f"{where}: primary theme {row.primary!r} is not among its themes")
        if by_id is not None:
            if row.unit_id not in by_id:
                raise CorpusError(f"{where}: no such unit in the corpus")
            if text_hash(by_id[row.unit_id]) != row.text_hash:
                raise CorpusError(f"{where}: text hash does not match the unit (stale label)")
    if table.unit_id.duplicated().any():
        dup = table.unit_id[table.unit_id.duplicated()].iloc[0]
        raise CorpusError(f"{path}: unit {dup} is annotated twice")
    return table.reset_index(drop=True)
