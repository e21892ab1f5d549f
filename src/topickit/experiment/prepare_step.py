"""Prepare the units and tokens of each level once, for every model of a run."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pandas as pd
from gensim.parsing.preprocessing import STOPWORDS
from gensim.utils import simple_preprocess

from topickit.experiment.config import PreprocessConfig
from topickit.segment import segment
from topickit.text.pipeline import TextPipeline
from topickit.vectorize import TokenCorpus

__all__ = ["LevelData", "corpus_fingerprint", "naive_level", "prepare_level"]


@dataclass
class LevelData:
    """Units of one level with their tokens.

    Attributes
    ----------
    level : str
        ``"article"``, ``"paragraph"`` or ``"sentence"``.
    units : pandas.DataFrame
        The units table (see :func:`topickit.segment`), one row per entry of ``tokens``.
    tokens : TokenCorpus
        Token lists aligned with ``units`` rows, sharing one vocabulary.
    pipeline : TextPipeline or None
        The fitted pipeline (``None`` for the naive baseline's tokens).
    """

    level: str
    units: pd.DataFrame
    tokens: TokenCorpus
    pipeline: TextPipeline | None


def prepare_level(articles: pd.DataFrame, level: str, options: PreprocessConfig) -> LevelData:
    """Segment articles at ``level`` and fit the preprocessing pipeline on the units.

    Parameters
    ----------
    articles : pandas.DataFrame
        Articles table from :func:`topickit.load_corpus`.
    level : str
        Unit level.
    options : PreprocessConfig
        Pipeline options.

    Returns
    -------
    LevelData
    """
    units = segment(articles, level).reset_index(drop=True)
    pipeline = TextPipeline(**options.model_dump())
    token_docs = pipeline.fit_transform(units["text"].tolist())
    return LevelData(level, units, pipeline.to_corpus(token_docs), pipeline)


_LINE_SPLIT = re.compile(r"\n\s*\n|\n")


def naive_level(raw_articles: pd.DataFrame, level: str) -> LevelData:
    """Units and tokens as a new user first writes them: no cleaning, ``simple_preprocess``.

    Paragraphs are the raw file's non-empty lines or blank-line blocks, junk lines included;
    tokens are gensim's ``simple_preprocess`` output minus gensim's stop words.

    Parameters
    ----------
    raw_articles : pandas.DataFrame
        Articles table loaded with ``clean=False``.
    level : str
        ``"article"`` or ``"paragraph"`` (sentences are treated as paragraphs).

    Returns
    -------
    LevelData
    """
    rows = []
    for doc_id, text in zip(raw_articles["doc_id"], raw_articles["text"], strict=True):
        pieces = [text] if level == "article" else [p for p in _LINE_SPLIT.split(text) if p.strip()]
        for i, piece in enumerate(pieces, start=1):
            unit_id = doc_id if level == "article" else f"{doc_id}:raw{i}"
            rows.append(
                {
                    "unit_id": unit_id,
                    "doc_id": doc_id,
                    "level": level,
                    "position": i,
                    "text": piece.strip(),
                }
            )
    units = pd.DataFrame(rows)
    docs = [[t for t in simple_preprocess(text) if t not in STOPWORDS] for text in units["text"]]
    return LevelData(level, units, TokenCorpus(docs), None)


def corpus_fingerprint(articles: pd.DataFrame) -> str:
    """SHA-256 over the articles' ids and cleaned texts (order sensitive)."""
    digest = hashlib.sha256()
    for doc_id, text in zip(articles["doc_id"], articles["text"], strict=True):
        digest.update(str(doc_id).encode())
        digest.update(b"\0")
        digest.update(str(text).encode())
        digest.update(b"\0")
    return digest.hexdigest()
