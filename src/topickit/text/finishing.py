"""The last per-token steps of the pipeline: aliases, numbers, short tokens and stop words.

A :class:`TokenFinisher` holds one set of settings and remembers the final form of every token
it has seen, so that the common case, a token seen before, is one dictionary look-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from topickit.text.phrases import PHRASE_DELIMITER

__all__ = ["TokenFinisher"]

#: Tokens whose final form a finisher remembers before it starts again.
_MEMO_SIZE = 500_000
_UNSEEN = object()


@dataclass(eq=False)
class TokenFinisher:
    """Final forms of tokens after phrase joining, for one set of settings.

    Parameters
    ----------
    stopwords : frozenset of str
        Dropped, except acronyms written in capitals ("US" is not "us").
    aliases : mapping of str to str or None
        Lower-cased token or phrase -> its replacement.
    keep_numbers : bool
        Keep tokens that start with a digit.
    min_token_length : int
        Shorter words are dropped (phrases are kept).

    Examples
    --------
    >>> finish = TokenFinisher(frozenset({"the"}), None, False, 2)
    >>> finish(["The", "US", "supreme_Leader", "2,750", "a"])
    ['us', 'supreme_leader']
    """

    stopwords: frozenset[str]
    aliases: Mapping[str, str] | None
    keep_numbers: bool
    min_token_length: int
    _memo: dict[str, str | None] = field(default_factory=dict, repr=False)

    def settings(self) -> tuple:
        """The settings, to compare finishers by value."""
        return (self.stopwords, self.aliases, self.keep_numbers, self.min_token_length)

    def final_form(self, tok: str) -> str | None:
        """The final form of one token, or None when it is dropped."""
        aliases = self.aliases or {}
        if PHRASE_DELIMITER in tok:
            tok = tok.lower()
            return aliases.get(tok, tok)
        if tok[:1].isdigit():
            return tok if self.keep_numbers else None
        acronym = tok.isupper()
        tok = aliases.get(tok.lower(), tok.lower())
        if len(tok) < self.min_token_length or (tok in self.stopwords and not acronym):
            return None
        return tok

    def __call__(self, tokens: Iterable[str]) -> list[str]:
        """The final forms of ``tokens``, dropped ones left out."""
        memo = self._memo
        if len(memo) > _MEMO_SIZE:
            memo.clear()
        out = []
        append = out.append
        for tok in tokens:
            final = memo.get(tok, _UNSEEN)
            if final is _UNSEEN:
                final = memo[tok] = self.final_form(tok)
            if final is not None:
                append(final)
        return out
