"""Corpora larger than memory: tokens written once to a bag-of-words folder on disk.

:func:`build_streamed_corpus` fits a :class:`~topickit.text.pipeline.TextPipeline` on a stream of
texts (:meth:`~topickit.text.pipeline.TextPipeline.fit_stream`, texts read once) and writes each
unit's bag of words to a Matrix Market file, batch by batch. :class:`StreamedCorpus` opens
that folder and iterates it lazily; :class:`~topickit.models.GensimLDA` trains from it with
online LDA, so memory does not grow with the number of units.

Folder layout (no pickle anywhere)::

    corpus.mm           bag of words, Matrix Market (gensim MmCorpus), one row per unit
    corpus.offsets.npy  byte offset of each unit's first line (-1: empty unit), for corpus[i]
    dictionary.json     terms in id order with document and collection frequencies
    units.json          unit ids in row order
    pipeline.json       the fitted pipeline's state (TextPipeline.from_state)
    meta.json           format version and sizes; written last
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from gensim.corpora import Dictionary, MmCorpus
from gensim.matutils import corpus2csc

from topickit._atomic import atomic_open
from topickit._stale import owner_tag
from topickit.exceptions import CorpusError
from topickit.streaming.files import (
    FILES,
    SPOOL_PREFIX,
    STREAMED_FORMAT,
    UnitIdWriter,
    dictionary_json,
    prepare_folder,
    write_json,
    write_mm,
)
from topickit.text._spool import Spool
from topickit.text.unit_texts import Texts
from topickit.vectorize import TokenCorpus, dictionary_from_frequencies

if TYPE_CHECKING:
    from topickit.text.pipeline import TextPipeline

__all__ = ["STREAMED_FORMAT", "StreamedCorpus", "build_streamed_corpus", "iter_unit_texts"]

logger = logging.getLogger(__name__)


class StreamedCorpus(TokenCorpus):
    """A bag-of-words corpus on disk, read lazily (open a folder made by
    :func:`build_streamed_corpus`).

    It keeps counts, not token order: :attr:`bow`, :attr:`dictionary`, :attr:`terms` and
    ``len()`` work without loading the corpus, and iterating yields each unit's bag of words
    (``(term_id, count)`` pairs, counts as floats), as gensim corpora do. :attr:`docs`
    (token lists) does not exist, so sliding-window coherence needs an in-memory
    :class:`~topickit.vectorize.token_corpus.TokenCorpus` of a sample.

    Parameters
    ----------
    folder : str or Path

    Raises
    ------
    CorpusError
        When the folder is not a complete streamed corpus of a known format.

    Examples
    --------
    >>> corpus = StreamedCorpus("runs/news_corpus")  # doctest: +SKIP
    >>> GensimLDA(20, passes=1, chunksize=2000).fit(corpus)  # doctest: +SKIP
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        meta_path = self.folder / FILES["meta"]
        if not meta_path.is_file():
            raise CorpusError(f"{self.folder}: not a streamed corpus ({FILES['meta']} missing)")
        self.meta: dict[str, Any] = _read_json(meta_path)
        if self.meta.get("format") != STREAMED_FORMAT:
            raise CorpusError(
                f"{meta_path}: streamed corpus format {self.meta.get('format')!r} is not "
                f"supported (expected {STREAMED_FORMAT})"
            )
        if (self.folder / (FILES["mm"] + ".index")).exists():
            raise CorpusError(f"{self.folder}: unexpected pickled index {FILES['mm']}.index")
        self._dictionary = _load_dictionary(self.folder / FILES["dictionary"])
        n_terms = len(self._dictionary)
        if n_terms != self.meta.get("n_terms"):
            raise CorpusError(f"{self.folder / FILES['dictionary']}: does not match meta.json")

    # -- sizes -----------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.meta["n_docs"])

    @property
    def n_tokens(self) -> int:
        """Number of tokens (sum of all counts)."""
        return int(self._dictionary.num_pos)

    @property
    def n_nonzero(self) -> int:
        """Number of stored ``(unit, term)`` counts."""
        return int(self.meta["n_nnz"])

    def __repr__(self) -> str:
        return (
            f"StreamedCorpus({str(self.folder)!r}: {len(self)} units, "
            f"{len(self._dictionary)} terms)"
        )

    # -- lazy views ------------------------------------------------------------------
    @cached_property
    def bow(self) -> MmCorpus:  # type: ignore[override]
        """The bag of words as a gensim ``MmCorpus`` (streamed from disk; ``bow[i]`` works)."""
        corpus = MmCorpus(str(self.folder / FILES["mm"]))
        offsets = self.folder / FILES["offsets"]
        if offsets.is_file():
            corpus.index = np.load(offsets, allow_pickle=False)
        return corpus

    def __iter__(self) -> Iterator[list[tuple[int, float]]]:
        return iter(self.bow)

    def __getitem__(self, index: int) -> list[tuple[int, float]]:  # type: ignore[override]
        """The bag of words of unit ``index``."""
        return self.bow[index]

    @property
    def docs(self) -> list[list[str]]:  # type: ignore[override]
        """Not available: a streamed corpus stores counts, not token lists."""
        raise CorpusError(
            f"{self.folder}: a StreamedCorpus holds bags of words, not token lists; "
            "use .bow or .counts, or tokenise a sample in memory"
        )

    @cached_property
    def counts(self) -> sp.csr_matrix:
        """The whole ``(n_units, n_terms)`` count matrix (int64).

        This loads the corpus into memory and is **not** streaming; models that need the
        matrix (NMF, k-means, LSA, scikit-learn LDA) use it. :class:`GensimLDA` does not.
        """
        csc = corpus2csc(
            self.bow,
            num_terms=len(self._dictionary),
            num_docs=len(self),
            num_nnz=self.n_nonzero,
            dtype=np.int64,
        )
        matrix = sp.csr_matrix(csc.T)
        matrix.sort_indices()
        return matrix

    @cached_property
    def unit_ids(self) -> list[str]:
        """Unit ids in row order (read from ``units.json``)."""
        ids = _read_json(self.folder / FILES["units"])
        if not isinstance(ids, list) or len(ids) != len(self):
            raise CorpusError(f"{self.folder / FILES['units']}: expected {len(self)} unit ids")
        return ids

    def pipeline(self) -> TextPipeline:
        """The fitted pipeline that made this corpus (to tokenise new texts alike)."""
        from topickit.text.pipeline import TextPipeline

        state = _read_json(self.folder / FILES["pipeline"])
        arrays = {k: np.asarray(state.pop(k), dtype=np.int64) for k in ("dfs", "cfs")}
        return TextPipeline.from_state(state, arrays)


