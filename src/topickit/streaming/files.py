"""The files of a streamed corpus folder and how they are written (see :mod:`.streamed`).

Every file is written through :mod:`topickit._atomic` (a temporary sibling renamed into place
when complete), and :func:`~topickit.streaming.corpus.build_streamed_corpus` writes
``meta.json`` last, so a folder whose ``meta.json`` exists is complete.
"""

from __future__ import annotations

import json
import shutil
from array import array
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import IO, Any

import numpy as np
from gensim.corpora import Dictionary
from gensim.matutils import MmWriter

from topickit._atomic import atomic_open, atomic_write_text
from topickit._stale import TEMP_PREFIX
from topickit._workers import WorkerPool
from topickit.exceptions import CorpusError
from topickit.text._spool import Segment
from topickit.vectorize import dictionary_terms

__all__ = [
    "FILES",
    "STREAMED_FORMAT",
    "UnitIdWriter",
    "dictionary_json",
    "prepare_folder",
    "write_json",
    "write_mm",
]

#: Version of the streamed-corpus folder layout.
STREAMED_FORMAT = 1

#: File of each part of the folder.
FILES = {
    "mm": "corpus.mm",
    "offsets": "corpus.offsets.npy",
    "dictionary": "dictionary.json",
    "units": "units.json",
    "pipeline": "pipeline.json",
    "meta": "meta.json",
}

#: Prefix of the scratch folder inside a streamed corpus folder while it is being built.
SPOOL_PREFIX = f"{TEMP_PREFIX}spool."


class UnitIdWriter:
    """Write unit ids to an open text file as a JSON array, batch by batch.

    The closing bracket is written when the ``with`` block ends without an error.
    """

    def __init__(self, out: IO[str]) -> None:
        self._out = out
        self.count = 0

    def __enter__(self) -> UnitIdWriter:
        self._out.write("[")
        return self

    def write(self, ids: list[str]) -> None:
        """Append ``ids`` to the array."""
        for unit_id in ids:
            self._out.write(("," if self.count else "") + "\n" + json.dumps(unit_id))
            self.count += 1

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self._out.write("\n]\n")


def _mm_part(token2id: dict[str, int], segment: Segment) -> tuple[Path, int, array]:
    """Write one segment's bag of words as Matrix Market lines to a part file (in a worker).

    Returns the part file, its number of entries and each unit's offset in it (-1: empty).
    The part is scratch space inside the spool folder, not an output.
    """
    part = segment.path.with_suffix(".mm")
    offsets = array("q")
    n_nnz = 0
    with open(part, "wb") as out:
        for docno, doc in enumerate(segment.read(), start=segment.first + 1):
            counts: dict[int, int] = {}
            for term in doc:
                term_id = token2id.get(term)
                if term_id is not None:
                    counts[term_id] = counts.get(term_id, 0) + 1
            offsets.append(out.tell() if counts else -1)
            out.write("".join(f"{docno} {i + 1} {counts[i]}\n" for i in sorted(counts)).encode())
            n_nnz += len(counts)
    return part, n_nnz, offsets


def write_mm(
    folder: Path,
    segments: list[Segment],
    dictionary: Dictionary,
    n_docs: int,
    n_jobs: int,
    *,
    while_waiting: Callable[[], None] | None = None,
) -> int:
    """Write the bag of words in gensim's Matrix Market layout; return the entry count.

    Each segment is written to a part file by a worker; the parts are then appended in order
    to ``corpus.mm``, and each unit's byte offset is saved to ``corpus.offsets.npy``.
    ``while_waiting`` is called once the first part is back, while the workers write the
    others (in this process, before they are written).
    """
    offsets = array("q")
    n_nnz = 0
    with atomic_open(folder / FILES["mm"], "wb") as out:
        out.write(MmWriter.HEADER_LINE)
        out.write(f"{n_docs} {len(dictionary)} {dictionary.num_nnz}\n".encode())
        with WorkerPool(n_jobs, dictionary.token2id) as pool:
            # every segment is sent at once (tasks and results are small), so that the
            # workers keep busy while this process runs while_waiting
            parts = pool.map(_mm_part, segments, in_flight=len(segments))
            first = next(parts, None)
            if while_waiting is not None:
                while_waiting()
            for part, part_nnz, part_offsets in chain([] if first is None else [first], parts):
                start = out.tell()
                offsets.extend(o + start if o >= 0 else -1 for o in part_offsets)
                with open(part, "rb") as f:
                    shutil.copyfileobj(f, out)
                part.unlink()
                n_nnz += part_nnz
        if len(offsets) != n_docs or n_nnz != dictionary.num_nnz:
            raise RuntimeError("streamed corpus: written counts disagree with the dictionary")
    with atomic_open(folder / FILES["offsets"], "wb") as out:
        np.save(out, np.frombuffer(offsets, dtype=np.int64), allow_pickle=False)
    return n_nnz


def dictionary_json(dictionary: Dictionary) -> dict[str, Any]:
    """The content of ``dictionary.json``: terms in id order with their frequencies."""
    n = len(dictionary)
    return {
        "terms": dictionary_terms(dictionary),
        "dfs": [int(dictionary.dfs.get(i, 0)) for i in range(n)],
        "cfs": [int(dictionary.cfs.get(i, 0)) for i in range(n)],
        "num_docs": int(dictionary.num_docs),
        "num_pos": int(dictionary.num_pos),
        "num_nnz": int(dictionary.num_nnz),
    }


def prepare_folder(folder: Path, overwrite: bool) -> None:
    """Create ``folder``, or empty it of an earlier streamed corpus when ``overwrite`` is set.

    Raises
    ------
    CorpusError
        When ``folder`` is a file, or holds anything else (or anything, without ``overwrite``).
    """
    if folder.exists() and not folder.is_dir():
        raise CorpusError.at(folder, "exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    present = [p for p in folder.iterdir() if not p.name.startswith(SPOOL_PREFIX)]
    if not present:
        return
    ours = set(FILES.values())
    if not overwrite or any(p.name not in ours for p in present):
        raise CorpusError.at(
            folder,
            "folder is not empty; choose a new folder"
            + ("" if overwrite else " or pass overwrite=True for a streamed corpus"),
        )
    (folder / FILES["meta"]).unlink(missing_ok=True)  # incomplete until rewritten
    for p in present:
        p.unlink(missing_ok=True)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as compact JSON (UTF-8), atomically."""
    # json.dumps encodes in C; json.dump to a file runs the pure-Python encoder (5x slower)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False))
