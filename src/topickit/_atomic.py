"""Atomic writes: every file and folder topickit writes appears whole or not at all.

A file is written to a temporary sibling in the same folder, flushed to disk and renamed over
its final name (:func:`os.replace`, atomic on POSIX and Windows). A folder is built under a
temporary sibling name and renamed into place when complete. On any failure, including
Ctrl-C, the temporary file or folder is removed, so nothing half-written is left that looks
complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = [
    "atomic_folder",
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_with",
    "temporary_sibling",
]

#: Prefix of every temporary file or folder the kit creates next to its outputs.
TEMP_PREFIX = ".topickit-tmp-"


def temporary_sibling(path: Path, *, folder: bool = False) -> Path:
    """A new, empty temporary file (or folder) next to ``path``, on the same file system."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{path.name}.", dir=path.parent))
    fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", dir=path.parent)
    os.close(fd)
    return Path(name)


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8", **kw: Any
) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path`` for writing; rename it to ``path`` on success.

    Parameters
    ----------
    path : str or Path
        The final file. Its folder is created if needed.
    mode : {"w", "wb"}, default="w"
    encoding : str or None, default="utf-8"
        For text mode.
    **kw
        Passed to :func:`open` (``newline=""`` for CSV, say).

    Yields
    ------
    file object
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes new files only (mode 'w' or 'wb'), not {mode!r}")
    final = Path(path)
    temp = temporary_sibling(final)
    try:
        options = {} if "b" in mode else {"encoding": encoding, **kw}
        with open(temp, mode, **options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_open(path, "w", encoding=encoding, newline="") as handle:
        handle.write(text)


def atomic_write_with(path: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    """Let ``write(temp_path)`` write a file (a library's own writer), then rename it to ``path``.

    For writers that take a file name rather than a file object, such as
    ``Figure.savefig`` or ``DataFrame.to_parquet``. The temporary name keeps ``path``'s
    suffix, so that writers that choose the format by extension choose the same one.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        prefix=f"{TEMP_PREFIX}{final.stem}.", suffix=final.suffix, dir=final.parent
    )
    os.close(fd)
    temp = Path(name)
    try:
        write(temp)
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Build a folder under a temporary sibling name; rename it to ``path`` when complete.

    ``path`` must not exist yet (a complete folder is never replaced). If the block fails,
    the temporary folder is removed.

    Yields
    ------
    Path
        The temporary folder to write into.

    Raises
    ------
    FileExistsError
        When ``path`` exists already, or appears while the folder is being built.
    """
    final = Path(path)
    if final.exists():
        raise FileExistsError(f"{final} exists already")
    temp = temporary_sibling(final, folder=True)
    try:
        yield temp
        # os.rename onto an existing empty folder would succeed on POSIX: check right before
        if final.exists():
            raise FileExistsError(f"{final} appeared while it was being written")
        os.rename(temp, final)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
