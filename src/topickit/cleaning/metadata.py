"""Metadata at the head of an article: a ``date`` header, a publication date, a headline.

Everything here works on normalised text (see :mod:`topickit.cleaning.normalize`) and only
looks at the top of an article, never deep in the body, where dates such as "October 7"
belong to the story rather than to its publication.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from itertools import islice

__all__ = [
    "DATE_HEAD_CHARS",
    "DATE_HEAD_LINES",
    "TITLE_MAX_WORDS",
    "ends_sentence",
    "find_head_date",
    "find_title",
    "is_headline_like",
    "iter_dates",
    "strip_date_header",
    "strip_dateline",
    "word_count",
]

#: How far into the text a publication date is looked for.
DATE_HEAD_CHARS = 500
DATE_HEAD_LINES = 10
#: Longest headline, in words.
TITLE_MAX_WORDS = 20

_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sept": 9,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# Capitalised or upper-case month names, longest first. No word boundary before the name:
# bylines glue it to the preceding word ("Web DeskOctober 4, 2024").
_MONTH = "|".join(f"{m.capitalize()}|{m.upper()}" for m in _MONTHS)
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
_MDY_RE = re.compile(
    rf"(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}}){_DAY_SUFFIX},?\s+(?P<y>\d{{4}})(?!\d)"
)
_DMY_RE = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}}){_DAY_SUFFIX}\s+(?:of\s+)?(?P<m>{_MONTH})\.?,?\s+(?P<y>\d{{4}})(?!\d)"
)
_ISO_RE = re.compile(r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{2})(?P=sep)(?P<d>\d{2})(?!\d)")

# Four or more year digits: "date 10000-01-01" is a header too (with an unknown date).
_DATE_HEADER_RE = re.compile(
    r"^date\s*[:=]?\s*(?P<y>\d{4,})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)\s*", re.IGNORECASE
)

# A sentence ends with . ! ? (or their CJK, Arabic, Devanagari forms), then closing quotes
# or brackets.
_SENTENCE_END_RE = re.compile(r"[.!?。！？؟۔।][\"')\]}]*$")
_WORD_RE = re.compile(r"\S*\w\S*")
_FIRST_LETTER_RE = re.compile(r"[^\W\d_]")


def word_count(text: str, limit: int | None = None) -> int:
    """Count the white-space separated tokens of ``text`` that contain a letter or digit.

    Parameters
    ----------
    text : str
        Text to count.
    limit : int or None, default None
        Stop counting after this many (saves time on long paragraphs).

    Returns
    -------
    int
        Number of words, at most ``limit`` when given.
    """
    words = _WORD_RE.finditer(text)
    if limit is not None:
        words = islice(words, limit)
    return sum(1 for _ in words)


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with sentence-final punctuation (closing quotes allowed).

    Parameters
    ----------
    text : str
        A line or paragraph, stripped.

    Returns
    -------
    bool
    """
    return _SENTENCE_END_RE.search(text) is not None


def is_headline_like(line: str) -> bool:
    """Whether ``line`` looks like a headline rather than a sentence.

    A headline has 2 to :data:`TITLE_MAX_WORDS` words, no sentence-final punctuation,
    at most 250 characters, and its first letter is upper case.

    Parameters
    ----------
    line : str
        A normalised line.

    Returns
    -------
    bool
    """
    if len(line) > 250 or ends_sentence(line):
        return False
    if not 2 <= word_count(line, TITLE_MAX_WORDS + 1) <= TITLE_MAX_WORDS:
        return False
    first = _FIRST_LETTER_RE.search(line)
    return first is not None and first.group().isupper()


def _make_date(year: str, month: str | int, day: str) -> dt.date | None:
    m = month if isinstance(month, int) else _MONTHS.get(month.lower().rstrip("."))
    if m is None:
        m = int(month) if isinstance(month, str) and month.isdigit() else 0
    try:
        date = dt.date(int(year), m, int(day))
    except (ValueError, OverflowError):  # impossible day, or a year beyond 9999
        return None
    return date if 1900 <= date.year <= 2100 else None


def iter_dates(text: str) -> Iterator[tuple[int, int, dt.date]]:
    """Find calendar dates written in ``text``, in order of position.

    Recognised forms: ``October 4, 2024``, ``Oct. 4, 2024``, ``5 November 2023``,
    ``2023-11-08`` and ``2023/11/08``. Dates without a year are ignored.

    Parameters
    ----------
    text : str
        Normalised text.

    Yields
    ------
    start, end : int
        Span of the date in ``text``.
    date : datetime.date
        The date. Impossible dates (31 February) are skipped.
    """
    found = []
    for pattern in (_MDY_RE, _DMY_RE, _ISO_RE):
        for match in pattern.finditer(text):
            date = _make_date(match["y"], match["m"], match["d"])
            if date is not None:
                found.append((match.start(), match.end(), date))
    yield from sorted(found, key=lambda item: (item[0], -item[1]))


