"""Readers that turn table files into raw rows (text files: :mod:`topickit.corpus.folders`).

Nothing here cleans text; :mod:`topickit.corpus.loading` does that. Skipped files and rows
are reported twice: a :class:`~topickit.exceptions.CorpusWarning` (one per file, counting
rows for tables) and a call ``on_skip(source, reason)`` so callers can keep a record.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from topickit.corpus.article import SkipCallback
from topickit.corpus.columns import ColumnMap, cell_label, cell_text, parse_dates, resolve_columns
from topickit.corpus.delimited import check_delimited, read_options
from topickit.corpus.encoding import sniff_encoding
from topickit.corpus.folders import TEXT_SUFFIXES, printable_path
from topickit.corpus.jsonlines import json_chunks
from topickit.exceptions import CorpusError, CorpusWarning

__all__ = [
    "FORMATS",
    "TEXT_SUFFIXES",
    "TableReader",
    "TableRow",
    "detect_format",
]

logger = logging.getLogger(__name__)


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
        self.name = printable_path(path.name)
        self.empty = False
        self.columns: ColumnMap | None = None
        self._header_names: list[str] | None = None
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
                assert self._codec is not None
                check_delimited(self.path, format=self.format, encoding=self._codec, name=self.name)
                options = read_options(self.format)
                frame = pd.read_csv(self.path, nrows=0, encoding=self._codec, **options)
                self._header_names = [str(c) for c in frame.columns]
                return self._header_names
            first = next(self._json_frames(), None)
            if first is not None:
                return [str(c) for c in first.columns]
        except pd.errors.EmptyDataError:
            pass
        except UnicodeDecodeError:
            self._decode_error()
        except CorpusError:
            raise
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

    def _parquet_batches(self) -> Iterator[pd.DataFrame]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        date = self.columns.date if self.columns is not None else None
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=self.chunksize):
            if date is not None and pa.types.is_date(batch.schema.field(date).type):
                # A date32 beyond year 9999 cannot become a Python date; as a timestamp
                # it reaches parse_dates, which makes it NaT with a warning.
                index = batch.schema.get_field_index(date)
                column = batch.column(index).cast(pa.timestamp("s"))
                batch = pa.RecordBatch.from_arrays(
                    [column if i == index else batch.column(i) for i in range(batch.num_columns)],
                    names=batch.schema.names,
                )
            yield batch.to_pandas(integer_object_nulls=True)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Yield the table ``chunksize`` rows at a time, as DataFrames."""
        if self.format == "parquet":
            yield from self._parquet_batches()
        elif self.format in ("csv", "tsv"):
            assert self.columns is not None and self._header_names is not None
            as_str = {c: str for c in (self.columns.id, self.columns.text, self.columns.title)}
            as_str.pop(None, None)
            with pd.read_csv(
                self.path,
                chunksize=self.chunksize,
                encoding=self._codec,
                dtype=as_str,
                keep_default_na=False,
                na_values={c: [""] for c in self._header_names},
                **read_options(self.format),
            ) as reader:
                yield from reader
        else:
            yield from self._json_frames()

    def _json_frames(self) -> Iterator[pd.DataFrame]:
        assert self._codec is not None
        return json_chunks(
            self.path, encoding=self._codec, chunksize=self.chunksize, name=self.name
        )

    # -- rows ------------------------------------------------------------------------

    def rows(self) -> Iterator[TableRow]:
        """Yield the rows that have text; warn once, with a count, about those that do not."""
        if self.columns is None:
            return
        cols = self.columns
        row = 0
        empty_rows = 0
        bad_dates: list[int] = []
        try:
            for chunk in self.chunks():
                dates: list[dt.date | None] = [None] * len(chunk)
                if cols.date is not None and cols.date in chunk.columns:
                    dates, failed = parse_dates(chunk[cols.date])
                    bad_dates += [row + i + 1 for i in failed]
                extra_cols = [c for c in chunk.columns if c not in cols.used]
                for i, record in enumerate(chunk.to_dict("records")):
                    position = f"{self.name}:{row + 1}"
                    raw = cell_text(record.get(cols.text), where=self._where(row, cols.text))
                    if raw is None or not raw.strip():
                        empty_rows += 1
                        self.on_skip(position, "empty text")
                        row += 1
                        continue
                    doc_id = self._label(record, cols.id, row)
                    own_source = self._label(record, cols.source, row)
                    yield TableRow(
                        row=row,
                        doc_id=doc_id if doc_id is not None else str(row),
                        raw=raw,
                        source=own_source if own_source is not None else position,
                        title=self._label(record, cols.title, row),
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
            shown = ", ".join(map(str, bad_dates[:10])) + (", ..." if len(bad_dates) > 10 else "")
            _warn(
                f"{self.name}: {len(bad_dates)} value(s) of date column {cols.date!r} "
                f"could not be parsed or are out of range (rows {shown}); left as NaT"
            )

    def _where(self, row: int, column: str) -> str:
        return f"{self.name}: row {row + 1}, column {column!r}"

    def _label(self, record: dict[str, Any], column: str | None, row: int) -> str | None:
        if column is None:
            return None
        return cell_label(record.get(column), where=self._where(row, column))
