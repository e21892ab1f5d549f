"""Worker processes: the one pool helper behind every parallel step of topickit.

:class:`WorkerPool` runs ``func(state, task)`` over tasks, in order, in ``n_jobs`` processes.
The ``state`` (a pipeline, a vocabulary, the prepared data of an experiment) reaches each
worker once, when it starts: where the platform can fork, it is inherited rather than pickled,
so it may be large or hold closures. Every worker

- ends when the process that started it ends, however that ends: on Linux the kernel sends it
  SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), and everywhere a watcher thread exits it
  within a second of noticing that its parent is gone;
- leaves Ctrl-C to its parent, which shuts the pool down;
- limits BLAS and OpenMP to one thread, so that results do not depend on the number of cores.

Why not joblib: its loky workers cannot receive a per-worker state at start-up without
pickling it for every task, and they outlived a parent killed with SIGKILL by more than 30 s on
these machines; a standard-library pool with an initializer does both jobs in a few lines.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

__all__ = ["WorkerPool", "resolve_jobs", "run_jobs"]

T = TypeVar("T")
R = TypeVar("R")

#: How often a worker's watcher thread checks that its parent is alive (seconds).
_PARENT_POLL_SECONDS = 0.5
_PR_SET_PDEATHSIG = 1

# The state of the pool this worker belongs to. Set once in each worker process by
# _start_worker (never in the parent), read by _call_in_worker.
_worker_state: Any = None


def resolve_jobs(n_jobs: int) -> int:
    """Number of worker processes: ``n_jobs``, or every core when it is 0 or negative."""
    if n_jobs > 0:
        return n_jobs
    return max(1, os.cpu_count() or 1)


def _die_with_parent(parent_pid: int) -> None:
    """Make this worker end when ``parent_pid`` does (kernel signal where there is one)."""
    if sys.platform.startswith("linux"):
        libc_name = ctypes.util.find_library("c")
        if libc_name:
            libc = ctypes.CDLL(libc_name, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(_PARENT_POLL_SECONDS)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="topickit-parent-watch", daemon=True).start()


def _start_worker(parent_pid: int, state: Any) -> None:
    global _worker_state
    # A forked worker inherits the parent's Python signal handlers; it must not run them.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _die_with_parent(parent_pid)
    threadpool_limits(1)
    _worker_state = state


def _call_in_worker(func: Callable[[Any, Any], Any], task: Any) -> Any:
    return func(_worker_state, task)


class WorkerPool:
    """Apply ``func(state, task)`` to tasks, in worker processes when ``n_jobs > 1``.

    A bounded number of tasks is in flight (``2 * n_jobs`` by default), so the workers keep
    busy while the caller consumes the results, and the caller never holds more than that.
    With ``n_jobs == 1`` everything runs in this process, with the same results.

    Parameters
    ----------
    n_jobs : int
        Worker processes (1: this process).
    state : object, optional
        The first argument of every ``func`` call; sent to each worker once, at start-up.

    Examples
    --------
    >>> with WorkerPool(1, state=10) as pool:
    ...     list(pool.map(lambda base, x: base + x, [1, 2]))
    [11, 12]
    """

    def __init__(self, n_jobs: int, state: Any = None) -> None:
        self.n_jobs = n_jobs
        self.state = state
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> WorkerPool:
        if self.n_jobs > 1:
            can_fork = "fork" in multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if can_fork else "spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=self.n_jobs,
                mp_context=context,
                initializer=_start_worker,
                initargs=(os.getpid(), self.state),
            )
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if self._pool is None:
            return
        if exc_type is not None:
            # interrupted or failed: stop the running tasks now instead of waiting for them
            for process in list((self._pool._processes or {}).values()):
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def map(
        self,
        func: Callable[[Any, Any], Any],
        tasks: Iterable[Any],
        *,
        in_flight: int | None = None,
    ) -> Iterator[Any]:
        """Yield ``func(state, task)`` for each task, in task order.

        Parameters
        ----------
        func : callable
            A module-level function (workers receive it by reference).
        tasks : iterable
            Read lazily: at most ``in_flight`` tasks are handed out ahead of the result
            being waited for.
        in_flight : int, optional
            Default ``2 * n_jobs``.
        """
        if self._pool is None:
            for task in tasks:
                yield func(self.state, task)
            return
        ahead = 2 * self.n_jobs if in_flight is None else max(1, in_flight)
        pending: deque[Future] = deque()
        for task in tasks:
            pending.append(self._pool.submit(_call_in_worker, func, task))
            if len(pending) >= ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _call_task(task: Callable[[Any], Any], item: Any) -> Any:
    with threadpool_limits(1):
        return task(item)


def run_jobs(task: Callable[[T], R], items: Iterable[T], *, n_jobs: int = 1) -> Iterator[R]:
    """Apply ``task`` to each item on ``n_jobs`` processes; results in item order.

    ``task`` reaches the workers as their pool state, so it may be a closure over large
    prepared data (inherited, not copied, where the platform can fork).

    Parameters
    ----------
    task : callable
        Run once per item.
    items : iterable
    n_jobs : int, default=1
        Worker processes (``<= 0``: one per core). With 1, the items run in this process.

    Yields
    ------
    object
        ``task(item)`` for each item, in order.
    """
    items = list(items)
    workers = min(resolve_jobs(n_jobs), len(items))
    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        workers = 1  # a closure cannot be sent to a spawned worker
    with WorkerPool(max(workers, 1), state=task) as pool:
        yield from pool.map(_call_task, items, in_flight=len(items))
