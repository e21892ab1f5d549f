"""``topickit clean``: remove what killed runs left behind, when the owner is provably dead."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from topickit._stale import remove_stale, stale_paths

__all__ = ["clean_command", "clean_stale_quietly"]


def clean_command(args: argparse.Namespace) -> int:
    """Remove (or with ``--dry-run`` list) stale temporary files and folders.

    Parameters
    ----------
    args : argparse.Namespace
        ``folders`` (default ``results``) and ``dry_run``.

    Returns
    -------
    int
        0
    """
    folders = [Path(f) for f in args.folders] or [Path("results")]
    if args.dry_run:
        found = [p for folder in folders for p in stale_paths(folder)]
        for path in found:
            print(path)
        print(f"{len(found)} stale temporary item(s) would be removed", file=sys.stderr)
        return 0
    removed = remove_stale(*folders)
    for path in removed:
        print(path)
    print(f"removed {len(removed)} stale temporary item(s)", file=sys.stderr)
    return 0


def clean_stale_quietly(*folders: Path) -> None:
    """Remove stale temporary items under ``folders`` before a run; say so if any."""
    removed = remove_stale(*[f for f in folders if f.is_dir()])
    if removed:
        print(
            f"topickit: removed {len(removed)} temporary item(s) left by killed runs",
            file=sys.stderr,
        )
