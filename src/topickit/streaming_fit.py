"""Fit a :class:`~topickit.pipeline.TextPipeline` on a stream of texts, batch by batch.

The texts are read **once**. Pass 1 tokenises them (in ``n_jobs`` worker processes), feeds
gensim's phrase counter and writes the base tokens to a temporary JSON-lines *spool* on disk,
one segment per batch. Pass 2 counts in how many units each phrase is joined; pass 3 finishes
the tokens (phrases, aliases, stop words) and counts the document and collection frequency of
every term. In passes 2 and 3 each worker reads whole spool segments from disk itself and
returns only counts, so the parent process does little and both cores stay busy. Only a
batch or two of texts or tokens is in memory at a time, so memory grows with the vocabulary,
not with the number of texts. The fitted state equals what :meth:`TextPipeline.fit` learns.
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
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gensim.corpora import Dictionary
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS

from topickit._validation import validate_params
from topickit.exceptions import CorpusError
from topickit.text.phrases import apply_phrases, learn_phrases

if TYPE_CHECKING:
    from topickit.pipeline import TextPipeline

__all__ = [
    "BatchMapper",
    "Segment",
    "StreamFit",
    "Texts",
    "dictionary_from_frequencies",
    "fit_pipeline_stream",
    "iter_id_texts",
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

    def map_tasks(self, func: Callable[[Any, Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield ``func(state, task)`` for each task, in order; ``2 * n_jobs`` in flight."""
        if self._pool is None:
            for task in tasks:
                yield func(self.state, task)
            return
        pending: deque[Future] = deque()
        for task in tasks:
            pending.append(self._pool.submit(_call_in_worker, func, task))
            if len(pending) >= 2 * self.n_jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _gather(futures: list[Future]) -> list[Any]:
    out: list[Any] = []
    for future in futures:
        out.extend(future.result())
    return out


# Per-chunk work, run in the workers (module level so that it can be sent to them).
def _base_chunk(pipeline: TextPipeline, texts: list[str]) -> list[list[str]]:
    return [pipeline.base_tokens(t) for t in texts]


def _phrase_segment(table: dict[str, float], segment: Segment) -> Counter:
    """Pass 2 on one spool segment: in how many units each phrase is joined."""
    counts: Counter = Counter()
    for doc in segment.read():
        counts.update(t for t in set(apply_phrases(doc, table)) if t in table)
    return counts


def _finish_segment(
    pipeline: TextPipeline, task: tuple[Segment, Path | None]
) -> tuple[Counter, Counter, int]:
    """Pass 3 on one spool segment: term frequencies, final tokens written to a part file."""
    segment, out_path = task
    dfs: Counter = Counter()
    cfs: Counter = Counter()
    n_tokens = 0
    with open(out_path, "wb") if out_path is not None else nullcontext() as out:
        for base in segment.read():
            doc = pipeline._finish_tokens(base, pipeline.phrases_, pipeline._stop_)
            n_tokens += len(doc)
            cfs.update(doc)
            dfs.update(set(doc))
            if out is not None:
                out.write(_encode_doc(doc))
    return dfs, cfs, n_tokens


# ---------------------------------------------------------------------- spool files


def _encode_doc(doc: list[str]) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


@dataclass(frozen=True)
class Segment:
    """``n_docs`` JSON lines of token lists starting at byte ``offset`` of ``path``."""

    path: Path
    offset: int
    n_docs: int
    first: int  # index of the segment's first unit in the corpus

    def read(self) -> Iterator[list[str]]:
        """Yield the segment's token lists."""
        with open(self.path, "rb") as lines:
            lines.seek(self.offset)
            for _ in range(self.n_docs):
                yield json.loads(lines.readline())


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
    segments: list[Segment],
    *,
    batch_size: int,
    n_jobs: int,
    on_ids: Callable[[list[str]], None] | None,
) -> Iterator[list[str]]:
    """Pass 1: tokenise the texts, spool the base tokens to ``path`` and yield them.

    ``segments`` receives one :class:`Segment` per ``batch_size`` units written.
    """

    def text_batches() -> Iterator[list[str]]:
        for batch in _batched(iter_id_texts(texts), batch_size):
            if on_ids is not None:
                on_ids([unit_id for unit_id, _ in batch])
            yield [text for _, text in batch]

    n_units = 0
    with open(path, "wb") as out, BatchMapper(n_jobs, pipeline) as mapper:
        for docs in mapper.map(_base_chunk, text_batches()):
            segments.append(Segment(path, out.tell(), len(docs), n_units))
            n_units += len(docs)
            for doc in docs:
                out.write(_encode_doc(doc))
                yield doc


