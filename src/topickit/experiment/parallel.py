"""Run independent jobs of an experiment on several processes, reproducibly.

Jobs run in forked worker processes (the prepared data is inherited, not copied through
pipes), each with BLAS and OpenMP limited to one thread, so that results do not depend on
how many cores the machine has. Results come back in submission order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

__all__ = ["resolve_jobs", "run_jobs"]

T = TypeVar("T")
R = TypeVar("R")

_TASK: Callable[[Any], Any] | None = None


def resolve_jobs(n_jobs: int) -> int:
    """Number of worker processes: ``n_jobs``, or every core when it is 0 or negative."""
    if n_jobs > 0:
        return n_jobs
    return max(1, os.cpu_count() or 1)


def _call(item: Any) -> Any:
    assert _TASK is not None  # set before the pool forks
    with threadpool_limits(1):
        return _TASK(item)


def run_jobs(task: Callable[[T], R], items: Iterable[T], *, n_jobs: int = 1) -> Iterator[R]:
    """Apply ``task`` to each item, on ``n_jobs`` processes where the platform can fork.

    Parameters
    ----------
    task : callable
        Run once per item; it may use any data reachable from the calling process.
    items : iterable
    n_jobs : int, default=1
        Worker processes (``<= 0``: one per core). With 1, or where ``fork`` is not
        available, the items run in this process.

    Yields
    ------
    object
        ``task(item)`` for each item, in order.
    """
    global _TASK
    items = list(items)
    workers = min(resolve_jobs(n_jobs), len(items))
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or not can_fork:
        with threadpool_limits(1):
            for item in items:
                yield task(item)
        return
    _TASK = task
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from pool.map(_call, items, chunksize=1)
    finally:
        _TASK = None