def strip_date_header(line: str) -> tuple[str, str, dt.date | None]:
    """Split a ``date YYYY-MM-DD`` header off the start of ``line``.

    Parameters
    ----------
    line : str
        A normalised line, e.g. ``"date 2023-11-08 Iran's Supreme Leader ..."``.

    Returns
    -------
    rest : str
        The line without the header (the whole line when there is none).
    header : str
        The header that was removed, e.g. ``"date 2023-11-08"``; ``""`` when there is none.
    date : datetime.date or None
        The header's date, if it is a valid date from 1900 to 2100; ``None`` otherwise
        (``"date 10000-01-01"``, ``"date 2023-02-30"``), the header is still split off.
    """
    match = _DATE_HEADER_RE.match(line)
    if match is None:
        return line, "", None
    date = _make_date(match["y"], match["m"], match["d"])
    return line[match.end() :], match.group().strip(), date


def find_head_date(
    text: str, *, max_chars: int = DATE_HEAD_CHARS, max_lines: int = DATE_HEAD_LINES
) -> dt.date | None:
    """Find the publication date near the top of an article.

    A ``date YYYY-MM-DD`` header on one of the first lines wins; otherwise the first date
    written within the first ``max_lines`` lines and ``max_chars`` characters is used.

    Parameters
    ----------
    text : str
        Normalised article text.
    max_chars, max_lines : int
        Size of the head that is searched.

    Returns
    -------
    datetime.date or None
    """
    head_lines = [line for line in text.split("\n", max_lines)[:max_lines] if line]
    for line in head_lines[:3]:
        date = strip_date_header(line)[2]
        if date is not None:
            return date
    head = "\n".join(head_lines)[:max_chars]
    return next((date for _, _, date in iter_dates(head)), None)


def find_title(lines: Sequence[str]) -> int | None:
    """Find the headline among the first lines of an article.

    The first non-blank line is the title when it is headline-like (see
    :func:`is_headline_like`) and is not the first part of a hard-wrapped sentence: it is
    followed by a blank line, by nothing, or by a line that starts with an upper-case letter,
    a digit or a quote and is clearly longer.

    Parameters
    ----------
    lines : sequence of str
        Normalised lines from the top of the article, with boilerplate lines already taken
        out; ``""`` marks a blank line.

    Returns
    -------
    int or None
        Index of the title line in ``lines``.
    """
    index = next((i for i, line in enumerate(lines) if line), None)
    if index is None or not is_headline_like(lines[index]):
        return None
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if not following:
        return index
    first = following[0]
    if first.islower() or not (first.isupper() or first.isdigit() or first in "\"'("):
        return None
    return index if len(lines[index]) < 0.8 * len(following) else None


# "Tehran, 5 November 2023 (WAI): ", "WASHINGTON (Reuters) - ", "LONDON, Oct. 4 - ".
_PLACE = r"[A-Z][\w.'-]*(?:[ -][A-Z][\w.'-]*){0,3}(?:, [A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2})?"
_DATELINE_RE = re.compile(
    rf"(?P<place>{_PLACE})(?:,?\s+(?P<date>[^():]{{3,25}}?))?\s*"
    r"(?:\((?P<agency>[A-Za-z][\w .&/-]{0,25})\))?\s*(?::|-{1,2})\s+(?=\S)"
)
_SHORT_DATE_RE = re.compile(
    r"\d{1,2} [A-Z][a-z]{2,8}\.?(?: \d{4})?|[A-Z][a-z]{2,8}\.? \d{1,2}(?:,? \d{4})?"
)


def strip_dateline(line: str) -> tuple[str, str]:
    """Split a news dateline off the start of ``line``.

    A dateline is a place followed by a date, an agency in brackets, or both, then a colon
    or dash: ``"Tehran, 5 November 2023 (WAI): "``, ``"WASHINGTON (Reuters) - "``. An
    all-capitals place alone (``"BEIRUT - "``) also counts.

    Parameters
    ----------
    line : str
        A normalised line.

    Returns
    -------
    rest, dateline : str
        The line without the dateline, and the dateline (``""`` when there is none).
    """
    match = _DATELINE_RE.match(line)
    if match is None:
        return line, ""
    date = match["date"]
    if date is not None and not _SHORT_DATE_RE.fullmatch(date.rstrip(",")):
        return line, ""
    place = match["place"]
    caps_place = place.isupper() and sum(c.isalpha() for c in place) >= 3
    if date is None and match["agency"] is None and not caps_place:
        return line, ""
    return line[match.end() :], match.group().strip()
