"""Cached, offline English lemmatisation with simplemma."""

from __future__ import annotations

from functools import lru_cache

import simplemma

__all__ = ["lemmatize", "load_lemma_dictionary"]

# simplemma's dictionary maps a few news words to senses that are wrong here.
_OVERRIDES = {"media": "media", "data": "data", "us": "us", "news": "news", "forces": "force"}


@lru_cache(maxsize=200_000)
def lemmatize(word: str) -> str:
    """Return the lower-cased English lemma of ``word``.

    Results are cached, so a large corpus pays the dictionary look-up once per distinct word.

    Parameters
    ----------
    word : str
        A lower-cased token.

    Returns
    -------
    str

    Examples
    --------
    >>> lemmatize("civilians"), lemmatize("killed"), lemmatize("hamas")
    ('civilian', 'kill', 'hamas')
    """
    override = _OVERRIDES.get(word)
    if override is not None:
        return override
    return simplemma.lemmatize(word, lang="en").lower()


def load_lemma_dictionary() -> None:
    """Load simplemma's English dictionary now, not on the first word lemmatised.

    Call it before forking worker processes, so that they share the loaded dictionary
    instead of each loading its own (0.2-0.4 s apiece on the benchmark machine).
    """
    simplemma.lemmatize("load", lang="en")
