"""Readers that turn files on disk into raw records: text files and table rows.

Nothing here cleans text; :mod:`topickit.corpus.loading` does that. Skipped files and rows
are reported twice: a :class:`~topickit.exceptions.CorpusWarning` (one per file, counting
rows for tables) and a call ``on_skip(source, reason)`` so callers can keep a record.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from topickit.corpus.columns import as_str, parse_dates, resolve_columns
from topickit.corpus.encoding import decode_bytes, sniff_encoding
from topickit.exceptions import CorpusError, CorpusWarning

__all__ = [
    "FORMATS",
    "TEXT_SUFFIXES",
    "TableReader",
    "TableRow",
    "detect_format",
    "list_text_files",
    "read_text_file",
]

logger = logging.getLogger(__name__)

SkipCallback = Callable[[str, str], None]

#: File suffixes read as plain-text articles.
TEXT_SUFFIXES = (".txt", ".md")

#: Supported formats and the suffixes that select them.
FORMATS: dict[str, tuple[str, ...]] = {
    "text": TEXT_SUFFIXES,
    "csv": (".csv",),
    "tsv": (".tsv", ".tab"),
    "jsonl": (".jsonl", ".ndjson", ".json"),
    "parquet": (".parquet", ".pq"),
}

_FORMAT_ALIASES = {"txt": "text", "md": "text", "json": "jsonl", "ndjson": "jsonl"}


def _warn(message: str) -> None:
    warnings.warn(message, CorpusWarning, stacklevel=3)
    logger.info(message)


def detect_format(path: Path, format: str | None = None) -> str:
    """Return the format of ``path``: "text", "csv", "tsv", "jsonl" or "parquet".

    Parameters
    ----------
    path : Path
        A file (a folder is always ``"text"``).
    format : str or None, default None
        Explicit format; ``None`` guesses from the file suffix.

    Raises
    ------
    CorpusError
        If ``format`` is unknown, or it is ``None`` and the suffix is not supported.
    """
    if format is not None:
        name = _FORMAT_ALIASES.get(format.lower(), format.lower())
        if name not in FORMATS:
            raise CorpusError(
                f"unknown corpus format {format!r}; use one of {', '.join(sorted(FORMATS))}"
            )
        return name
    if path.is_dir():
        return "text"
    suffix = path.suffix.lower()
    for name, suffixes in FORMATS.items():
        if suffix in suffixes:
            return name
    known = ", ".join(s for suffixes in FORMATS.values() for s in suffixes)
    raise CorpusError.at(
        path,
        f"unsupported file type {suffix or '(no extension)'!r}; use one of {known} or pass format=",
    )


# --------------------------------------------------------------------------- text files


def list_text_files(root: Path) -> list[Path]:
    """All ``.txt``/``.md`` files under ``root``, recursively, sorted by relative path.

    Hidden files and folders (name starting with ``"."``) are ignored.
    """
    found: list[tuple[str, Path]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.startswith(".") or Path(name).suffix.lower() not in TEXT_SUFFIXES:
                continue
            full = Path(dirpath) / name
            found.append((full.relative_to(root).as_posix(), full))
    found.sort(key=lambda item: item[0])
    return [full for _, full in found]


def read_text_file(
    path: Path, *, source: str, encoding: str | None, on_skip: SkipCallback
) -> str | None:
    """Read and decode one text file; ``None`` (after warning and ``on_skip``) when unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError.at(source, f"cannot be read ({exc.strerror})") from None
    text, detail = decode_bytes(data, source=source, encoding=encoding)
    if text is None:
        _warn(f"{source}: skipped ({detail})")
        on_skip(source, detail)
    return text


# --------------------------------------------------------------------------- tables


