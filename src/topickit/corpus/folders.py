"""Find and read the text files of a corpus folder without ever hanging or crashing.

Listing rules
-------------
* Folders are walked recursively with :func:`os.scandir`; names starting with ``"."`` are
  ignored, and so are files whose suffix is not ``.txt`` or ``.md``.
* A sub-folder that cannot be listed (permissions, path too long) is skipped.
* Symbolic links to regular files are read. A link to a folder is not followed (so a
  link back to a parent cannot loop), and a dangling or looping link is skipped.
* A ``.txt``/``.md`` name that is not a regular file (named pipe, device, socket) is
  skipped after a :func:`os.stat`; it is never opened, so a FIFO without a writer cannot
  block the load.

Every skip gives a :class:`~topickit.exceptions.CorpusWarning` naming the path and a call
``on_skip(source, reason)``, so the loader's skipped record lists it.

File names
----------
Names that are not valid UTF-8 (on POSIX Python keeps their bytes as surrogate escapes) are
read under their real name, but their ``source`` and ``doc_id`` show each undecodable byte
as a ``\\xNN`` escape (``b"caf\\xe9.txt"`` -> ``"caf\\\\xe9.txt"``), with a warning; see
:func:`printable_path`.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import warnings
from pathlib import Path

from topickit.cleaning.metadata import strip_date_header
from topickit.cleaning.types import CleanedText
from topickit.corpus.article import SkipCallback
from topickit.corpus.encoding import decode_bytes
from topickit.exceptions import CorpusError, CorpusWarning

__all__ = [
    "TEXT_SUFFIXES",
    "list_text_files",
    "printable_path",
    "read_text_file",
    "text_sources",
    "warn_unknown_header_date",
]

logger = logging.getLogger(__name__)


#: File suffixes read as plain-text articles.
TEXT_SUFFIXES = (".txt", ".md")

# Opening with O_NONBLOCK returns at once even for a FIFO that has no writer; the
# descriptor is then checked with fstat before anything is read.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _ignore_skip(source: str, reason: str) -> None:
    """Default ``on_skip``: the warning is enough."""


def printable_path(text: str) -> str:
    """``text`` with the undecodable bytes of a file name written as ``\\xNN`` escapes.

    Parameters
    ----------
    text : str
        A path as Python gives it, possibly with surrogate escapes (PEP 383).

    Returns
    -------
    str
        ``text`` unchanged when it is valid Unicode; otherwise its file-system bytes
        decoded as UTF-8 with each undecodable byte shown as ``\\xNN``.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _skip(source: str, reason: str, on_skip: SkipCallback) -> None:
    message = f"{source}: skipped ({reason})"
    warnings.warn(message, CorpusWarning, stacklevel=3)
    logger.info(message)
    on_skip(source, reason)


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "character device"
    if stat.S_ISBLK(mode):
        return "block device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special file"


def _classify(entry: os.DirEntry[str]) -> tuple[str, str]:
    """``("folder"|"file"|"ignore"|"skip", reason)`` for one folder entry, without opening it."""
    is_text = Path(entry.name).suffix.lower() in TEXT_SUFFIXES
    try:
        is_link = entry.is_symlink()
        if not is_link and entry.is_dir(follow_symlinks=False):
            return "folder", ""
        if is_link:
            try:
                mode = os.stat(entry.path).st_mode
            except OSError as exc:
                if not is_text:
                    return "ignore", ""
                return "skip", f"broken symbolic link ({_reason(exc)})"
            if stat.S_ISDIR(mode):
                return "skip", "symbolic link to a folder; not followed"
        elif not is_text:
            return "ignore", ""
        else:
            mode = entry.stat(follow_symlinks=False).st_mode
    except OSError as exc:
        return ("skip", f"cannot be inspected ({_reason(exc)})") if is_text else ("ignore", "")
    if not is_text:
        return "ignore", ""
    if not stat.S_ISREG(mode):
        return "skip", f"not a regular file: {_special_kind(mode)}"
    return "file", ""


