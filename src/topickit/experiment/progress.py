"""The one place that decides how a run shows progress: tqdm bars on stderr, or nothing.

Every long phase of :func:`~topickit.experiment.run_experiment` goes through
:func:`progress` (an iterable) or :func:`progress_bar` (a bar advanced by hand, for
callbacks). Bars are drawn on stderr only, so that stdout keeps nothing but what a command
prints there (the run folder); with ``enabled=False`` nothing is drawn at all. A bar never
changes what it wraps: the items pass through unchanged and in order.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar, overload

from tqdm import tqdm

__all__ = ["CountedTexts", "progress", "progress_bar"]

T = TypeVar("T")


def progress_bar(desc: str, *, enabled: bool, total: int | None = None, unit: str = "it") -> tqdm:
    """A progress bar on stderr, advanced with ``update()`` and ended with ``close()``.

    Parameters
    ----------
    desc : str
        What the phase does, e.g. ``"loading corpus"``.
    enabled : bool
        Draw the bar; ``False`` gives a bar that draws nothing (``--quiet``).
    total : int or None, default=None
        Number of steps, when known (without it the bar shows a count and a rate).
    unit : str, default="it"
        Name of one step.

    Returns
    -------
    tqdm.tqdm
        Usable as a context manager.
    """
    return tqdm(
        desc=desc,
        total=total,
        unit=unit,
        disable=not enabled,
        file=sys.stderr,
        leave=True,
        dynamic_ncols=True,
    )


def progress(
    iterable: Iterable[T],
    desc: str,
    *,
    enabled: bool,
    total: int | None = None,
    unit: str = "it",
) -> Iterator[T]:
    """Yield the items of ``iterable`` unchanged while a bar on stderr counts them.

    Parameters
    ----------
    iterable : iterable
        The work; it is consumed lazily, one item per step.
    desc : str
        What the phase does, e.g. ``"scoring coherence"``.
    enabled : bool
        Draw the bar (``False`` for ``--quiet``).
    total : int or None, default=None
        Number of items; by default ``len(iterable)`` when it has one.
    unit : str, default="it"
        Name of one item.

    Yields
    ------
    object
        The items of ``iterable``, in order.
    """
    if total is None and isinstance(iterable, Sequence):
        total = len(iterable)
    with progress_bar(desc, enabled=enabled, total=total, unit=unit) as bar:
        for item in iterable:
            yield item
            bar.update()


class CountedTexts(Sequence[str]):
    """A sequence of texts that advances a bar each time a text is read by iteration.

    Lets a consumer that reads its texts once, in order (``TextPipeline.fit_transform``),
    report how far it got, without changing what it reads.

    Parameters
    ----------
    texts : sequence of str
    bar : tqdm.tqdm
        Advanced by one per text yielded by ``iter()``.
    """

    def __init__(self, texts: Sequence[str], bar: tqdm) -> None:
        self._texts = texts
        self._bar = bar

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._texts[index]

    def __iter__(self) -> Iterator[str]:
        for text in self._texts:
            self._bar.update()
            yield text
