"""Word tokenisation for English news text."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Token", "tokenize"]

# Dotted acronyms (U.S., U.N.), words with inner apostrophes (don't, Iran's), numbers (2,750; 1.1).
_TOKEN = re.compile(
    r"(?P<acronym>\b(?:[A-Z]\.){2,})"
    r"|(?P<number>\d+(?:[.,]\d+)*)"
    r"|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)*)"
)
_POSSESSIVE = re.compile(r"'s$")


@dataclass(frozen=True, slots=True)
class Token:
    """A raw token with the facts later steps need.

    Attributes
    ----------
    text : str
        Lower-cased token (possessive ``'s`` removed, acronym dots removed).
    is_number : bool
        Whether the token is a number such as ``2,750``.
    is_acronym : bool
        Whether the token was written in capitals (``US``, ``U.N.``, ``IRGC``); acronyms
        are not stop words (``US`` is not ``us``) and are not lemmatised.
    """

    text: str
    is_number: bool = False
    is_acronym: bool = False


def tokenize(text: str, *, lowercase: bool = True) -> list[Token]:
    """Split text into word, number and acronym tokens.

    Hyphens and other punctuation separate tokens ("Hamas-controlled" gives "hamas",
    "controlled"), so that collocation detection can rejoin real compounds such as "al aqsa".

    Parameters
    ----------
    text : str
        Normalised text (ASCII apostrophes).
    lowercase : bool, default=True
        Lower-case word tokens.

    Returns
    -------
    list of Token

    Examples
    --------
    >>> [t.text for t in tokenize("Iran's U.S. talks: 2,750 killed in Hamas-run Gaza")]
    ['iran', 'us', 'talks', '2,750', 'killed', 'in', 'hamas', 'run', 'gaza']
    """
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        raw = match.group(0)
        if kind == "acronym":
            tokens.append(Token(raw.replace(".", "").lower(), is_acronym=True))
        elif kind == "number":
            tokens.append(Token(raw, is_number=True))
        else:
            word = _POSSESSIVE.sub("", raw)
            acronym = 2 <= len(word) <= 5 and word.isupper()
            tokens.append(Token(word.lower() if lowercase else word, is_acronym=acronym))
    return tokens
