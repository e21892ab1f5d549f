"""Record the software and machine a run used."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

__all__ = ["describe_environment"]

_PACKAGES = (
    "topickit",
    "gensim",
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "simplemma",
    "pydantic",
)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git_commit(where: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def describe_environment(*, seed: int, config_path: Path | None = None) -> dict:
    """Python, package versions, platform, seed and git commit, as plain data.

    Parameters
    ----------
    seed : int
        The run's base seed.
    config_path : Path, optional
        The config file; its folder is asked for a git commit.

    Returns
    -------
    dict
    """
    where = config_path.resolve().parent if config_path else Path.cwd()
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": {name: _version(name) for name in _PACKAGES},
        "seed": seed,
        "git_commit": _git_commit(where),
        "command": sys.argv,
    }
