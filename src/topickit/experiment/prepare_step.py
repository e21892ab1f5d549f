"""Step 1 of a run: load the corpus and prepare each level's units and tokens once.

Every model of a run shares them; naive-baseline models get their own raw units and
tokens under the key ``"naive:<level>"`` (see :func:`level_key`).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
from gensim.parsing.preprocessing import STOPWORDS
from gensim.utils import simple_preprocess

from topickit.corpus import load_corpus
from topickit.experiment.config import ExperimentConfig, ModelConfig, PreprocessConfig
from topickit.experiment.progress import CountedTexts, progress_bar
from topickit.experiment.progress import progress as progress_over
from topickit.segment import segment
from topickit.text.pipeline import TextPipeline
from topickit.vectorize import TokenCorpus

__all__ = [
    "LevelData",
    "corpus_fingerprint",
    "level_key",
    "load_articles",
    "naive_level",
    "prepare_level",
    "prepare_levels",
    "run_levels",
]


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


def prepare_level(
    articles: pd.DataFrame, level: str, options: PreprocessConfig, *, progress: bool = False
) -> LevelData:
    """Segment articles at ``level`` and fit the preprocessing pipeline on the units.

    Parameters
    ----------
    articles : pandas.DataFrame
        Articles table from :func:`topickit.load_corpus`.
    level : str
        Unit level.
    options : PreprocessConfig
        Pipeline options.
    progress : bool, default=False
        Show a bar on stderr that counts the units as the pipeline reads them (the
        phrase and vocabulary passes follow the last one).

    Returns
    -------
    LevelData
    """
    units = segment(articles, level).reset_index(drop=True)
    pipeline = TextPipeline(**options.model_dump())
    texts = units["text"].tolist()
    with progress_bar(
        f"preprocessing {level}", enabled=progress, total=len(texts), unit="unit"
    ) as bar:
        token_docs = pipeline.fit_transform(CountedTexts(texts, bar))
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


def level_key(model: ModelConfig, level: str) -> str:
    """Key of the prepared data a model uses at ``level``: ``level`` or ``"naive:<level>"``."""
    return f"naive:{level}" if model.preprocess == "naive" else level


def load_articles(
    config: ExperimentConfig, corpus_path: Path, *, clean: bool, progress: bool = False
) -> pd.DataFrame:
    """Load the corpus the config's ``[corpus]`` section describes (cleaned if asked).

    With ``progress``, a bar on stderr counts the articles as they are read and cleaned.
    """
    c = config.corpus
    desc = "loading and cleaning corpus" if clean and c.clean else "loading corpus"
    return load_corpus(
        corpus_path,
        format=None if c.format == "auto" else c.format,
        text_column=c.text_column,
        id_column=c.id_column,
        title_column=c.title_column,
        date_column=c.date_column,
        encoding=c.encoding,
        clean=clean and c.clean,
        wrap=partial(progress_over, desc=desc, enabled=progress, unit="article"),
    )


def run_levels(config: ExperimentConfig) -> list[str]:
    """The run's levels, then any level only a model asks for, in order of appearance."""
    levels = list(config.levels)
    for m in config.models:
        for lv in m.levels or []:
            if lv not in levels:
                levels.append(lv)
    return levels


def prepare_levels(
    config: ExperimentConfig,
    corpus_path: Path,
    articles: pd.DataFrame,
    *,
    progress: bool = False,
    timings: dict[str, float] | None = None,
) -> dict[str, LevelData]:
    """Units and tokens of every level the run needs, naive-baseline levels included.

    Parameters
    ----------
    config : ExperimentConfig
    corpus_path : Path
        The corpus, read again without cleaning when a model uses the naive baseline.
    articles : pandas.DataFrame
        The cleaned articles.
    progress : bool, default=False
        Show a bar per level on stderr (and one for reading the raw corpus again).
    timings : dict of str to float, optional
        Filled with the seconds each level took, keyed ``"preprocess <level>"``
        (``"preprocess naive"`` for the naive baseline's units).

    Returns
    -------
    dict of str to LevelData
        Keyed by :func:`level_key`.
    """
    seconds = timings if timings is not None else {}
    data: dict[str, LevelData] = {}
    for level in run_levels(config):
        started = time.perf_counter()
        data[level] = prepare_level(articles, level, config.preprocess, progress=progress)
        seconds[f"preprocess {level}"] = time.perf_counter() - started
    naive = [m for m in config.models if m.preprocess == "naive"]
    if naive:
        started = time.perf_counter()
        raw = load_articles(config, corpus_path, clean=False, progress=progress)
        for m in naive:
            for level in m.levels or config.levels:
                data.setdefault(level_key(m, level), naive_level(raw, level))
        seconds["preprocess naive"] = time.perf_counter() - started
    return data
