"""Unicode normalisation for scraped news text.

Typographic quotes, dashes, exotic spaces and invisible characters vary between sites, so
the same word can arrive as ``Iran’s`` or ``Iran's``. :func:`normalize_text` maps all of
them to one plain form, keeping the line structure so that line numbers stay meaningful.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_lines", "normalize_text"]

# Every kind of line break becomes "\n"; "\r\n" counts as one break.
_LINE_BREAK_RE = re.compile("\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

# Control characters (except "\n" and "\t"), format characters (zero-width spaces and joiners,
# bidi marks, soft hyphen, byte-order mark, ...) and lone surrogates are dropped.
_INVISIBLE_RE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ud800-\udfff\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)

_SINGLE_QUOTES = "‘’‚‛′‵´`ʹʻʼʽˈ‹›＇"
_DOUBLE_QUOTES = "“”„‟″‶«»〝〞〟＂"
_HYPHENS = "‐‑‒–−﹣－"
_LONG_DASHES = "—―⸺⸻"

_CHAR_MAP: dict[int, str] = {
    **{ord(c): "'" for c in _SINGLE_QUOTES},
    **{ord(c): '"' for c in _DOUBLE_QUOTES},
    **{ord(c): "-" for c in _HYPHENS},
    # A long dash separates words; spaces around it stop "site—known" from gluing.
    **{ord(c): " - " for c in _LONG_DASHES},
    ord("…"): "...",
    ord("⋯"): "...",
    ord("\t"): " ",
}

# Runs of white space other than "\n" (NBSP, thin, ideographic, ogham spaces, ...), except a
# lone " ", which is already what a run becomes (skipping those halves the time of the step).
_SPACE_RUN_RE = re.compile(r" [^\S\n]+|[^\S\n ][^\S\n]*")
_LINE_EDGE_RE = re.compile(r" *\n *")


def normalize_lines(text: str) -> list[str]:
    """Normalise ``text`` and split it into lines, keeping blank lines.

    Line ``i`` of the result corresponds to line ``i`` of the input, where ``"\\n"``,
    ``"\\r\\n"``, ``"\\r"`` and the Unicode line and paragraph separators each end a line.

    Parameters
    ----------
    text : str
        Raw text.

    Returns
    -------
    list of str
        The normalised lines, each stripped of surrounding spaces (blank lines are ``""``).
    """
    text = _LINE_BREAK_RE.sub("\n", text)
    text = _INVISIBLE_RE.sub("", text)
    # Map first: some typographic characters (´, ″) decompose under NFKC into forms that
    # no longer look like quotes. Map again after NFKC for what it produced (full-width
    # forms, small dashes).
    text = text.translate(_CHAR_MAP)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_CHAR_MAP)
    text = _SPACE_RUN_RE.sub(" ", text)
    text = _LINE_EDGE_RE.sub("\n", text).strip(" ")
    return text.split("\n")


def normalize_text(text: str) -> str:
    """Normalise the characters of a news text.

    Applies NFKC, then maps typographic single quotes and apostrophes to ``'``, double
    quotes and guillemets to ``"``, en dashes, minus signs and other short dashes to ``-``,
    em dashes to ``" - "`` (so that the words around them stay apart), the ellipsis
    character to ``"..."`` and every kind of white space except newlines to a single space.
    Control and zero-width characters are removed and all line breaks become ``"\\n"``.
    Lines are stripped; the text as a whole is stripped. Bullets such as ``•`` are kept.
    The function is idempotent.

    Parameters
    ----------
    text : str
        Raw text.

    Returns
    -------
    str
        The normalised text.

    Examples
    --------
    >>> normalize_text("Iran\u2019s \u201cred line\u201d\u2014again\u2026")
    'Iran\\'s "red line" - again...'
    """
    return "\n".join(normalize_lines(text)).strip()