def build_streamed_corpus(
    texts: Texts,
    pipeline: TextPipeline,
    folder: str | Path,
    *,
    batch_size: int = 1000,
    n_jobs: int | None = None,
    overwrite: bool = False,
) -> StreamedCorpus:
    """Tokenise a stream of texts once and write their bag of words to ``folder``.

    Pass 1 fits ``pipeline`` with :meth:`~topickit.text.pipeline.TextPipeline.fit_stream`
    (texts read once, batch by batch, tokenised by ``n_jobs`` processes; final tokens
    spooled to a temporary file in ``folder``); pass 2 maps the spooled tokens to the
    fitted vocabulary and appends them to ``corpus.mm``. Memory grows with the vocabulary,
    not with the number of texts.

    Parameters
    ----------
    texts : iterable or zero-argument callable returning an iterable
        Texts, ``(unit_id, text)`` pairs or unit rows (see
        :func:`topickit.text.unit_texts.iter_id_texts`); e.g. :func:`iter_unit_texts`.
    pipeline : TextPipeline
        Unfitted or fitted; it is (re)fitted in place.
    folder : str or Path
        Output folder (created).
    batch_size : int, default=1000
        Texts per batch.
    n_jobs : int or None, default=None
        Tokenising processes; ``None`` uses ``pipeline.n_jobs``.
    overwrite : bool, default=False
        Replace the files of an existing streamed corpus in ``folder``.

    Returns
    -------
    StreamedCorpus

    Raises
    ------
    CorpusError
        When ``folder`` is not empty (and ``overwrite`` is false), or for bad input items.
    """
    folder = Path(folder)
    prepare_folder(folder, overwrite)
    n_jobs = pipeline.n_jobs if n_jobs is None else n_jobs
    with tempfile.TemporaryDirectory(dir=folder, prefix=f"{SPOOL_PREFIX}{owner_tag()}.") as workdir:
        with atomic_open(folder / FILES["units"]) as out, UnitIdWriter(out) as ids:
            spool = Spool(Path(workdir), n_jobs=n_jobs, on_ids=ids.write, keep_final_tokens=True)
            pipeline.fit_stream(texts, batch_size=batch_size, spool=spool)
        n_units = spool.n_units
        dictionary = pipeline.dictionary_

        def write_state() -> None:
            write_json(folder / FILES["dictionary"], dictionary_json(dictionary))
            meta, arrays = pipeline.get_state()
            state = {**meta, **{k: v.tolist() for k, v in arrays.items()}}
            write_json(folder / FILES["pipeline"], state)

        n_nnz = write_mm(
            folder, spool.final_segments, dictionary, n_units, n_jobs, while_waiting=write_state
        )
    write_json(  # last: a folder with meta.json is complete
        folder / FILES["meta"],
        {
            "format": STREAMED_FORMAT,
            "n_docs": n_units,
            "n_terms": len(dictionary),
            "n_nnz": n_nnz,
            "n_tokens": int(dictionary.num_pos),
            "batch_size": batch_size,
        },
    )
    logger.info("streamed corpus: %d units x %d terms in %s", n_units, len(dictionary), folder)
    return StreamedCorpus(folder)


