"""Fit a :class:`~topickit.pipeline.TextPipeline` on a stream of texts, batch by batch.

The texts are read **once**. Pass 1 tokenises them (in ``n_jobs`` worker processes), feeds
gensim's phrase counter and writes the base tokens to a temporary JSON-lines *spool* on disk.
Pass 2 reads the spool back to count in how many units each phrase is joined; pass 3 reads it
again to finish the tokens (phrases, aliases, stop words) and count the document and
collection frequency of every term. Only one batch of texts or tokens is in memory at a time
(plus the one the workers are busy with), so memory grows with the vocabulary, not with the
number of texts. The result is the same fitted state that :meth:`TextPipeline.fit` learns.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from gensim.corpora import Dictionary
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS

from topickit._validation import validate_params
from topickit.exceptions import CorpusError
from topickit.text.phrases import apply_phrases, learn_phrases

if TYPE_CHECKING:
    from topickit.pipeline import TextPipeline

__all__ = [
    "BatchMapper",
    "Texts",
    "dictionary_from_frequencies",
    "fit_pipeline_stream",
    "iter_id_texts",
    "read_spool",
    "stream_fit",
]

logger = logging.getLogger(__name__)

#: What the streaming functions accept: texts, ``(unit_id, text)`` pairs or unit rows
#: (mappings with ``"unit_id"`` and ``"text"``), or a zero-argument callable returning them.
Texts = Iterable[Any] | Callable[[], Iterable[Any]]

# ---------------------------------------------------------------------- input items


def iter_id_texts(texts: Texts) -> Iterator[tuple[str, str]]:
    """Yield ``(unit_id, text)`` for each item of ``texts``.

    Parameters
    ----------
    texts : iterable or zero-argument callable returning an iterable
        Items are a text (its id is its position, ``"0"``, ``"1"``, ...), a
        ``(unit_id, text)`` pair, or a mapping with ``"unit_id"`` and ``"text"`` keys
        (a row of :func:`topickit.segment.iter_units`).

    Raises
    ------
    CorpusError
        When an item is none of these, or its text is not a string.
    """
    if callable(texts):
        texts = texts()
    if isinstance(texts, str):
        raise CorpusError("expected an iterable of texts, got a single string")
    for position, item in enumerate(texts):
        if isinstance(item, str):
            yield str(position), item
            continue
        if isinstance(item, Mapping):
            unit_id, text = item.get("unit_id", position), item.get("text")
        elif isinstance(item, tuple) and len(item) == 2:
            unit_id, text = item
        else:
            raise CorpusError(
                f"unit {position}: expected a text, a (unit_id, text) pair or a unit row, "
                f"got {type(item).__name__}"
            )
        if not isinstance(text, str):
            raise CorpusError(f"unit {unit_id!r}: text is {type(text).__name__}, not str")
        yield str(unit_id), text


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# ---------------------------------------------------------------------- worker pool

_WORKER_STATE: Any = None


def _set_worker_state(state: Any) -> None:
    global _WORKER_STATE
    _WORKER_STATE = state


def _call_in_worker(func: Callable[[Any, list[Any]], Any], chunk: list[Any]) -> Any:
    return func(_WORKER_STATE, chunk)


class BatchMapper:
    """Apply ``func(state, items)`` to batches, in worker processes when ``n_jobs > 1``.

    Each batch is split in ``2 * n_jobs`` chunks. The next batch is submitted before the
    results of the previous one are handed out, so the workers keep busy while the caller
    consumes; at most two batches are in flight.

    Parameters
    ----------
    n_jobs : int
        Worker processes (1: run in this process).
    state : object
        Handed to ``func`` as its first argument; sent to each worker once, at start-up.
    """

    def __init__(self, n_jobs: int, state: Any) -> None:
        self.n_jobs = n_jobs
        self.state = state
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> BatchMapper:
        if self.n_jobs > 1:
            context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.n_jobs,
                mp_context=context,
                initializer=_set_worker_state,
                initargs=(self.state,),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(
        self, func: Callable[[Any, list[Any]], list[Any]], batches: Iterable[list[Any]]
    ) -> Iterator[list[Any]]:
        """Yield ``func``'s output list for each batch, in order."""
        if self._pool is None:
            for batch in batches:
                yield func(self.state, batch)
            return
        pending: deque[list[Future]] = deque()
        for batch in batches:
            size = max(1, -(-len(batch) // (2 * self.n_jobs)))
            pending.append(
                [
                    self._pool.submit(_call_in_worker, func, batch[i : i + size])
                    for i in range(0, len(batch), size)
                ]
            )
            if len(pending) > 1:
                yield _gather(pending.popleft())
        while pending:
            yield _gather(pending.popleft())


def _gather(futures: list[Future]) -> list[Any]:
    out: list[Any] = []
    for future in futures:
        out.extend(future.result())
    return out


# Per-chunk work, run in the workers (module level so that it can be sent to them).
def _base_chunk(pipeline: TextPipeline, texts: list[str]) -> list[list[str]]:
    return [pipeline.base_tokens(t) for t in texts]


def _phrase_chunk(table: dict[str, float], docs: list[list[str]]) -> list[Counter]:
    counts: Counter = Counter()
    for doc in docs:
        counts.update(t for t in set(apply_phrases(doc, table)) if t in table)
    return [counts]


def _finish_chunk(pipeline: TextPipeline, docs: list[list[str]]) -> list[list[str]]:
    return [pipeline._finish_tokens(d, pipeline.phrases_, pipeline._stop_) for d in docs]


# ---------------------------------------------------------------------- spool files


def _write_doc(out: TextIO, doc: list[str]) -> None:
    out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def read_spool(path: str | Path) -> Iterator[list[str]]:
    """Yield the token lists of a JSON-lines spool file, one per line."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def dictionary_from_frequencies(
    dfs: Mapping[str, int], cfs: Mapping[str, int], num_docs: int, num_pos: int
) -> Dictionary:
    """A gensim dictionary with ids in sorted term order, as ``build_dictionary`` makes it.

    Parameters
    ----------
    dfs, cfs : mapping of str to int
        Document and collection frequency of each term.
    num_docs, num_pos : int
        Number of documents and of tokens.

    Returns
    -------
    gensim.corpora.Dictionary
    """
    vocab = sorted(cfs)
    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(vocab)}
    dictionary.id2token = {}
    dictionary.dfs = {i: int(dfs[t]) for i, t in enumerate(vocab)}
    dictionary.cfs = {i: int(cfs[t]) for i, t in enumerate(vocab)}
    dictionary.num_docs = int(num_docs)
    dictionary.num_pos = int(num_pos)
    dictionary.num_nnz = sum(dictionary.dfs.values())
    return dictionary


# ---------------------------------------------------------------------- the passes


def _spool_base_tokens(
    pipeline: TextPipeline,
    texts: Texts,
    path: Path,
    *,
    batch_size: int,
    n_jobs: int,
    on_ids: Callable[[list[str]], None] | None,
) -> Iterator[list[str]]:
    """Pass 1: tokenise the texts, write the base tokens to ``path`` and yield them."""

    def text_batches() -> Iterator[list[str]]:
        for batch in _batched(iter_id_texts(texts), batch_size):
            if on_ids is not None:
                on_ids([unit_id for unit_id, _ in batch])
            yield [text for _, text in batch]

    with open(path, "w", encoding="utf-8") as out, BatchMapper(n_jobs, pipeline) as mapper:
        for docs in mapper.map(_base_chunk, text_batches()):
            for doc in docs:
                _write_doc(out, doc)
                yield doc


def stream_fit(
    pipeline: TextPipeline,
    texts: Texts,
    *,
    workdir: str | Path,
    batch_size: int = 1000,
    n_jobs: int | None = None,
    on_ids: Callable[[list[str]], None] | None = None,
    finished_path: str | Path | None = None,
) -> int:
    """Fit ``pipeline`` on streamed texts; the engine behind :meth:`TextPipeline.fit_stream`.

    Parameters
    ----------
    pipeline : TextPipeline
        Fitted in place.
    texts : iterable or zero-argument callable
        See :func:`iter_id_texts`; read once.
    workdir : str or Path
        Existing folder for the base-token spool (deleted on return).
    batch_size : int, default=1000
        Texts per batch.
    n_jobs : int or None, default=None
        Worker processes; ``None`` uses ``pipeline.n_jobs``.
    on_ids : callable or None
        Called with the unit ids of each batch, in order, as the batch is read.
    finished_path : str, Path or None
        If given, the final token lists (before the document-frequency filters) are also
        written there as JSON lines, one unit per line, so that a caller can build the
        bag-of-words corpus without tokenising again.

    Returns
    -------
    int
        Number of units.
    """
    validate_params(
        pipeline.get_params(deep=False), pipeline._parameter_constraints, "TextPipeline"
    )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise CorpusError(f"batch_size must be a positive integer, got {batch_size!r}")
    n_jobs = pipeline.n_jobs if n_jobs is None else n_jobs
    stop = pipeline._stop_set()
    base_path = Path(workdir) / "base_tokens.jsonl"
    try:
        # Pass 1: base tokens -> spool (+ phrase counts).
        docs = _spool_base_tokens(
            pipeline, texts, base_path, batch_size=batch_size, n_jobs=n_jobs, on_ids=on_ids
        )
        if pipeline.phrases:
            connectors = ENGLISH_CONNECTOR_WORDS if pipeline.phrase_connectors else frozenset()
            table = learn_phrases(
                docs,
                min_count=pipeline.phrase_min_count,
                threshold=pipeline.phrase_threshold,
                connector_words=connectors,
                stopwords=stop,
                batch_size=batch_size,
            )
        else:
            deque(docs, maxlen=0)
            table = {}
        # Pass 2: in how many units is each phrase joined.
        doc_freq: Counter = Counter()
        if table:
            spool = _batched(read_spool(base_path), batch_size)
            with BatchMapper(n_jobs, table) as mapper:
                for counters in mapper.map(_phrase_chunk, spool):
                    for counts in counters:
                        doc_freq.update(counts)
        pipeline.phrases_ = {
            p: s for p, s in table.items() if doc_freq[p] >= pipeline.phrase_min_docs
        }
        pipeline._stop_ = stop
        # Pass 3: final tokens -> term frequencies (+ optional spool of final tokens).
        dfs: Counter = Counter()
        cfs: Counter = Counter()
        n_units = n_tokens = 0
        with ExitStack() as stack:
            out = None
            if finished_path is not None:
                out = stack.enter_context(open(finished_path, "w", encoding="utf-8"))
            mapper = stack.enter_context(BatchMapper(n_jobs, pipeline))
            for finished in mapper.map(_finish_chunk, _batched(read_spool(base_path), batch_size)):
                for doc in finished:
                    n_units += 1
                    n_tokens += len(doc)
                    cfs.update(doc)
                    dfs.update(set(doc))
                    if out is not None:
                        _write_doc(out, doc)
    finally:
        base_path.unlink(missing_ok=True)
    full = dictionary_from_frequencies(dfs, cfs, n_units, n_tokens)
    pipeline.dictionary_, pipeline.vocabulary_report_ = pipeline._filter_dictionary(full)
    logger.info(
        "streamed fit on %d units: %d phrases, %d terms kept of %d",
        n_units,
        len(pipeline.phrases_),
        len(pipeline.dictionary_),
        pipeline.vocabulary_report_["n_terms_before"],
    )
    return n_units


def fit_pipeline_stream(
    pipeline: TextPipeline, texts: Texts, *, batch_size: int = 1000
) -> TextPipeline:
    """Fit ``pipeline`` on streamed texts with a temporary spool folder.

    See :meth:`topickit.pipeline.TextPipeline.fit_stream`.
    """
    with tempfile.TemporaryDirectory(prefix="topickit-fit-") as workdir:
        stream_fit(pipeline, texts, workdir=workdir, batch_size=batch_size)
    return pipeline
