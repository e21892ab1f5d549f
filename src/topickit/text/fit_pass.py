"""What a :class:`~topickit.text.pipeline.TextPipeline` learns, in one pass over texts in memory.

:func:`learn_in_memory` tokenises every text once (base tokens), learns the phrase table from
them, counts in how many units each phrase is joined, finishes the tokens and counts the
document and collection frequency of every term, all in this process. The spooled fit
(:mod:`topickit.text._spool`), which ``fit_stream`` and parallel fits use, learns the same
:class:`LearnedVocabulary` batch by batch in worker processes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS

from topickit.text.phrases import (
    cached_phrase_index,
    count_phrase_candidates,
    phrase_document_frequency,
    score_phrases,
)

if TYPE_CHECKING:
    from topickit.text.pipeline import TextPipeline

__all__ = ["LearnedVocabulary", "learn_in_memory"]


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


def learn_in_memory(
    pipeline: TextPipeline, texts: Sequence[str], *, keep_tokens: bool
) -> LearnedVocabulary:
    """Learn phrases and term frequencies from ``texts``, in this process.

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
    stop = pipeline.stopword_set()
    connectors = ENGLISH_CONNECTOR_WORDS if pipeline.phrase_connectors else frozenset()
    base = [pipeline.base_tokens(text) for text in texts]
    phrases: dict[str, float] = {}
    if pipeline.phrases:
        table = score_phrases(
            count_phrase_candidates(base, connector_words=connectors, stopwords=stop),
            min_count=pipeline.phrase_min_count,
            threshold=pipeline.phrase_threshold,
            connector_words=connectors,
            stopwords=stop,
        )
        joined = phrase_document_frequency(base, table, cached_phrase_index(table))
        phrases = {p: s for p, s in table.items() if joined[p] >= pipeline.phrase_min_docs}
    final = [pipeline.finish_tokens(doc, phrases, stop) for doc in base]
    dfs: Counter = Counter()
    cfs: Counter = Counter()
    for doc in final:
        cfs.update(doc)
        dfs.update(set(doc))
    return LearnedVocabulary(
        phrases, stop, dfs, cfs, len(final), sum(cfs.values()), final if keep_tokens else None
    )
