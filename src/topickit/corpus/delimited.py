"""CSV and TSV tables: how they are read, and a strict pass that finds broken quoting.

pandas' CSV parser is lenient: an unclosed quote swallows the lines after it into one cell
(often silently, when a later stray quote happens to close it), and a row with one field
too many quietly turns its first field into the index. Before a CSV or TSV is read, one
streaming pass with :mod:`csv` in strict mode refuses both, naming the line:

* CSV (``","``, RFC 4180 quoting with doubled ``""``): a quote that is never closed, or a
  closing quote followed by anything but a comma or a line end, is a
  :class:`~topickit.exceptions.CorpusError` giving the line where the quoted cell starts.
* TSV (tab-separated): quotes are kept as written (quoting is off); tabs separate fields,
  so a cell cannot hold a tab or a line break.
* Either: a row with more fields than the header is an error naming its line. A row with
  fewer fields is read with the missing cells empty. Only an empty cell is missing:
  ``NA``, ``null`` or ``None`` are kept as written (pandas would make them NaN).
* CSV: when a stray quote at the end of a later line happens to close an unclosed quote,
  the rows in between merge into one valid-looking cell. So a multi-line cell is checked
  for inner lines that read as a whole row whose first field has the shape (runs of
  letters and of digits) of the row's own first field, when that holds a digit, as ids do:
  ``"2,next"`` inside the row starting ``1,"...``. Such a row gets a
  :class:`~topickit.exceptions.CorpusWarning` naming its lines (it is still read). A table
  with one column, or without digits in its first column, cannot be checked this way.
"""

from __future__ import annotations

import csv
import re
import warnings
from pathlib import Path
from typing import Any

from topickit.exceptions import CorpusError, CorpusWarning

__all__ = ["check_delimited", "read_options"]

#: Largest cell the strict pass accepts, in characters.
_FIELD_LIMIT = 2**31 - 1


def read_options(format: str) -> dict[str, Any]:
    """Keyword options for :func:`pandas.read_csv` for ``format`` ("csv" or "tsv")."""
    if format == "tsv":
        return {"sep": "\t", "quoting": csv.QUOTE_NONE, "index_col": False}
    return {"sep": ",", "index_col": False}


def check_delimited(path: Path, *, format: str, encoding: str, name: str) -> None:
    """Read ``path`` once with :mod:`csv` in strict mode and refuse broken rows.

    Parameters
    ----------
    path : Path
        The table file.
    format : {"csv", "tsv"}
        Its format.
    encoding : str
        The codec chosen for it.
    name : str
        Its name for messages.

    Raises
    ------
    CorpusError
        On an unclosed quote or stray quote (CSV), or a row with more fields than the header.
    UnicodeDecodeError
        If the file does not decode with ``encoding`` (the caller reports it).
    """
    if format == "tsv":
        dialect: dict[str, Any] = {"delimiter": "\t", "quoting": csv.QUOTE_NONE, "strict": True}
    else:
        dialect = {"delimiter": ",", "quotechar": '"', "doublequote": True, "strict": True}
    limit = csv.field_size_limit()
    csv.field_size_limit(_FIELD_LIMIT)  # long articles exceed the 128 KiB default
    try:
        _check_records(path, format, encoding, name, dialect)
    finally:
        csv.field_size_limit(limit)


def _check_records(
    path: Path, format: str, encoding: str, name: str, dialect: dict[str, Any]
) -> None:
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh, **dialect)
        width: int | None = None
        start = 1  # physical line where the next record starts
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CorpusError(_quote_message(name, start, reader.line_num, exc)) from None
            if record:
                if width is None:
                    width = len(record)
                elif len(record) > width:
                    raise CorpusError(
                        f"{name}: line {start} has {len(record)} fields but the header has "
                        f"{width}; quote cells that contain the delimiter"
                    )
                elif format == "csv" and _looks_merged(record, width):
                    warnings.warn(
                        f"{name}: the row on lines {start}-{reader.line_num} has a quoted cell "
                        "holding lines that look like rows of their own; check for an "
                        "unclosed quote",
                        CorpusWarning,
                        stacklevel=5,
                    )
            start = reader.line_num + 1


def _shape(field: str) -> str:
    return re.sub(r"[^\W\d_]+", "a", re.sub(r"\d+", "0", field.strip()))


def _looks_merged(record: list[str], width: int) -> bool:
    """Whether a cell of ``record`` holds a line that reads as a row like ``record`` itself."""
    if width < 2 or not any(ch.isdigit() for ch in record[0]):
        return False
    shape = _shape(record[0])
    for cell in record:
        for line in cell.split("\n")[1:]:
            inner = next(csv.reader([line]), [])
            if len(inner) == width and inner[0].strip() and _shape(inner[0]) == shape:
                return True
    return False


def _quote_message(name: str, start: int, line: int, exc: csv.Error) -> str:
    detail = str(exc)
    if "unexpected end of data" in detail or "EOF" in detail:
        return (
            f"{name}: the quoted cell starting on line {start} is never closed (it would "
            'swallow the rest of the file); close the quote or double it as ""'
        )
    return (
        f"{name}: broken quoting in the row starting on line {start} (line {line}: {detail}); "
        'a quote inside a quoted cell must be doubled as ""'
    )
