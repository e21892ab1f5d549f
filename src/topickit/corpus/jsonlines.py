"""JSON tables: JSON lines (one object per line) or one JSON array of objects.

Read with :mod:`json` rather than :func:`pandas.read_json` so that

* an error names the line (and for an array, the element) at fault;
* values keep their JSON types: no column is turned into dates because of its name, no
  integer id becomes a float because another row lacks it (columns are ``object``);
* a key given twice in one object is an error instead of the last one silently winning.

Blank lines are ignored. Every line (or array element) must be a JSON object.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from topickit.exceptions import CorpusError

__all__ = ["json_chunks"]


class _DuplicateKeyError(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKeyError(key)
        obj[key] = value
    return obj


def _is_array(path: Path, encoding: str) -> bool:
    with open(path, encoding=encoding) as fh:
        while chunk := fh.read(1024):
            stripped = chunk.lstrip()
            if stripped:
                return stripped.startswith("[")
    return False


def _array_records(path: Path, encoding: str, name: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding=encoding) as fh:
        try:
            items = json.load(fh, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            raise CorpusError(f"{name}: invalid JSON on line {exc.lineno} ({exc.msg})") from None
        except _DuplicateKeyError as exc:
            raise CorpusError(f"{name}: key {exc.key!r} appears twice in one object") from None
    if not isinstance(items, list):
        raise CorpusError(f"{name}: a JSON table must be an array of objects")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise CorpusError(
                f"{name}: array element {index + 1} is {type(item).__name__}, not an object"
            )
        yield item


def _line_records(path: Path, encoding: str, name: str) -> Iterator[dict[str, Any]]:
    with open(path, encoding=encoding) as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line, object_pairs_hook=_no_duplicates)
            except json.JSONDecodeError as exc:
                raise CorpusError(
                    f"{name}: invalid JSON on line {number} ({exc.msg}, column {exc.colno})"
                ) from None
            except _DuplicateKeyError as exc:
                raise CorpusError(f"{name}: line {number}: key {exc.key!r} appears twice") from None
            if not isinstance(item, dict):
                raise CorpusError(
                    f"{name}: line {number} holds a JSON {type(item).__name__}, not an object"
                )
            yield item


def json_chunks(path: Path, *, encoding: str, chunksize: int, name: str) -> Iterator[pd.DataFrame]:
    """Yield the objects of a JSON table ``chunksize`` at a time, as ``object`` DataFrames.

    Parameters
    ----------
    path : Path
        The file.
    encoding : str
        Its codec.
    chunksize : int
        Objects per chunk.
    name : str
        Its name for messages.

    Raises
    ------
    CorpusError
        On invalid JSON (naming the line), a value that is not an object, or a repeated key.
    UnicodeDecodeError
        If the file does not decode with ``encoding`` (the caller reports it).
    """
    if _is_array(path, encoding):
        records = _array_records(path, encoding, name)
    else:
        records = _line_records(path, encoding, name)
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == chunksize:
            yield pd.DataFrame(batch, dtype=object)
            batch = []
    if batch:
        yield pd.DataFrame(batch, dtype=object)
