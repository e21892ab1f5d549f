"""A run folder that appears complete or not at all.

Everything is written into a temporary sibling of the destination (see
:func:`topickit._atomic.temporary_sibling`), each file itself atomically, and the folder is
renamed into place only when the run has finished. A failed run removes its temporary folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from topickit._atomic import atomic_open, atomic_write_text, atomic_write_with, temporary_sibling
from topickit._stale import ClaimedError, claim, release
from topickit.exceptions import TopickitError

__all__ = ["RunFolder", "new_run_id", "new_run_path"]


def new_run_id(settings: dict) -> str:
    """``<UTC date>-<time>-<first 6 hex digits of the settings' SHA-256>``."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{digest[:6]}"


def new_run_path(root: Path, experiment: str, run_id: str) -> Path:
    """A destination under ``root/experiment/`` that no earlier or concurrent run uses.

    ``run_id`` is used as is when free, otherwise ``run_id-2``, ``run_id-3`` and so on; a
    name another live run has claimed (two runs started in the same second) counts as taken.
    """
    base = root / experiment
    candidate = base / run_id
    n = 2
    while candidate.exists() or _claimed_by_other(candidate):
        candidate = base / f"{run_id}-{n}"
        n += 1
    return candidate


def _claimed_by_other(destination: Path) -> bool:
    try:
        release(claim(destination))
    except ClaimedError:
        return True
    return False


class RunFolder:
    """Write a run's files into a temporary folder, then publish it atomically.

    Parameters
    ----------
    destination : Path
        Where the finished run will live. It must not exist yet (or be an empty folder).

    Raises
    ------
    TopickitError
        When ``destination`` exists and is not an empty folder.

    Examples
    --------
    >>> with RunFolder(Path(tmp) / "run") as folder:  # doctest: +SKIP
    ...     folder.write_json("metrics.json", {"x": 1})
    """

    def __init__(self, destination: Path) -> None:
        destination = Path(destination)
        try:
            self._claim = claim(destination)
        except ClaimedError as err:
            raise TopickitError(f"{err}; choose another --out or wait for it") from None
        if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
            release(self._claim)
            raise TopickitError(f"output folder {destination} already exists and is not empty")
        self.destination = destination
        self.path = temporary_sibling(destination, folder=True)

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.publish()
        else:
            self.discard()

    def file(self, name: str) -> Path:
        """Path of ``name`` inside the temporary folder (parents created)."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write_text(self, name: str, text: str) -> Path:
        """Write a UTF-8 text file, line ends as given."""
        target = self.file(name)
        atomic_write_text(target, text)
        return target

    def write_json(self, name: str, data: Any) -> Path:
        """Write JSON with sorted keys and a trailing newline (byte-stable)."""
        return self.write_text(
            name,
            json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=True) + "\n",
        )

    def write_toml(self, name: str, data: dict) -> Path:
        """Write a TOML file."""
        return self.write_text(name, tomli_w.dumps(data))

    def write_csv(self, name: str, frame: pd.DataFrame) -> Path:
        """Write a CSV without the index, floats at full precision, LF line ends."""
        target = self.file(name)
        with atomic_open(target, "w", newline="") as handle:
            frame.to_csv(handle, index=False, lineterminator="\n")
        return target

    def write_with(self, name: str, write: Callable[[Path], object]) -> Path:
        """Let ``write(path)`` write ``name`` (e.g. a figure saver), atomically."""
        target = self.file(name)
        atomic_write_with(target, write)
        return target

    def publish(self) -> Path:
        """Rename the temporary folder to its destination."""
        if self.destination.exists():
            self.destination.rmdir()  # only an empty folder gets here
        os.chmod(self.path, 0o755)  # mkdtemp makes it private; a run folder is for sharing
        os.replace(self.path, self.destination)
        release(self._claim)
        return self.destination

    def discard(self) -> None:
        """Remove the temporary folder and everything in it, and give up the claim."""
        shutil.rmtree(self.path, ignore_errors=True)
        release(self._claim)
