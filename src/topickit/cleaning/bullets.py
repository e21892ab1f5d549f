"""Bullet lines: markers to strip, and the test that tells a summary bullet from content.

News pages often open with bullet points that repeat the article. :class:`BulletContext`
holds the crude stems of an article's non-bullet lines; a bullet whose content words mostly
occur there is a summary (see :func:`topickit.cleaning.rules.apply_line_rules`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["BulletContext", "strip_bullet"]

_BULLET_RE = re.compile(r"(?:[•◦▪‣●■□►▶▸◆◇·・]|[-*+](?=\s))\s*")


def strip_bullet(line: str) -> tuple[str, str]:
    """Remove leading bullet markers (``•``, ``▪``, ``-`` or ``*`` before a space, ...).

    Parameters
    ----------
    line : str
        A normalised line.

    Returns
    -------
    rest, marker : str
        The line without its markers, and the markers (``""`` when there were none).
    """
    end = 0
    while match := _BULLET_RE.match(line, end):
        end = match.end()
    return line[end:], line[:end].strip()


_STOPWORD_TEXT = (
    "a about above after again against all also am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for from "
    "further had has have having he her here hers him his how i if in into is it its itself just "
    "me more most my no nor not now of off on once only or other our out over own same she "
    "should so some such than that the their them then there these they this those through to "
    "too under until up very was we were what when where which while who whom why will with "
    "would you your said says say amid"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_CONTENT_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def _stems(text: str) -> list[str]:
    stems = []
    for word in _CONTENT_WORD_RE.findall(text.lower()):
        if word in _STOPWORDS:
            continue
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        stems.append(word)
    return stems


class BulletContext:
    """Content words of an article's non-bullet lines, to tell summary bullets from content.

    Parameters
    ----------
    lines : iterable of str
        The article's normalised lines. Bullet lines are left out of the vocabulary.
    """

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = list(lines)
        self._vocab: tuple[set[str], set[str]] | None = None

    def _vocabulary(self) -> tuple[set[str], set[str]]:
        if self._vocab is None:
            stems: set[str] = set()
            for line in self._lines:
                if line and not strip_bullet(line)[1]:
                    stems.update(_stems(line))
            prefixes = set(stems)
            for stem in stems:
                prefixes.update(stem[:k] for k in range(4, len(stem)))
            self._vocab = (stems, prefixes)
        return self._vocab

    def overlap(self, text: str) -> float:
        """Share of the content words of ``text`` that also occur in the body.

        Two words match when their crude stems are equal, one is a prefix of the other
        (4 letters or more), or they share their first 6 letters.

        Parameters
        ----------
        text : str
            A bullet's text without its marker.

        Returns
        -------
        float
            Between 0 and 1; 0 when ``text`` has no content words.
        """
        stems = _stems(text)
        if not stems:
            return 0.0
        full, prefixes = self._vocabulary()
        hits = sum(
            stem in prefixes
            or (len(stem) >= 6 and stem[:6] in prefixes)
            or any(stem[:k] in full for k in range(4, len(stem)))
            for stem in stems
        )
        return hits / len(stems)