def iter_unit_texts(
    path: str | Path, level: str = "article", **options: Any
) -> Iterator[tuple[str, str]]:
    """Stream ``(unit_id, text)`` of a corpus's units, article by article.

    Parameters
    ----------
    path : str or Path
        Corpus folder or table, as for :func:`topickit.corpus.iter_articles`.
    level : {"article", "paragraph", "sentence"}, default="article"
    **options
        Passed to :func:`~topickit.corpus.iter_articles` (columns, format, chunksize...).

    Yields
    ------
    (str, str)
    """
    from topickit.corpus.loading import iter_articles
    from topickit.segment import iter_units

    for article in iter_articles(path, **options):
        for row in iter_units(article.doc_id, article.text, level):
            yield row["unit_id"], row["text"]


def _load_dictionary(path: Path) -> Dictionary:
    data = _read_json(path)
    try:
        terms, dfs, cfs = data["terms"], data["dfs"], data["cfs"]
        if not (len(terms) == len(dfs) == len(cfs)):
            raise ValueError("lengths differ")
        if not all(isinstance(t, str) for t in terms) or terms != sorted(set(terms)):
            raise ValueError("terms are not unique strings in sorted order")
        dictionary = dictionary_from_frequencies(
            dict(zip(terms, map(int, dfs), strict=True)),
            dict(zip(terms, map(int, cfs), strict=True)),
            int(data["num_docs"]),
            int(data["num_pos"]),
        )
        if dictionary.num_nnz != int(data["num_nnz"]):
            raise ValueError("num_nnz is not the sum of the document frequencies")
    except (KeyError, TypeError, ValueError) as err:
        raise CorpusError(f"{path}: not a valid dictionary ({err})") from err
    return dictionary


def _read_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError as err:
        raise CorpusError(f"{path}: file missing") from err
    except json.JSONDecodeError as err:
        raise CorpusError(f"{path}: not valid JSON ({err.msg})") from err
