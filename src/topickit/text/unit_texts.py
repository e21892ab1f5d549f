"""The unit texts that streamed fits accept, and the one way to read them.

A stream is an iterable (or a zero-argument callable returning one, so that it can be read
again) of texts, ``(unit_id, text)`` pairs, or unit rows such as
:func:`topickit.segment.iter_units` yields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from topickit.exceptions import CorpusError

__all__ = ["Texts", "iter_id_texts"]

#: What the streaming functions accept: texts, ``(unit_id, text)`` pairs or unit rows
#: (mappings with ``"unit_id"`` and ``"text"``), or a zero-argument callable returning them.
Texts = Iterable[Any] | Callable[[], Iterable[Any]]


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
