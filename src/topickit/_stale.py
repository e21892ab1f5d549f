"""Temporary files and folders that name their owner, and removal of those whose owner died.

Every temporary name topickit creates carries an *owner tag*: the creating process's id and
its start time (``.pid<pid>-<start>.``). A run killed with SIGKILL cannot clean up after itself;
the next run, or ``topickit clean``, removes what it left, but only when it can prove the
owner dead: no process with that id, or one that started at another time (the id was reused).
A folder whose owner is alive, or whose name carries no tag, is never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = [
    "SYSTEM_TEMP_PREFIX",
    "TEMP_PREFIX",
    "ClaimedError",
    "claim",
    "owner_alive",
    "owner_tag",
    "release",
    "remove_stale",
    "stale_paths",
    "system_temp_prefix",
]

#: Prefix of every temporary file or folder topickit creates next to its outputs.
TEMP_PREFIX = ".topickit-tmp-"
#: Prefix of topickit's temporary folders in the system temporary folder (spool files).
SYSTEM_TEMP_PREFIX = "topickit-"

_TAG = re.compile(r"\.pid(\d+)-(\d+)\.")


def _start_time(pid: int) -> int | None:
    """The start time of process ``pid`` in clock ticks after boot (Linux), else None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) may hold spaces and parentheses: split after its last ")"
    return int(stat.rsplit(")", 1)[1].split()[19])


def owner_tag(pid: int | None = None) -> str:
    """``pid<pid>-<start time>`` of this process (or of ``pid``); start time 0 where unknown."""
    pid = os.getpid() if pid is None else pid
    return f"pid{pid}-{_start_time(pid) or 0}"


def system_temp_prefix(job: str) -> str:
    """Prefix of a temporary folder in the system temporary folder, owner tag included."""
    return f"{SYSTEM_TEMP_PREFIX}{job}.{owner_tag()}."


def owner_alive(name: str) -> bool | None:
    """Whether the process tagged in ``name`` still runs; None when ``name`` has no tag.

    Parameters
    ----------
    name : str
        A file or folder name made with :func:`owner_tag` between dots
        (``.topickit-tmp-run.pid1234-5678.x1y2``).
    """
    tags = _TAG.findall(name)
    if not tags:
        return None
    pid, start = (int(v) for v in tags[-1])  # the last tag: the name before it is the target's
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    # with a start time recorded, a process that started at another time reused the pid
    return not (start and _start_time(pid) not in (None, start))


CLAIM_SUFFIX = ".claim"


class ClaimedError(FileExistsError):
    """Another live process has claimed the destination."""


def claim(destination: Path) -> Path:
    """Claim ``destination`` for this process before writing it; return the claim file.

    The claim is a file ``.topickit-tmp-<name>.claim`` next to ``destination``, created
    atomically (``O_EXCL``) and holding this process's owner tag. A claim whose owner is
    provably dead is taken over.

    Raises
    ------
    ClaimedError
        When a live process holds the claim.
    """
    path = destination.parent / f"{TEMP_PREFIX}{destination.name}{CLAIM_SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _claim_owner(path)
            if owner_alive(f".{holder}.") is not False:
                raise ClaimedError(f"{destination} is being written by process {holder}") from None
            path.unlink(missing_ok=True)  # left by a killed run
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(owner_tag())
        return path
    raise ClaimedError(f"{destination}: could not claim it")


def _claim_owner(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def release(claim_path: Path) -> None:
    """Give up a claim made by :func:`claim`."""
    claim_path.unlink(missing_ok=True)


def stale_paths(folder: Path, *, depth: int = 2) -> list[Path]:
    """Temporary files and folders under ``folder`` whose owner is provably dead.

    Parameters
    ----------
    folder : Path
        Searched to ``depth`` levels (a results folder holds ``<experiment>/<run>``).
    depth : int, default=2
    """
    found: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return found
    for entry in entries:
        name = entry.name
        is_temp = name.startswith((TEMP_PREFIX, SYSTEM_TEMP_PREFIX))
        owner = f".{_claim_owner(Path(entry.path))}." if name.endswith(CLAIM_SUFFIX) else name
        if is_temp and owner_alive(owner) is False:
            found.append(Path(entry.path))
        elif depth > 1 and not is_temp and entry.is_dir(follow_symlinks=False):
            found.extend(stale_paths(Path(entry.path), depth=depth - 1))
    return sorted(found)


def remove_stale(*folders: Path, system_temp: bool = True) -> list[Path]:
    """Remove the stale temporary files and folders under ``folders``; return what went.

    Parameters
    ----------
    *folders : Path
    system_temp : bool, default=True
        Also look in the system temporary folder (spool files of killed fits).
    """
    roots = [Path(f) for f in folders]
    if system_temp:
        roots.append(Path(tempfile.gettempdir()))
    removed = []
    for root in roots:
        for path in stale_paths(root, depth=1 if root == Path(tempfile.gettempdir()) else 2):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed
