"""Table columns: which column holds the text, id, title, date and source, and value parsing."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from topickit.exceptions import CorpusError

__all__ = [
    "COLUMN_GUESSES",
    "SOURCE_COLUMN",
    "ColumnMap",
    "as_str",
    "parse_dates",
    "resolve_columns",
]

#: Column names tried, in order and case-insensitively, when a column option is not given.
COLUMN_GUESSES: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "full_text", "article_text"),
    "id": ("id", "doc_id", "article_id", "uid"),
    "title": ("title", "headline"),
    "date": (
        "date",
        "published",
        "publish_date",
        "published_at",
        "pub_date",
        "datetime",
        "timestamp",
    ),
}

#: A table column with this name (any case) fills ``Article.source``.
SOURCE_COLUMN = "source"


@dataclass(frozen=True)
class ColumnMap:
    """Which table columns hold the text, id, title, date and source; the rest are extra."""

    text: str
    id: str | None = None
    title: str | None = None
    date: str | None = None
    source: str | None = None

    @property
    def used(self) -> tuple[str, ...]:
        """The mapped columns, which are not copied into ``extra``."""
        names = (self.text, self.id, self.title, self.date, self.source)
        return tuple(n for n in names if n is not None)


def _find_column(columns: Sequence[str], name: str) -> str | None:
    if name in columns:
        return name
    folded = [c for c in columns if str(c).casefold() == name.casefold()]
    return folded[0] if len(folded) == 1 else None


def resolve_columns(
    columns: Sequence[str],
    *,
    source: str,
    text_column: str | None = None,
    id_column: str | None = None,
    title_column: str | None = None,
    date_column: str | None = None,
) -> ColumnMap:
    """Map the column options onto a table's columns, guessing the ones not given.

    Raises
    ------
    CorpusError
        If a named column is absent, or no text column is named or found.
    """
    columns = [str(c) for c in columns]
    available = ", ".join(columns) if columns else "(none)"
    options = {"text": text_column, "id": id_column, "title": title_column, "date": date_column}
    chosen: dict[str, str | None] = {}
    for role, name in options.items():
        if name is not None:
            chosen[role] = _find_column(columns, name)
            if chosen[role] is None:
                raise CorpusError.at(
                    source,
                    f"no such column (given as {role}_column); available columns: {available}",
                    column=name,
                )
    for role in options:  # guesses never take a column already named or guessed
        if role not in chosen:
            free = [c for c in columns if c not in chosen.values()]
            chosen[role] = next(
                (c for guess in COLUMN_GUESSES[role] if (c := _find_column(free, guess))), None
            )
    if chosen["text"] is None:
        raise CorpusError.at(
            source, f"no text column found among: {available}; name it with text_column="
        )
    taken = {v for v in chosen.values() if v is not None}
    src = _find_column(columns, SOURCE_COLUMN)
    return ColumnMap(
        text=chosen["text"],
        id=chosen["id"],
        title=chosen["title"],
        date=chosen["date"],
        source=src if src not in taken else None,
    )


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-like cell
        return False


def as_str(value: Any) -> str | None:
    """A table cell as text: ``None`` when missing, ``"7"`` for the float ``7.0``.

    Parameters
    ----------
    value : object
        The cell value.

    Returns
    -------
    str or None
    """
    if _is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_timestamps(texts: pd.Series) -> pd.Series:
    try:
        return pd.to_datetime(texts, errors="coerce", format="mixed")
    except (ValueError, TypeError):  # mixed time-zone offsets: keep each local date
        return pd.Series(
            [pd.to_datetime(t, errors="coerce") if t is not None else pd.NaT for t in texts],
            index=texts.index,
            dtype=object,
        )


def parse_dates(values: pd.Series) -> tuple[list[dt.date | None], int]:
    """Parse one chunk of a date column.

    Datetime columns are used as they are; anything else is parsed as text with pandas
    (mixed formats allowed). Numbers are not taken as epoch times: they fail unless they
    read as a date (``20231108``).

    Parameters
    ----------
    values : pandas.Series
        The column chunk.

    Returns
    -------
    dates : list of datetime.date or None
        One per value.
    failed : int
        How many non-empty values could not be parsed.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
        present = values.notna()
    else:
        texts = values.map(as_str).astype(object)
        texts = texts.where(texts.notna() & (texts.str.strip() != ""), None)
        present = texts.notna()
        parsed = _to_timestamps(texts)
    failed = int((present & parsed.isna()).sum())
    dates = [None if pd.isna(ts) else ts.date() for ts in parsed]
    return dates, failed
