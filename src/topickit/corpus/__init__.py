"""Reading corpora: folders of text files and tables, into cleaned :class:`Article` records."""

from __future__ import annotations

from topickit.corpus.article import ARTICLE_COLUMNS, Article
from topickit.corpus.loading import cleaning_audit, iter_articles, load_corpus, skipped_sources

__all__ = [
    "ARTICLE_COLUMNS",
    "Article",
    "cleaning_audit",
    "iter_articles",
    "load_corpus",
    "skipped_sources",
]
