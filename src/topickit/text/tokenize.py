"""Word tokenisation for English news text."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TOKEN_PATTERN", "Token", "is_capitals_acronym", "strip_possessive", "tokenize"]

#: Dotted acronyms (U.S., U.N.), numbers (2,750; 1.1) and words with inner apostrophes
#: (don't, Iran's), in that order of preference; one group each, for ``findall``. The
#: look-ahead only lets the acronym branch fail fast where no "X.Y." follows.
TOKEN_PATTERN = re.compile(
    r"(?=[A-Z]\.[A-Z]\.)\b((?:[A-Z]\.){2,})"
    r"|(\d+(?:[.,]\d+)*)"
    r"|([^\W\d_]+(?:'[^\W\d_]+)*)"
)


def strip_possessive(word: str) -> str:
    """``word`` without a final possessive ``'s`` ("Iran's" -> "Iran")."""
    return word[:-2] if word.endswith("'s") else word


def is_capitals_acronym(word: str) -> bool:
    """Whether a word is an acronym written in 2-5 capitals (``US``, ``IRGC``)."""
    return 2 <= len(word) <= 5 and word.isupper()


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
    for dotted, number, word in TOKEN_PATTERN.findall(text):
        if word:
            word = strip_possessive(word)
            acronym = is_capitals_acronym(word)
            tokens.append(Token(word.lower() if lowercase else word, is_acronym=acronym))
        elif number:
            tokens.append(Token(number, is_number=True))
        else:
            tokens.append(Token(dotted.replace(".", "").lower(), is_acronym=True))
    return tokens