@dataclass
class StreamFit:
    """What :func:`stream_fit` leaves for a caller that writes the corpus.

    Attributes
    ----------
    n_units : int
    final_segments : list of Segment
        When asked for, the final token lists (before the document-frequency filters), one
        part file per batch, in unit order.
    """

    n_units: int
    final_segments: list[Segment] = field(default_factory=list)


def stream_fit(
    pipeline: TextPipeline,
    texts: Texts,
    *,
    workdir: str | Path,
    batch_size: int = 1000,
    n_jobs: int | None = None,
    on_ids: Callable[[list[str]], None] | None = None,
    keep_final_tokens: bool = False,
) -> StreamFit:
    """Fit ``pipeline`` on streamed texts; the engine behind :meth:`TextPipeline.fit_stream`.

    Pass 1 runs in this process and ``n_jobs`` tokenising workers; passes 2 and 3 hand whole
    spool segments to the workers, which read them from disk themselves.

    Parameters
    ----------
    pipeline : TextPipeline
        Fitted in place.
    texts : iterable or zero-argument callable
        See :func:`iter_id_texts`; read once.
    workdir : str or Path
        Existing folder for the spool files (the base-token spool is deleted on return).
    batch_size : int, default=1000
        Texts per batch and units per spool segment.
    n_jobs : int or None, default=None
        Worker processes; ``None`` uses ``pipeline.n_jobs``.
    on_ids : callable or None
        Called with the unit ids of each batch, in order, as the batch is read.
    keep_final_tokens : bool, default=False
        Also write the final token lists to part files in ``workdir`` (see
        :class:`StreamFit`), so that a caller can build the bag of words without
        tokenising again.

    Returns
    -------
    StreamFit
    """
    validate_params(
        pipeline.get_params(deep=False), pipeline._parameter_constraints, "TextPipeline"
    )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise CorpusError(f"batch_size must be a positive integer, got {batch_size!r}")
    n_jobs = pipeline.n_jobs if n_jobs is None else n_jobs
    workdir = Path(workdir)
    stop = pipeline._stop_set()
    base_path = workdir / "base_tokens.jsonl"
    segments: list[Segment] = []
    try:
        # Pass 1: base tokens -> spool (+ phrase counts, in this process).
        docs = _spool_base_tokens(
            pipeline,
            texts,
            base_path,
            segments,
            batch_size=batch_size,
            n_jobs=n_jobs,
            on_ids=on_ids,
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
            with BatchMapper(n_jobs, table) as mapper:
                for counts in mapper.map_tasks(_phrase_segment, segments):
                    doc_freq.update(counts)
        pipeline.phrases_ = {
            p: s for p, s in table.items() if doc_freq[p] >= pipeline.phrase_min_docs
        }
        pipeline._stop_ = stop
        # Pass 3: final tokens -> term frequencies (+ part files of final tokens).
        result = StreamFit(sum(s.n_docs for s in segments))
        tasks = []
        for i, segment in enumerate(segments):
            part = workdir / f"final_{i:06d}.jsonl" if keep_final_tokens else None
            tasks.append((segment, part))
            if part is not None:
                result.final_segments.append(Segment(part, 0, segment.n_docs, segment.first))
        dfs: Counter = Counter()
        cfs: Counter = Counter()
        n_tokens = 0
        with BatchMapper(n_jobs, pipeline) as mapper:
            for seg_dfs, seg_cfs, seg_tokens in mapper.map_tasks(_finish_segment, tasks):
                dfs.update(seg_dfs)
                cfs.update(seg_cfs)
                n_tokens += seg_tokens
    finally:
        base_path.unlink(missing_ok=True)
    full = dictionary_from_frequencies(dfs, cfs, result.n_units, n_tokens)
    pipeline.dictionary_, pipeline.vocabulary_report_ = pipeline._filter_dictionary(full)
    logger.info(
        "streamed fit on %d units: %d phrases, %d terms kept of %d",
        result.n_units,
        len(pipeline.phrases_),
        len(pipeline.dictionary_),
        pipeline.vocabulary_report_["n_terms_before"],
    )
    return result


def fit_pipeline_stream(
    pipeline: TextPipeline, texts: Texts, *, batch_size: int = 1000
) -> TextPipeline:
    """Fit ``pipeline`` on streamed texts with a temporary spool folder.

    See :meth:`topickit.pipeline.TextPipeline.fit_stream`.
    """
    with tempfile.TemporaryDirectory(prefix="topickit-fit-") as workdir:
        stream_fit(pipeline, texts, workdir=workdir, batch_size=batch_size)
    return pipeline
