"""Load a corpus: a folder of text files, one text file, or a table, as cleaned articles.

Identifiers and sources
-----------------------
* Text files: ``doc_id`` is the file's path relative to the corpus root, with posix
  separators and without extension (``"sub/story"``). When a folder holds two or more
  files and every file name has a leading token before its first ``"_"`` that is
  unique across the whole listing (``000_022359f6942453ee.txt`` -> ``"000"``), that token
  is used instead (keeping any sub-folder: ``"sub/000"``). ``source`` is the path relative
  to the root, or the file name for a single file.
* Tables: ``doc_id`` is the id column's value as text, or the 0-based data row number.
  ``source`` is ``"<file name>:<row>"`` with the 1-based data row number (header
  excluded), unless the table has a ``source`` column (any case), whose value is used.

Skipped files and rows
----------------------
Every skip raises a :class:`~topickit.exceptions.CorpusWarning` (one per file; rows of a
table are counted in one warning) and, when ``on_skip`` is given, calls
``on_skip(source, reason)``. :func:`load_corpus` keeps them in ``df.attrs["skipped"]``.
Folder entries that are skipped (unlistable sub-folders, FIFOs, devices, broken links) are
described in :mod:`topickit.corpus.folders`; refused table cells in
:mod:`topickit.corpus.columns`, :mod:`topickit.corpus.delimited` and
:mod:`topickit.corpus.jsonlines`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from topickit.cleaning.types import CleanedText
from topickit.corpus.article import ARTICLE_COLUMNS, Article, SkipCallback
from topickit.corpus.folders import (
    list_text_files,
    printable_path,
    read_text_file,
    text_sources,
    warn_unknown_header_date,
)
from topickit.corpus.readers import TableReader, detect_format
from topickit.exceptions import CorpusError, CorpusWarning, InvalidParameterError

__all__ = [
    "AUDIT_COLUMNS",
    "SKIPPED_COLUMNS",
    "cleaning_audit",
    "iter_articles",
    "load_corpus",
    "skipped_sources",
    "text_doc_ids",
]

logger = logging.getLogger(__name__)

#: Columns of ``df.attrs["audit"]``: one row per removal made by cleaning.
AUDIT_COLUMNS = ("doc_id", "rule", "line", "text")

#: Columns of ``df.attrs["skipped"]``: one row per skipped file or table row.
SKIPPED_COLUMNS = ("source", "reason")

_EMPTY_AFTER_CLEANING = "no text left after cleaning"

Cleaner = Callable[[str, bool], CleanedText]


def _no_skip(source: str, reason: str) -> None:
    """Default ``on_skip``: the warning is enough."""


def text_doc_ids(relpaths: list[str]) -> list[str]:
    """Doc ids for text files given their posix paths relative to the corpus root.

    Parameters
    ----------
    relpaths : list of str
        The full listing, e.g. ``["000_abc.txt", "sub/note.md"]``.

    Returns
    -------
    list of str
        Extension-less relative paths, or the short leading tokens when every file name
        has one and they are unique (see the module docstring).
    """
    stems = [p.rsplit(".", 1)[0] if "." in p.rsplit("/", 1)[-1] else p for p in relpaths]
    if len(stems) < 2:
        return stems
    short: list[str] = []
    for stem in stems:
        folder, _, name = stem.rpartition("/")
        token, sep, rest = name.partition("_")
        if not sep or not token or not rest:
            return stems
        short.append(f"{folder}/{token}" if folder else token)
    return short if len(set(short)) == len(short) else stems


def _make_cleaner(clean: bool) -> Cleaner:
    if not clean:
        return lambda raw, extract: CleanedText(text=raw.strip())
    from topickit.cleaning import clean_article

    return lambda raw, extract: clean_article(raw, extract_metadata=extract)


def iter_articles(
    path: str | Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    title_column: str | None = None,
    date_column: str | None = None,
    format: str | None = None,
    encoding: str | None = None,
    clean: bool = True,
    chunksize: int = 1000,
    on_skip: SkipCallback | None = None,
) -> Iterator[Article]:
    """Stream the articles of a corpus, cleaned, one at a time.

    Parameters
    ----------
    path : str or Path
        A folder of ``.txt``/``.md`` files (read recursively, sorted by relative path,
        hidden files ignored), one text file, or a table (``.csv``, ``.tsv``,
        ``.jsonl``/``.ndjson``/``.json`` lines, ``.parquet``). Tables are read in chunks,
        except a ``.json`` file holding one JSON array, which is read whole.
    text_column, id_column, title_column, date_column : str or None, default None
        Table columns to use; ``None`` guesses from common names, case-insensitively
        (text: text, content, body, article, full_text, article_text; id: id, doc_id,
        article_id, uid; title: title, headline; date: date, published, publish_date,
        published_at, pub_date, datetime, timestamp). Other columns go to ``Article.extra``.
    format : {"text", "csv", "tsv", "jsonl", "parquet"} or None, default None
        Overrides the guess from the file suffix.
    encoding : str or None, default None
        Codec for text files and text tables; ``None`` detects it (UTF-8, byte-order
        marks, then cp1252 and latin-1 with a warning).
    clean : bool, default True
        Run :func:`topickit.cleaning.clean_article` on each text. For text files the
        title and date come from it; for tables the title/date columns win and what
        cleaning finds fills only missing values (metadata extraction is off when the
        table has both a title and a date column).
    chunksize : int, default 1000
        Table rows read at a time.
    on_skip : callable or None, default None
        Called as ``on_skip(source, reason)`` for each skipped file or row.

    Returns
    -------
    Iterator of Article
        A generator; files and rows are read only as it is consumed.

    Raises
    ------
    CorpusError
        At call time if ``path`` does not exist, its type or ``format`` is unsupported,
        or a folder has no text files; while iterating for an unknown or missing column,
        an unreadable file, a duplicate ``doc_id``, or when nothing usable was found.
    """
    root = Path(path)
    if not root.exists():
        raise CorpusError.at(printable_path(str(root)), "corpus path does not exist")
    if not root.is_dir() and not root.is_file():  # a FIFO or device: never opened
        raise CorpusError.at(printable_path(str(root)), "not a regular file or folder")
    fmt = detect_format(root, format)
    if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
        raise InvalidParameterError.of("iter_articles", "chunksize", "a positive int", chunksize)
    columns = {
        "text_column": text_column,
        "id_column": id_column,
        "title_column": title_column,
        "date_column": date_column,
    }
    report = on_skip if on_skip is not None else _no_skip
    if fmt == "text":
        if root.is_dir():
            listing_skips: list[str] = []

            def report_listing(source: str, reason: str) -> None:
                listing_skips.append(source)
                report(source, reason)

            files = list_text_files(root, report_listing)
            if not files:
                detail = f" ({len(listing_skips)} skipped)" if listing_skips else ""
                raise CorpusError.at(
                    printable_path(str(root)), f"no .txt or .md files found{detail}"
                )
        else:
            files = [root]
        return _text_articles(root, files, encoding, clean, report)
    if root.is_dir():
        raise CorpusError.at(root, f"is a folder; format={fmt!r} needs a table file")
    return _table_articles(root, fmt, columns, encoding, clean, chunksize, report)


def _checked(articles: Iterator[Article], path: Path) -> Iterator[Article]:
    """Refuse duplicate ids and a corpus with no usable text."""
    seen: dict[str, str] = {}
    for article in articles:
        if article.doc_id in seen:
            raise CorpusError.at(
                path,
                f"duplicate doc_id {article.doc_id!r} "
                f"({seen[article.doc_id]} and {article.source})",
            )
        seen[article.doc_id] = article.source
        yield article
    if not seen:
        raise CorpusError.at(path, "no usable text found in the corpus")


def _text_articles(
    root: Path, files: list[Path], encoding: str | None, clean: bool, on_skip: SkipCallback
) -> Iterator[Article]:
    def generate() -> Iterator[Article]:
        cleaner = _make_cleaner(clean)
        single = not root.is_dir()
        sources = text_sources(root, files)
        ids = text_doc_ids(sources)
        for file, source, doc_id in zip(files, sources, ids, strict=True):
            raw = read_text_file(
                file, source=source, encoding=encoding, on_skip=on_skip, in_folder=not single
            )
            if raw is None:
                continue
            cleaned = cleaner(raw, True)
            warn_unknown_header_date(source, cleaned)
            if not cleaned.text.strip():
                warnings.warn(
                    f"{source}: skipped ({_EMPTY_AFTER_CLEANING})", CorpusWarning, stacklevel=2
                )
                on_skip(source, _EMPTY_AFTER_CLEANING)
                continue
            yield Article(
                doc_id=doc_id,
                text=cleaned.text,
                title=cleaned.title,
                date=cleaned.date,
                source=source,
                removals=list(cleaned.removals),
            )

    return _checked(generate(), root)


def _table_articles(
    path: Path,
    fmt: str,
    columns: dict[str, str | None],
    encoding: str | None,
    clean: bool,
    chunksize: int,
    on_skip: SkipCallback,
) -> Iterator[Article]:
    def generate() -> Iterator[Article]:
        reader = TableReader(
            path,
            format=fmt,
            chunksize=chunksize,
            encoding=encoding,
            on_skip=on_skip,
            **columns,
        )
        if reader.columns is None:  # empty file, already reported
            return
        cleaner = _make_cleaner(clean)
        extract = reader.columns.title is None or reader.columns.date is None
        emptied = 0
        for row in reader.rows():
            cleaned = cleaner(row.raw, extract)
            if not cleaned.text.strip():
                emptied += 1
                on_skip(row.source, _EMPTY_AFTER_CLEANING)
                continue
            yield Article(
                doc_id=row.doc_id,
                text=cleaned.text,
                title=row.title if row.title is not None else cleaned.title,
                date=row.date if row.date is not None else cleaned.date,
                source=row.source,
                extra=row.extra,
                removals=list(cleaned.removals),
            )
        if emptied:
            warnings.warn(
                f"{path.name}: skipped {emptied} row(s) with {_EMPTY_AFTER_CLEANING}",
                CorpusWarning,
                stacklevel=2,
            )

    return _checked(generate(), path)


def load_corpus(
    path: str | Path, *, wrap: Callable[[Iterator[Article]], Any] | None = None, **options: Any
) -> pd.DataFrame:
    """Read a whole corpus into an articles table.

    Parameters
    ----------
    path : str or Path
        As for :func:`iter_articles`.
    wrap : callable or None, default None
        Applied to the stream of articles before it is read (a progress bar, say).
    **options
        The keyword options of :func:`iter_articles` (except ``on_skip``).

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id``, ``title``, ``date`` (datetime64, NaT when unknown), ``source``,
        ``text``, then any extra table columns (an extra column named like one of the
        first five stays in ``Article.extra`` only); one row per article, in reading order.
        ``df.attrs["audit"]`` holds every removal made by cleaning and
        ``df.attrs["skipped"]`` the skipped files and rows, as plain records (so the table
        still saves to Parquet); read them as DataFrames with :func:`cleaning_audit` and
        :func:`skipped_sources`.

    Raises
    ------
    CorpusError
        As :func:`iter_articles`; in particular when the path does not exist, a column is
        unknown, ids repeat, or there is no usable text.
    """
    if "on_skip" in options:
        raise InvalidParameterError(
            "load_corpus() takes no on_skip: it records skips in df.attrs['skipped']"
        )
    skipped: list[tuple[str, str]] = []
    found = iter_articles(path, on_skip=lambda src, why: skipped.append((src, why)), **options)
    articles: list[Article] = list(found if wrap is None else wrap(found))
    extra_names: dict[str, None] = {}
    for article in articles:
        for name in article.extra:
            if name not in ARTICLE_COLUMNS:
                extra_names.setdefault(name, None)
    data: dict[str, Any] = {
        "doc_id": [a.doc_id for a in articles],
        "title": pd.Series([a.title for a in articles], dtype=object),
        "date": pd.to_datetime(pd.Series([a.date for a in articles], dtype=object)),
        "source": [a.source for a in articles],
        "text": [a.text for a in articles],
    }
    for name in extra_names:
        data[name] = [a.extra.get(name) for a in articles]
    frame = pd.DataFrame(data)
    audit = [(a.doc_id, r.rule, r.line, r.text) for a in articles for r in a.removals]
    frame.attrs["audit"] = [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in audit]
    frame.attrs["skipped"] = [dict(zip(SKIPPED_COLUMNS, row, strict=True)) for row in skipped]
    logger.info("loaded %d articles from %s (%d skipped)", len(frame), path, len(skipped))
    return frame


def cleaning_audit(df: pd.DataFrame) -> pd.DataFrame:
    """The cleaning audit of an articles table, limited to the doc_ids still in it.

    Parameters
    ----------
    df : pandas.DataFrame
        A table made by :func:`load_corpus` (possibly filtered).

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id``, ``rule``, ``line``, ``text``; one row per removal.

    Raises
    ------
    CorpusError
        If ``df`` carries no audit (it was not made by :func:`load_corpus`).
    """
    records = df.attrs.get("audit")
    if not isinstance(records, list):
        raise CorpusError("table has no cleaning audit in attrs['audit']; make it with load_corpus")
    audit = pd.DataFrame(records, columns=list(AUDIT_COLUMNS))
    if "doc_id" in df.columns:
        audit = audit[audit["doc_id"].isin(df["doc_id"])]
    return audit.reset_index(drop=True)


def skipped_sources(df: pd.DataFrame) -> pd.DataFrame:
    """The files and rows skipped while loading an articles table.

    Parameters
    ----------
    df : pandas.DataFrame
        A table made by :func:`load_corpus`.

    Returns
    -------
    pandas.DataFrame
        Columns ``source`` and ``reason``; empty when nothing was skipped or ``df`` was
        not made by :func:`load_corpus`.
    """
    return pd.DataFrame(df.attrs.get("skipped", []), columns=list(SKIPPED_COLUMNS))