@dataclass
class TableRow:
    """One table row, before cleaning."""

    row: int  # 0-based data row number (header excluded)
    doc_id: str
    raw: str
    source: str
    title: str | None = None
    date: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class TableReader:
    """Stream the rows of one table file (CSV, TSV, JSON lines or Parquet) in chunks.

    The header is read (and columns resolved) when the reader is created; rows are read
    ``chunksize`` at a time by :meth:`rows`.

    Parameters
    ----------
    path : Path
        The table file.
    format : {"csv", "tsv", "jsonl", "parquet"}
        Its format.
    chunksize : int
        Rows per chunk.
    encoding : str or None
        Codec for text tables; ``None`` detects it.
    on_skip : callable
        Called as ``on_skip(source, reason)`` for each skipped row or file.
    **options
        ``text_column``, ``id_column``, ``title_column``, ``date_column``.
    """

    def __init__(
        self,
        path: Path,
        *,
        format: str,
        chunksize: int,
        encoding: str | None,
        on_skip: SkipCallback,
        **options: str | None,
    ) -> None:
        self.path = path
        self.format = format
        self.chunksize = chunksize
        self.on_skip = on_skip
        self.name = path.name
        self.empty = False
        self._codec = (
            None
            if format == "parquet"
            else sniff_encoding(path, source=self.name, encoding=encoding)
        )
        header = self._header()
        self.columns = (
            None if header is None else resolve_columns(header, source=self.name, **options)
        )

    # -- format specific -------------------------------------------------------------

    def _header(self) -> list[str] | None:
        try:
            if self.format == "parquet":
                import pyarrow.parquet as pq

                return list(pq.ParquetFile(self.path).schema_arrow.names)
            if self.format in ("csv", "tsv"):
                sep = "," if self.format == "csv" else "\t"
                frame = pd.read_csv(self.path, sep=sep, nrows=0, encoding=self._codec)
                return [str(c) for c in frame.columns]
            first = next(self._json_chunks(), None)
            return None if first is None else [str(c) for c in first.columns]
        except pd.errors.EmptyDataError:
            pass
        except UnicodeDecodeError:
            self._decode_error()
        except Exception as exc:
            raise CorpusError.at(self.name, f"cannot be read as {self.format} ({exc})") from None
        self.empty = True
        _warn(f"{self.name}: skipped (empty file)")
        self.on_skip(self.name, "empty file")
        return None

    def _decode_error(self) -> None:
        raise CorpusError.at(
            self.name, f"cannot be decoded as {self._codec}; pass the right encoding="
        ) from None

    def _json_is_array(self) -> bool:
        with open(self.path, encoding=self._codec) as fh:
            while chunk := fh.read(1024):
                stripped = chunk.lstrip()
                if stripped:
                    return stripped.startswith("[")
        return False

    def _json_chunks(self) -> Iterator[pd.DataFrame]:
        opts = {"dtype": False, "encoding": self._codec}
        if self._json_is_array():
            whole = pd.read_json(self.path, orient="records", **opts)
            for start in range(0, len(whole), self.chunksize):
                yield whole.iloc[start : start + self.chunksize]
            return
        with pd.read_json(self.path, lines=True, chunksize=self.chunksize, **opts) as reader:
            yield from reader

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Yield the table ``chunksize`` rows at a time, as DataFrames."""
        if self.format == "parquet":
            import pyarrow.parquet as pq

            for batch in pq.ParquetFile(self.path).iter_batches(batch_size=self.chunksize):
                yield batch.to_pandas()
        elif self.format in ("csv", "tsv"):
            assert self.columns is not None
            as_str = {c: str for c in (self.columns.id, self.columns.text, self.columns.title)}
            as_str.pop(None, None)
            with pd.read_csv(
                self.path,
                sep="," if self.format == "csv" else "\t",
                chunksize=self.chunksize,
                encoding=self._codec,
                dtype=as_str,
            ) as reader:
                yield from reader
        else:
            yield from self._json_chunks()

    # -- rows ------------------------------------------------------------------------

    def rows(self) -> Iterator[TableRow]:
        """Yield the rows that have text; warn once, with a count, about those that do not."""
        if self.columns is None:
            return
        cols = self.columns
        row = 0
        empty_rows = 0
        bad_dates = 0
        try:
            for chunk in self.chunks():
                dates: list[dt.date | None] = [None] * len(chunk)
                if cols.date is not None and cols.date in chunk.columns:
                    dates, bad = parse_dates(chunk[cols.date])
                    bad_dates += bad
                extra_cols = [c for c in chunk.columns if c not in cols.used]
                for i, record in enumerate(chunk.to_dict("records")):
                    raw = as_str(record.get(cols.text))
                    position = f"{self.name}:{row + 1}"
                    if raw is None or not raw.strip():
                        empty_rows += 1
                        self.on_skip(position, "empty text")
                        row += 1
                        continue
                    doc_id = as_str(record.get(cols.id)) if cols.id else None
                    own_source = as_str(record.get(cols.source)) if cols.source else None
                    yield TableRow(
                        row=row,
                        doc_id=doc_id if doc_id is not None else str(row),
                        raw=raw,
                        source=own_source if own_source is not None else position,
                        title=as_str(record.get(cols.title)) if cols.title else None,
                        date=dates[i],
                        extra={c: record[c] for c in extra_cols},
                    )
                    row += 1
        except UnicodeDecodeError:
            self._decode_error()
        except CorpusError:
            raise
        except (pd.errors.ParserError, ValueError) as exc:
            raise CorpusError.at(
                self.name, f"cannot be read as {self.format} near here ({exc})", row=row + 1
            ) from None
        if empty_rows:
            _warn(f"{self.name}: skipped {empty_rows} row(s) with empty text")
        if bad_dates:
            _warn(
                f"{self.name}: {bad_dates} value(s) of date column {cols.date!r} "
                "could not be parsed; left as NaT"
            )