def list_text_files(root: Path, on_skip: SkipCallback = _ignore_skip) -> list[Path]:
    """All ``.txt``/``.md`` files under ``root``, recursively, sorted by relative path.

    Parameters
    ----------
    root : Path
        The corpus folder.
    on_skip : callable, default ignore
        Called as ``on_skip(source, reason)`` for each skipped entry (after a
        :class:`~topickit.exceptions.CorpusWarning`); ``source`` is the printable path
        relative to ``root``, with a trailing ``"/"`` for folders.

    Returns
    -------
    list of Path
        The regular text files (or links to them), as the OS names them.

    Raises
    ------
    CorpusError
        If ``root`` itself cannot be listed.
    """
    found: list[tuple[str, Path]] = []
    skipped: list[tuple[str, str]] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as entries:
                listing = list(entries)
        except OSError as exc:
            if folder == root:
                raise CorpusError(
                    f"{printable_path(str(root))}: folder cannot be listed ({_reason(exc)})"
                ) from None
            relfolder = folder.relative_to(root).as_posix()
            skipped.append((f"{relfolder}/", f"folder cannot be listed ({_reason(exc)})"))
            continue
        for entry in listing:
            if entry.name.startswith("."):
                continue
            full = folder / entry.name
            relpath = full.relative_to(root).as_posix()
            kind, reason = _classify(entry)
            if kind == "folder":
                pending.append(full)
            elif kind == "file":
                found.append((relpath, full))
            elif kind == "skip":
                skipped.append((relpath, reason))
    for relpath, reason in sorted(skipped):
        _skip(printable_path(relpath), reason, on_skip)
    found.sort(key=lambda item: item[0])
    return [full for _, full in found]


def text_sources(root: Path, files: list[Path]) -> list[str]:
    """The printable ``source`` of each file: its path relative to ``root`` (a folder).

    For a single file (``root`` is the file) it is the file name. A name that is not valid
    UTF-8 gets ``\\xNN`` escapes (see :func:`printable_path`) and a
    :class:`~topickit.exceptions.CorpusWarning`.
    """
    single = not root.is_dir()
    sources = []
    for file in files:
        name = file.name if single else file.relative_to(root).as_posix()
        source = printable_path(name)
        if source != name:
            warnings.warn(
                f"{source}: file name is not valid UTF-8; its source and doc_id show "
                "the undecodable bytes as \\xNN escapes",
                CorpusWarning,
                stacklevel=3,
            )
        sources.append(source)
    return sources


def _read_regular(path: Path) -> bytes | str:
    """The bytes of ``path``, or the reason it is not a regular file (nothing read then)."""
    fd = os.open(path, _OPEN_FLAGS)
    with open(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            return f"not a regular file: {_special_kind(mode)}"
        return fh.read()


def read_text_file(
    path: Path,
    *,
    source: str,
    encoding: str | None,
    on_skip: SkipCallback,
    in_folder: bool = False,
) -> str | None:
    """Read and decode one text file; ``None`` (after warning and ``on_skip``) when unusable.

    Parameters
    ----------
    path : Path
        The file, as the OS names it.
    source : str
        Its printable name for messages and the skipped record.
    encoding : str or None
        Codec, or ``None`` to detect it (see :mod:`topickit.corpus.encoding`).
    on_skip : callable
        Called as ``on_skip(source, reason)`` when the file is skipped.
    in_folder : bool, default False
        The file was found by listing a folder: a file that cannot be opened (permissions,
        path too long) or is not a regular file is skipped rather than an error.

    Raises
    ------
    CorpusError
        When ``in_folder`` is false and the file cannot be opened or is not a regular file,
        or when ``encoding`` cannot decode it.
    """
    try:
        data = _read_regular(path)
    except OSError as exc:
        reason = "path too long" if exc.errno == errno.ENAMETOOLONG else _reason(exc)
        if not in_folder:
            raise CorpusError(f"{source}: cannot be read ({reason})") from None
        _skip(source, f"cannot be read ({reason})", on_skip)
        return None
    if isinstance(data, str):
        if not in_folder:
            raise CorpusError(f"{source}: cannot be read ({data})")
        _skip(source, data, on_skip)
        return None
    text, detail = decode_bytes(data, source=source, encoding=encoding)
    if text is None:
        _skip(source, detail, on_skip)
    return text


def warn_unknown_header_date(source: str, cleaned: CleanedText) -> None:
    """Warn when a text file's ``date`` header was removed but gives no usable date.

    Parameters
    ----------
    source : str
        The file, for the message.
    cleaned : CleanedText
        The file's cleaned text; its ``date`` stays ``None`` (unknown).
    """
    if cleaned.date is not None:
        return
    for removal in cleaned.removals:
        if removal.rule == "date_header" and strip_date_header(removal.text)[2] is None:
            warnings.warn(
                f"{source}: date header {removal.text!r} (line {removal.line}) is not a "
                "date from 1900 to 2100; the date is left unknown",
                CorpusWarning,
                stacklevel=3,
            )
            return
