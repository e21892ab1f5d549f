"""Atomic writes: every file and folder topickit writes appears whole or not at all.

A file is written to a temporary sibling in the same folder, flushed to disk and renamed over
its final name (:func:`os.replace`, atomic on POSIX and Windows). A folder is built under a
temporary sibling name and renamed into place when complete. On any failure, including
Ctrl-C, the temporary file or folder is removed, so nothing half-written is left that looks
complete.

Files and folders get the permissions a plain :func:`open` or :func:`os.mkdir` would give
(``0o666`` or ``0o777`` less the umask), not the private ``0o600``/``0o700`` of
:mod:`tempfile`. An :class:`OSError` raised while writing (a full disk, say) names the final
path, not the temporary one.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from topickit._stale import TEMP_PREFIX, owner_tag

__all__ = [
    "atomic_folder",
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "atomic_write_with",
    "temporary_sibling",
]


@functools.cache
def _umask() -> int:
    """The process umask (read once; Linux reports it in /proc without changing it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temporary_sibling(path: Path, *, folder: bool = False, suffix: str = "") -> Path:
    """A new, empty temporary file (or folder) next to ``path``, on the same file system.

    Parameters
    ----------
    path : Path
        The final file or folder; its parent is created if needed.
    folder : bool, default=False
        Make a folder rather than a file.
    suffix : str, default=""
        End of the temporary name (a writer that picks the format by extension needs it).

    Returns
    -------
    Path
        Named ``.topickit-tmp-<name>.<random><suffix>``, with the usual permissions.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = f"{TEMP_PREFIX}{path.name}.{owner_tag()}."
    try:
        if folder:
            temp = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=path.parent))
            os.chmod(temp, 0o777 & ~_umask())
            return temp
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
        os.close(fd)
        os.chmod(name, 0o666 & ~_umask())
        return Path(name)
    except OSError as err:
        # the random temporary name means nothing to the user: name the output instead
        if err.filename is not None and Path(err.filename).name.startswith(TEMP_PREFIX):
            err.filename = str(path)
        raise


def _name_final(err: BaseException, temp: Path, final: Path) -> None:
    """Let an OS error name the final path rather than the temporary one (or none)."""
    if not isinstance(err, OSError) or err.errno is None:
        return  # not a system call's error (a message of its own): nothing to rename
    if err.filename is not None and str(err.filename) != str(temp):
        return  # already names a path of its own
    err.filename = str(final)
    if err.filename2 is not None and str(err.filename2) == str(final):
        err.filename2 = None  # a failed rename of temp onto final names final once


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
    except BaseException as err:
        temp.unlink(missing_ok=True)
        _name_final(err, temp, final)
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
    temp = temporary_sibling(final, suffix=final.suffix)
    try:
        write(temp)
        os.replace(temp, final)
    except BaseException as err:
        temp.unlink(missing_ok=True)
        _name_final(err, temp, final)
        raise


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str], *, replace: bool = False) -> Iterator[Path]:
    """Build a folder under a temporary sibling name; rename it to ``path`` when complete.

    By default ``path`` must not exist yet (a complete folder is never replaced). If the
    block fails, the temporary folder is removed.

    Parameters
    ----------
    path : str or Path
        The final folder. Its parent is created if needed.
    replace : bool, default=False
        Replace an existing folder at ``path``: the old one is moved aside just before the
        new one is renamed into place, and removed afterwards (put back if that rename
        fails). The caller decides whether the old folder may be replaced.

    Yields
    ------
    Path
        The temporary folder to write into.

    Raises
    ------
    FileExistsError
        When ``path`` exists already (and ``replace`` is false), or appears while the folder
        is being built.
    """
    final = Path(path)
    if os.path.lexists(final) and not replace:
        raise FileExistsError(errno.EEXIST, "exists already", str(final))
    temp = temporary_sibling(final, folder=True)
    try:
        yield temp
        if replace and os.path.lexists(final):
            _swap_in(temp, final)
            return
        # os.rename onto an existing empty folder would succeed on POSIX: check right before
        if os.path.lexists(final):
            raise FileExistsError(errno.EEXIST, "appeared while it was being written", str(final))
        os.rename(temp, final)
    except BaseException as err:
        shutil.rmtree(temp, ignore_errors=True)
        _name_final(err, temp, final)
        raise


def _swap_in(temp: Path, final: Path) -> None:
    """Move ``final`` aside, rename ``temp`` to ``final``, then delete the old folder."""
    aside = temporary_sibling(final, folder=True, suffix=".old")
    old = aside / final.name
    try:
        os.rename(final, old)
        try:
            os.rename(temp, final)
        except BaseException:
            os.rename(old, final)
            raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)
