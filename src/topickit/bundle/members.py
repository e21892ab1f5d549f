"""Read every file of a bundle folder or ``.zip`` into memory, refusing unsafe entries.

Nothing here parses content: it only makes sure that what is read is a bounded set of
regular files with safe relative names. A folder entry that is a symbolic link, FIFO,
device or socket is refused (files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and their
type checked on the open descriptor, so a FIFO never blocks); a zip member with ``..``, an
absolute path, a link, encryption or a duplicate name is refused; sizes are limited per kind
of file (:func:`~topickit.bundle.format.member_size_limit`) and in total.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from pathlib import Path

from topickit.bundle import format as fmt
from topickit.exceptions import BundleError

__all__ = ["is_ignored", "read_members"]


def is_ignored(name: str) -> bool:
    """Desktop clutter (``.DS_Store``, ``__MACOSX/``...) that is never read or refused."""
    parts = name.split("/")
    return parts[-1] in fmt.IGNORED_NAMES or parts[0] == "__MACOSX"


def _check_sizes(name: str, size: int, total: int) -> None:
    if size > fmt.MAX_MEMBER_BYTES or (size > fmt.member_size_limit(name) and not is_ignored(name)):
        raise BundleError(f"oversized bundle member: {name} ({size} bytes)")
    if total > fmt.MAX_TOTAL_BYTES:
        raise BundleError(f"bundle is too large to load at {name} ({total} bytes in all)")


def _zip_members(path: Path) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise BundleError(f"{path} is not a readable .zip bundle: {err}") from None
    members: dict[str, bytes] = {}
    total = 0
    with archive:
        infos = archive.infolist()
        if len(infos) > fmt.MAX_MEMBERS:
            raise BundleError(f"{path} has {len(infos)} members; a bundle has at most a few")
        for info in infos:
            name = info.filename.removesuffix("/") if info.is_dir() else info.filename
            if not fmt.is_safe_member_name(name):
                raise BundleError(f"unsafe path in bundle zip: {info.filename!r}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise BundleError(f"refusing symbolic link in bundle zip: {name}")
            if info.is_dir():
                continue
            if name in members:
                raise BundleError(f"duplicate member in bundle zip: {name}")
            if info.flag_bits & 0x1:
                raise BundleError(f"refusing encrypted member in bundle zip: {name}")
            total += info.file_size
            _check_sizes(name, info.file_size, total)
            try:
                with archive.open(info) as handle:
                    data = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as err:
                raise BundleError(f"{path}: cannot read member {name}: {err}") from None
            members[name] = data
    return _strip_top_folder(members)


def _strip_top_folder(members: dict[str, bytes]) -> dict[str, bytes]:
    """Accept a zip of the bundle folder itself (``name/manifest.json``)."""
    if fmt.MANIFEST_NAME in members:
        return members
    tops = {n.split("/", 1)[0] for n in members if not is_ignored(n)}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{fmt.MANIFEST_NAME}" in members:
            prefix = f"{top}/"
            return {n[len(prefix) :]: d for n, d in members.items() if n.startswith(prefix)}
    return members


def _read_regular(file: Path, rel: str, total: int) -> bytes:
    """Bytes of a regular file, opened without following links and without blocking.

    The type is checked on the open descriptor, so a FIFO, device or socket swapped in
    after the folder was listed is refused too, never read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(file, flags)
    except OSError as err:
        raise BundleError(f"cannot open bundle file {rel}: {err.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BundleError(f"refusing non-regular file in bundle: {rel}")
        _check_sizes(rel, info.st_size, total + info.st_size)
        data = handle.read(info.st_size + 1)
    if len(data) != info.st_size:
        raise BundleError(f"bundle file {rel} changed size while it was read")
    return data


def _folder_members(root: Path) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    total = 0
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs + names):
            entry = here / name
            rel = entry.relative_to(root).as_posix()
            if not fmt.is_safe_member_name(rel):
                raise BundleError(f"unsafe file name in bundle: {rel!r}")
            mode = entry.lstat().st_mode
            if stat.S_ISLNK(mode):
                raise BundleError(f"refusing symbolic link in bundle: {rel}")
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise BundleError(f"refusing non-regular file in bundle: {rel}")
        for name in names:
            rel = (here / name).relative_to(root).as_posix()
            members[rel] = _read_regular(here / name, rel, total)
            total += len(members[rel])
        if len(members) > fmt.MAX_MEMBERS:
            raise BundleError(f"{root} has over {fmt.MAX_MEMBERS} files; it is not a bundle")
    return members


def read_members(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every file of a bundle folder or ``.zip`` as ``{relative POSIX path: bytes}``.

    Raises
    ------
    BundleError
        For a missing path, an unsafe zip member (``..``, absolute path, symbolic link,
        encryption, duplicate), a symbolic link or non-regular file in a folder, or an
        oversized member.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise BundleError(f"bundle {path} does not exist") from None
    except OSError as err:
        raise BundleError(f"cannot read bundle {path}: {err.strerror}") from None
    if stat.S_ISDIR(mode):
        return _folder_members(path)
    if not stat.S_ISREG(mode):
        raise BundleError(f"bundle {path} is not a regular file or folder")
    if not zipfile.is_zipfile(path):
        raise BundleError(f"{path} is neither a bundle folder nor a .zip bundle")
    return _zip_members(path)
