"""A run folder that appears complete or not at all.

Everything is written into a hidden temporary folder next to the destination, which is
renamed into place only when the run has finished. A failed run removes its temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from topickit.exceptions import TopickitError

__all__ = ["RunFolder", "new_run_path"]


def new_run_path(root: Path, experiment: str, run_id: str) -> Path:
    """A destination under ``root/experiment/`` that no earlier run uses.

    ``run_id`` is used as is when free, otherwise ``run_id-2``, ``run_id-3`` and so on.
    """
    base = root / experiment
    candidate = base / run_id
    n = 2
    while candidate.exists():
        candidate = base / f"{run_id}-{n}"
        n += 1
    return candidate


class RunFolder:
    """Write a run's files into a temporary folder, then publish it atomically.

    Parameters
    ----------
    destination : Path
        Where the finished run will live. It must not exist yet (or be an empty folder).

    Examples
    --------
    >>> with RunFolder(Path(tmp) / "run") as folder:  # doctest: +SKIP
    ...     folder.write_json("metrics.json", {"x": 1})
    """

    def __init__(self, destination: Path) -> None:
        destination = Path(destination)
        if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
            raise TopickitError(f"output folder {destination} already exists and is not empty")
        self.destination = destination
        self.destination.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(
            tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
        )

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
        """Write a UTF-8 text file."""
        target = self.file(name)
        target.write_text(text, encoding="utf-8")
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
        frame.to_csv(target, index=False, lineterminator="\n")
        return target

    def publish(self) -> Path:
        """Rename the temporary folder to its destination."""
        if self.destination.exists():
            self.destination.rmdir()  # only an empty folder gets here
        os.chmod(self.path, 0o755)  # mkdtemp makes it private; a run folder is for sharing
        os.replace(self.path, self.destination)
        return self.destination

    def discard(self) -> None:
        """Remove the temporary folder and everything in it."""
        shutil.rmtree(self.path, ignore_errors=True)
