"""What a command reads and where it may write: never over a user's file unless asked,
never onto its inputs."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path

from topickit.exceptions import DataError

__all__ = ["check_output_file", "table_options"]


def table_options(args: argparse.Namespace) -> dict[str, str | None]:
    """``load_corpus`` keywords from the table options (``--text-column`` ... ``--encoding``)."""
    names = ("format", "text_column", "id_column", "title_column", "date_column", "encoding")
    return {name: getattr(args, name) for name in names}


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_output_file(out: Path, inputs: Iterable[Path], *, force: bool) -> None:
    """Refuse an output file that would replace a user's file or touch the command's inputs.

    Parameters
    ----------
    out : Path
        The file the command is about to write (atomically).
    inputs : iterable of Path
        Everything the command reads: corpus files or folders, a model bundle, a run folder.
    force : bool
        Replace an existing file at ``out`` (``--force``). Inputs are protected even then.

    Raises
    ------
    DataError
        When ``out`` is one of the inputs or lies inside an input folder, is a folder, or
        exists and ``force`` is false.
    """
    target = Path(os.path.abspath(out))
    for source in inputs:
        source_abs = Path(os.path.abspath(source))
        same = target == source_abs or (
            target.exists() and source_abs.exists() and os.path.samefile(target, source_abs)
        )
        if same:
            raise DataError.at(out, "is one of this command's inputs; choose another --out")
        if source_abs.is_dir() and _inside(target, source_abs):
            raise DataError.at(
                out, f"lies inside the input folder {source}; choose an --out outside it"
            )
    if target.is_dir():
        raise DataError.at(out, "is a folder; --out takes a file name")
    if target.exists() and not force:
        raise DataError.at(out, "exists already; pass --force to replace it")
