"""What a :class:`~topickit.text.pipeline.TextPipeline` learns, in one pass over texts in memory.

:func:`learn_in_memory` tokenises every text once (base tokens), learns the phrase table from
them, counts in how many units each phrase is joined, finishes the tokens and counts the
document and collection frequency of every term. With ``n_jobs > 1`` and enough texts, worker
processes take ranges of texts; they inherit the texts and the base tokens from this process
(fork) instead of receiving them through pipes. The streamed fit
(:mod:`topickit.text._spool`) learns the same :class:`LearnedVocabulary` batch by batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS

from topickit._workers import WorkerPool
from topickit.text.lemmatize import load_lemma_dictionary
from topickit.text.phrases import (
    add_phrase_counts,
    cached_phrase_index,
    count_phrase_candidates,
    phrase_document_frequency,
    score_phrases,
)

if TYPE_CHECKING:
    from topickit.text.pipeline import TextPipeline

__all__ = ["MIN_TEXTS_FOR_WORKERS", "LearnedVocabulary", "learn_in_memory", "text_ranges"]

#: Fewer texts than this are tokenised in this process: starting workers would cost more.
MIN_TEXTS_FOR_WORKERS = 200


@dataclass(frozen=True)
class LearnedVocabulary:
    """What a fit learns before the document-frequency filters.

    Attributes
    ----------
    phrases : dict of str to float
        The phrase table (phrases joined in at least ``phrase_min_docs`` units).
    stopwords : frozenset of str
    dfs, cfs : Counter
        Document and collection frequency of every final token.
    n_units, n_tokens : int
    final_tokens : list of list of str or None
        Each unit's final tokens, when the caller asked to keep them.
    """

    phrases: dict[str, float]
    stopwords: frozenset[str]
    dfs: Counter
    cfs: Counter
    n_units: int
    n_tokens: int
    final_tokens: list[list[str]] | None = None


def text_ranges(n_texts: int, n_jobs: int) -> list[tuple[int, int]]:
    """Split ``range(n_texts)`` into ``8 * n_jobs`` near-equal ``(start, stop)`` ranges."""
    size = max(1, -(-n_texts // (8 * n_jobs)))
    return [(i, min(i + size, n_texts)) for i in range(0, n_texts, size)]


def _base_range(state: tuple[Any, Sequence[str], Any], span: tuple[int, int]) -> Any:
    """Base tokens of a range of texts, and their phrase candidate counts (in a worker)."""
    pipeline, texts, phrase_words = state
    docs = [pipeline.base_tokens(text) for text in texts[span[0] : span[1]]]
    if phrase_words is None:
        return docs, None
    connectors, stop = phrase_words
    return docs, count_phrase_candidates(docs, connector_words=connectors, stopwords=stop)


def _joined_range(state: tuple[Any, list[list[str]]], task: Any) -> dict[str, int]:
    """In how many units of a range each phrase of a table is joined (in a worker)."""
    _, base = state
    (start, stop), table = task
    return phrase_document_frequency(base[start:stop], table, cached_phrase_index(table))


def _final_range(state: tuple[Any, list[list[str]]], task: Any) -> Any:
    """Final tokens of a range of units with the learned phrases, and their frequencies."""
    pipeline, base = state
    (start, stop), phrases, stopwords, keep = task
    docs = [pipeline.finish_tokens(doc, phrases, stopwords) for doc in base[start:stop]]
    dfs: Counter = Counter()
    cfs: Counter = Counter()
    for doc in docs:
        cfs.update(doc)
        dfs.update(set(doc))
    return (docs if keep else None), dfs, cfs


def learn_in_memory(
    pipeline: TextPipeline, texts: Sequence[str], *, keep_tokens: bool
) -> LearnedVocabulary:
    """Learn phrases and term frequencies from ``texts`` (read into memory).

    Parameters
    ----------
    pipeline : TextPipeline
        Its settings and per-text steps; not changed.
    texts : sequence of str
    keep_tokens : bool
        Keep each unit's final tokens in the result.

    Returns
    -------
    LearnedVocabulary
    """
    n_jobs = pipeline.n_jobs if len(texts) >= MIN_TEXTS_FOR_WORKERS else 1
    ranges = text_ranges(len(texts), n_jobs)
    stop = pipeline.stopword_set()
    connectors = ENGLISH_CONNECTOR_WORDS if pipeline.phrase_connectors else frozenset()
    phrase_words = (connectors, stop) if pipeline.phrases else None
    if pipeline.lemmatize:
        load_lemma_dictionary()  # once, before the workers fork
    base: list[list[str]] = []
    counts: tuple[dict[str, int], int] = ({}, 0)
    with WorkerPool(n_jobs, (pipeline, texts, phrase_words)) as pool:
        for docs, part_counts in pool.map(_base_range, ranges):
            base.extend(docs)
            if part_counts is not None:
                counts = add_phrase_counts(counts, part_counts)
    table: dict[str, float] = {}
    if phrase_words is not None:
        table = score_phrases(
            counts,
            min_count=pipeline.phrase_min_count,
            threshold=pipeline.phrase_threshold,
            connector_words=connectors,
            stopwords=stop,
        )
    with WorkerPool(n_jobs, (pipeline, base)) as pool:
        joined: Counter = Counter()
        if table:
            for part in pool.map(_joined_range, ((span, table) for span in ranges)):
                joined.update(part)
        phrases = {p: s for p, s in table.items() if joined[p] >= pipeline.phrase_min_docs}
        dfs: Counter = Counter()
        cfs: Counter = Counter()
        final: list[list[str]] = []
        tasks = ((span, phrases, stop, keep_tokens) for span in ranges)
        for docs, part_dfs, part_cfs in pool.map(_final_range, tasks):
            dfs.update(part_dfs)
            cfs.update(part_cfs)
            if docs is not None:
                final.extend(docs)
    n_tokens = sum(cfs.values())
    return LearnedVocabulary(
        phrases, stop, dfs, cfs, len(texts), n_tokens, final if keep_tokens else None
    )
