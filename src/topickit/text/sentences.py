"""Rule-based English sentence splitting that keeps character offsets.

News text is full of abbreviations ("U.S.", "Oct.", "Gen."), decimals ("1.1 million") and
quotations that end a sentence ("... must stop immediately." he said). The splitter looks for
sentence-final punctuation, optionally followed by closing quotes or brackets, then white space,
then an opening quote or an upper-case letter or digit, and refuses to split after a known
abbreviation or a single initial.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen col lt sgt capt cmdr adm maj rep sen gov pres st jr sr rev hon
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    inc corp ltd co no vs etc approx est dept univ fig al e.g i.e u.s u.k u.n a.m p.m
    """.split()
)

# Candidate boundary: end punctuation, optional closers, white space, then a sentence start.
_BOUNDARY = re.compile(r"""[.!?]+["')\]]*(?=\s+["'(\[]?[A-Z0-9])""")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")


def _is_abbreviation(text: str, dot_end: int) -> bool:
    """Whether the full stop ending at ``dot_end`` closes an abbreviation or an initial."""
    match = _WORD_BEFORE.search(text[max(0, dot_end - 20) : dot_end])
    if not match:
        return False
    word = match.group(1).lower()
    if word in _ABBREVIATIONS:
        return True
    # Single initials ("J. Smith") and dotted acronyms ("U.S.", "D.C.")
    return len(word) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split a paragraph into sentences.

    Parameters
    ----------
    text : str
        One paragraph of cleaned text.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` character offsets of each sentence within ``text``; leading and
        trailing white space is excluded, so ``text[start:end]`` is the sentence.

    Examples
    --------
    >>> t = 'The U.S. sent 2,000 Marines. "We must respond," he said. Talks resume.'
    >>> [t[s:e] for s, e in split_sentences(t)]
    ['The U.S. sent 2,000 Marines.', '"We must respond," he said.', 'Talks resume.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        punct = match.group(0)
        if (
            punct.startswith(".")
            and punct.rstrip("\"')]") == "."
            and _is_abbreviation(text, match.start() + 1)
        ):
            # An acronym such as "U.S." can still end a sentence when a new one clearly follows;
            # only trust that when the next word is not a name-like continuation.
            continue
        end = match.end()
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    result = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            result.append((s, e))
    return result
