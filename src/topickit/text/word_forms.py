"""Base word forms of a text: tokens, lemmatised, with each distinct word worked out once."""

from __future__ import annotations

from topickit.text.lemmatize import lemmatize
from topickit.text.tokenize import TOKEN_PATTERN, is_capitals_acronym, strip_possessive

__all__ = ["base_word", "word_forms"]

#: Distinct spellings remembered per lemmatise setting; the memo is emptied when it is full,
#: so that a stream of rare words (names, typos) cannot grow it without bound.
_MEMO_SIZE = 500_000
_MEMOS: dict[bool, dict[str, str]] = {True: {}, False: {}}


def base_word(word: str, *, lemmatize_words: bool = True) -> str:
    """The base form of one word token as :func:`~topickit.text.tokenize.tokenize` finds it.

    Possessive ``'s`` is removed; a word of 2-5 capitals (``IRGC``) stays upper-case and is
    not lemmatised; any other word is lower-cased and, with ``lemmatize_words``, lemmatised.

    Parameters
    ----------
    word : str
        A word as matched in the text (letters and inner apostrophes).
    lemmatize_words : bool, default=True

    Returns
    -------
    str
    """
    word = strip_possessive(word)
    lowered = word.lower()
    if is_capitals_acronym(word):
        return lowered.upper()
    return lemmatize(lowered) if lemmatize_words else lowered


def word_forms(text: str, *, lemmatize_words: bool = True) -> list[str]:
    """The base tokens of a normalised text, as :class:`~topickit.text.pipeline.TextPipeline` uses.

    Equal to ``tokenize(text)`` with acronyms in capitals (``US``, ``UN``), numbers as
    written and other words lower-cased and lemmatised (:func:`base_word`), but each
    distinct spelling is worked out once per process, so that the cost per token is one
    dictionary look-up.

    Parameters
    ----------
    text : str
        Normalised text (see :func:`topickit.cleaning.normalize_text`).
    lemmatize_words : bool, default=True

    Returns
    -------
    list of str

    Examples
    --------
    >>> word_forms("Iran's U.S. envoys met 2,750 IRGC officers")
    ['iran', 'US', 'envoy', 'meet', '2,750', 'IRGC', 'officer']
    """
    memo = _MEMOS[bool(lemmatize_words)]
    if len(memo) > _MEMO_SIZE:
        memo.clear()
    out: list[str] = []
    append = out.append
    for dotted, number, word in TOKEN_PATTERN.findall(text):
        if word:
            form = memo.get(word)
            if form is None:
                form = memo[word] = base_word(word, lemmatize_words=lemmatize_words)
            append(form)
        elif number:
            append(number)
        else:
            append(dotted.replace(".", ""))  # the pattern matches capitals only
    return out
