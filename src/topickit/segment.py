"""Split articles into units: articles, paragraphs and sentences, with traceable offsets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from topickit.corpus.article import Article
from topickit.exceptions import DataError, InvalidParameterError
from topickit.text.sentences import split_sentences

__all__ = ["LEVELS", "UNIT_COLUMNS", "iter_units", "segment"]

#: Unit levels, coarse to fine.
LEVELS = ("article", "paragraph", "sentence")
#: Columns of a units table, in order.
UNIT_COLUMNS = ("unit_id", "doc_id", "level", "position", "text", "char_start", "char_end")

PARAGRAPH_SEPARATOR = "\n\n"


def _unknown_level(level: object) -> InvalidParameterError:
    return InvalidParameterError(f"unknown level {level!r}; choose one of: {', '.join(LEVELS)}")


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    while start <= len(text):
        end = text.find(PARAGRAPH_SEPARATOR, start)
        end = len(text) if end == -1 else end
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
        start = end + len(PARAGRAPH_SEPARATOR)
    return spans


def iter_units(doc_id: str, text: str, level: str) -> Iterable[dict]:
    """Yield the units of one article's cleaned text at one level.

    Parameters
    ----------
    doc_id : str
        The article's id; unit ids are built from it (``"002"``, ``"002:p3"``, ``"002:p3:s1"``).
    text : str
        Cleaned article text, paragraphs separated by a blank line.
    level : {"article", "paragraph", "sentence"}

    Yields
    ------
    dict
        One row of the units table; ``text[char_start:char_end]`` is the unit text.
        Positions are 1-based; a sentence row also has ``paragraph``.
    """
    if level not in LEVELS:
        raise _unknown_level(level)
    if level == "article":
        if text.strip():
            yield _row(doc_id, doc_id, level, 1, text, 0, len(text))
        return
    for p, (ps, pe) in enumerate(_paragraph_spans(text), start=1):
        pid = f"{doc_id}:p{p}"
        if level == "paragraph":
            yield _row(pid, doc_id, level, p, text, ps, pe)
            continue
        for s, (ss, se) in enumerate(split_sentences(text[ps:pe]), start=1):
            row = _row(f"{pid}:s{s}", doc_id, level, s, text, ps + ss, ps + se)
            row["paragraph"] = p
            yield row


def _row(unit_id: str, doc_id: str, level: str, position: int, text: str, s: int, e: int) -> dict:
    return {
        "unit_id": unit_id,
        "doc_id": doc_id,
        "level": level,
        "position": position,
        "text": text[s:e],
        "char_start": s,
        "char_end": e,
    }


def segment(
    articles: pd.DataFrame | Iterable[Article], level: str | Sequence[str] = "paragraph"
) -> pd.DataFrame:
    """Split articles into units at one or several levels.

    Parameters
    ----------
    articles : DataFrame or iterable of Article
        An articles table from :func:`topickit.load_corpus` (columns ``doc_id`` and
        ``text``) or Article records.
    level : str or sequence of str, default="paragraph"
        ``"article"``, ``"paragraph"``, ``"sentence"``, or several of them.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit_id, doc_id, level, position, text, char_start, char_end`` (and
        ``paragraph`` for sentences); offsets index the article's cleaned text.

    Examples
    --------
    >>> import pandas as pd
    >>> arts = pd.DataFrame({"doc_id": ["a"], "text": ["One. Two.\\n\\nThree."]})
    >>> segment(arts, "sentence")["unit_id"].tolist()
    ['a:p1:s1', 'a:p1:s2', 'a:p2:s1']
    """
    levels = [level] if isinstance(level, str) else list(level)
    for lv in levels:
        if lv not in LEVELS:
            raise _unknown_level(lv)
    if isinstance(articles, pd.DataFrame):
        missing = {"doc_id", "text"} - set(articles.columns)
        if missing:
            raise DataError(f"articles table lacks column(s): {', '.join(sorted(missing))}")
        pairs = zip(articles["doc_id"].astype(str), articles["text"], strict=True)
    else:
        pairs = ((a.doc_id, a.text) for a in articles)
    rows = []
    for doc_id, text in pairs:
        for lv in levels:
            rows.extend(iter_units(doc_id, text, lv))
    columns = list(UNIT_COLUMNS) + (["paragraph"] if "sentence" in levels else [])
    frame = pd.DataFrame(rows, columns=columns)
    if "paragraph" in frame:
        frame["paragraph"] = frame["paragraph"].astype("Int64")
    return frame
