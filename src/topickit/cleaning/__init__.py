"""Cleaning of raw news articles: normalisation, metadata, boilerplate removal, audit."""

from __future__ import annotations

from topickit.cleaning.cleaner import clean_article
from topickit.cleaning.normalize import normalize_text
from topickit.cleaning.types import CleanedText, Removal

__all__ = ["CleanedText", "Removal", "clean_article", "normalize_text"]
