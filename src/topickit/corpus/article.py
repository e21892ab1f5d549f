"""The article record that readers yield and the corpus table is built from, and the skip hook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from topickit.cleaning.types import Removal

__all__ = ["ARTICLE_COLUMNS", "Article", "SkipCallback"]

#: Columns every articles table starts with, in this order; extra table columns follow.
ARTICLE_COLUMNS = ("doc_id", "title", "date", "source", "text")

#: Called as ``on_skip(source, reason)`` for every file or row a reader skips.
SkipCallback = Callable[[str, str], None]


@dataclass
class Article:
    """One article of a corpus, cleaned, with its metadata.

    Attributes
    ----------
    doc_id : str
        Stable identifier (from the file name, or the table's id column or row).
    text : str
        Cleaned text; paragraphs separated by ``"\\n\\n"``.
    title : str or None
        Headline, from the text's first line or the table's title column.
    date : datetime.date or None
        Publication date, from the text's head or the table's date column.
    source : str
        Where the article came from: file path relative to the corpus root, or
        ``"<table file>:<row number>"``.
    extra : dict
        Any further table columns, kept as they were.
    removals : list of Removal
        The cleaning audit for this article.
    """

    doc_id: str
    text: str
    title: str | None = None
    date: dt.date | None = None
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    removals: list[Removal] = field(default_factory=list)
