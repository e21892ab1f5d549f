"""Data records produced by cleaning: what was kept and what was removed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["CleanedText", "Removal"]


@dataclass(frozen=True)
class Removal:
    """One piece of text that cleaning removed, and the rule that removed it.

    Attributes
    ----------
    rule : str
        Name of the rule, e.g. ``"advertisement_marker"``, ``"embed_notice"``,
        ``"duplicate_line"``, ``"title"``, ``"date_header"``.
    text : str
        The removed text, after Unicode normalisation.
    line : int
        1-based line number in the raw text, or 0 when the removal is not line based.
    """

    rule: str
    text: str
    line: int = 0


@dataclass
class CleanedText:
    """The result of cleaning one raw article.

    Attributes
    ----------
    text : str
        Cleaned body. Paragraphs are separated by exactly one blank line (``"\\n\\n"``);
        there are no other newlines, no leading or trailing white space.
    title : str or None
        Headline found at the top of the raw text, if any (not part of ``text``).
    date : datetime.date or None
        Publication date found near the top of the raw text, if any.
    removals : list of Removal
        The audit: everything that was taken out, in order of appearance.
    """

    text: str
    title: str | None = None
    date: dt.date | None = None
    removals: list[Removal] = field(default_factory=list)
