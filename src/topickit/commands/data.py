"""``topickit data``: fetch public data sets into the local cache and list them."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from topickit.datasets import DATASETS, Dataset, default_cache_dir, fetch_dataset, sha256_file

__all__ = ["data_command", "list_lines"]


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1e6:.1f} MB"


def _status(dataset: Dataset, cache_dir: Path) -> str:
    target = cache_dir / dataset.file_name
    if not target.is_file():
        return f"not fetched (would be {target})"
    if sha256_file(target) != dataset.sha256:
        return f"{target} has the wrong checksum; fetch again with --force"
    return f"cached at {target}"


def list_lines(cache_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Lines printed by ``topickit data list``: each data set with origin, size and terms.

    Parameters
    ----------
    cache_dir : path-like, optional
        Cache folder whose contents are reported (default: the usual cache folder).

    Returns
    -------
    list of str
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    lines: list[str] = []
    for dataset in DATASETS.values():
        lines += [
            f"{dataset.name}: {dataset.description}",
            f"  file: {dataset.file_name} ({_size(dataset.size)}, sha256 {dataset.sha256})",
            f"  from: {dataset.origin} ({dataset.member})",
            f"  license: {dataset.license}",
            f"  status: {_status(dataset, folder)}",
            f'  use: [corpus] path = "dataset:{dataset.name}"',
        ]
    return lines


def data_command(args: argparse.Namespace) -> int:
    """Run ``topickit data fetch|list`` with parsed arguments; returns the exit status."""
    if args.data_command == "list":
        for line in list_lines():
            print(line)
        return 0
    result = fetch_dataset(args.name, cache_dir=args.dir, force=args.force)
    if not result.downloaded:
        print(
            f"{args.name}: already cached with the right checksum (use --force to fetch again)",
            file=sys.stderr,
        )
    else:
        print(f"{args.name}: fetched and verified", file=sys.stderr)
    print(result.path)
    return 0
