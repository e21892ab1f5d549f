"""Table columns: which column holds the text, id, title, date and source, and value parsing.

Cell rules
----------
* The text column takes strings only. A number, boolean, bytes, nested object or list in
  it is refused with a :class:`~topickit.exceptions.CorpusError` naming the table, row and
  column (it is never turned into ``"42"``, ``"b'...'"`` or ``"{...}"`` text). An empty
  cell skips the row.
* The id, title and source columns take strings and numbers: an integer-valued number
  becomes its integer string (``7.0`` -> ``"7"``), another number its ``str``. Booleans,
  bytes, dates, nested objects and lists are refused in the same way.
* A string holding an unpaired surrogate (JSON ``"\\ud800"``) cannot be written as UTF-8
  and is refused.
* Other columns go to ``Article.extra`` as they are; they never reach the models.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from topickit.exceptions import CorpusError

__all__ = [
    "COLUMN_GUESSES",
    "SOURCE_COLUMN",
    "ColumnMap",
    "as_str",
    "cell_label",
    "cell_text",
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


def _describe(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return f"a boolean ({value})"
    if isinstance(value, numbers.Number):
        return f"a number ({value})"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "bytes"
    if isinstance(value, Mapping):
        return "a nested object"
    if isinstance(value, (list, tuple, np.ndarray)):
        return "a list"
    if isinstance(value, (dt.date, pd.Timestamp)):
        return "a date"
    return f"a {type(value).__name__} value"


def _checked_string(value: str, where: str) -> str:
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise CorpusError(
                f"{where} holds an unpaired surrogate ({value[exc.start]!r}), not valid text"
            ) from None
    return value


def cell_text(value: Any, *, where: str) -> str | None:
    """The text column's cell: a string, or ``None`` when empty (see the cell rules).

    Parameters
    ----------
    value : object
        The cell value.
    where : str
        ``"<table>: row <n>, column '<name>'"`` for the error message.

    Raises
    ------
    CorpusError
        If the cell holds anything but a string.
    """
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return _checked_string(value, where)
    raise CorpusError(f"{where} holds {_describe(value)}, not text; the text column takes strings")


def cell_label(value: Any, *, where: str) -> str | None:
    """An id, title or source cell as a string (numbers in their string form), ``None`` if empty.

    Raises
    ------
    CorpusError
        If the cell holds a boolean, bytes, a date, a nested object or a list.
    """
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return _checked_string(value, where)
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return as_str(float(value) if isinstance(value, np.floating) else value)
    raise CorpusError(f"{where} holds {_describe(value)}; use text or a number")


def _to_timestamps(texts: pd.Series) -> pd.Series:
    try:
        return pd.to_datetime(texts, errors="coerce", format="mixed")
    except (ValueError, TypeError):  # mixed time-zone offsets: keep each local date
        return pd.Series(
            [pd.to_datetime(t, errors="coerce") if t is not None else pd.NaT for t in texts],
            index=texts.index,
            dtype=object,
        )


#: Marks a date cell that is present but not text, a number or a date (a list, bytes...).
_UNREADABLE = object()


def _date_text(value: Any) -> object:
    """A date cell as text to parse; ``None`` when empty, :data:`_UNREADABLE` for other values."""
    if _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return _UNREADABLE
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, numbers.Real):
        return as_str(float(value) if isinstance(value, np.floating) else value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return _UNREADABLE


def _calendar_date(stamp: Any) -> dt.date | None:
    """The calendar date of a parsed value; ``None`` outside Python's years 1 to 9999."""
    if stamp is None or pd.isna(stamp):
        return None
    try:
        return stamp.date()
    except (ValueError, OverflowError, NotImplementedError):
        return None


def parse_dates(values: pd.Series) -> tuple[list[dt.date | None], list[int]]:
    """Parse one chunk of a date column.

    Datetime columns are used as they are; anything else is parsed as text with pandas
    (mixed formats allowed). Numbers are not taken as epoch times: they fail unless they
    read as a date (``20231108``). A date outside Python's range (years 1 to 9999: ``-1``,
    ``"10000-01-01"``, a Parquet timestamp in year 99999) is unknown, never an error or
    another date; so are nested objects, lists, bytes and booleans.

    Parameters
    ----------
    values : pandas.Series
        The column chunk.

    Returns
    -------
    dates : list of datetime.date or None
        One per value.
    failed : list of int
        Positions in the chunk of the non-empty values that could not be used.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = list(values)
        present = values.notna().tolist()
    else:
        texts = [_date_text(v) for v in values]
        present = [t is not None for t in texts]
        parsable = pd.Series(
            [t if isinstance(t, str) else None for t in texts], index=values.index, dtype=object
        )
        parsed = list(_to_timestamps(parsable))
    dates = [_calendar_date(stamp) for stamp in parsed]
    failed = [
        i
        for i, (date, given) in enumerate(zip(dates, present, strict=True))
        if given and date is None
    ]
    return dates, failed
