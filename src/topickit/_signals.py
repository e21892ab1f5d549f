"""Termination signals as exceptions, so that a killed command still cleans up.

Inside :func:`signals_raise`, SIGTERM and SIGHUP raise :class:`Terminated` in the main thread,
as Ctrl-C raises :class:`KeyboardInterrupt`. The exception unwinds every ``with`` block on
the way out: temporary run folders and spool files are removed, worker pools are shut down,
and the command exits with status ``128 + signal number``.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["Terminated", "signals_raise"]

_SIGNALS = tuple(
    s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s
)


class Terminated(KeyboardInterrupt):
    """The process was asked to end by a signal (SIGTERM, SIGHUP).

    A :class:`KeyboardInterrupt`, so that ``except Exception`` never swallows it.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(f"terminated by {signal.Signals(signum).name}")
        self.signum = signum


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(signum)


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise_terminated) for s in _SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
