"""The ``topickit`` command line: ``corpus``, ``run``, ``infer``, ``data`` and ``clean``.

User mistakes end with one line on stderr and exit status 2; no traceback. This module
imports only the standard library, so that ``topickit --help`` answers at once; each
command's handler imports what it needs.
"""

from __future__ import annotations

import argparse
import errno
import logging
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]

DEFAULT_CONFIG = Path("experiments/default.toml")

#: OS errors that come from the user's paths or disk (reported in one line, exit status 2).
USER_OS_ERRORS = frozenset(
    {
        errno.ENOENT,
        errno.EACCES,
        errno.EPERM,
        errno.EISDIR,
        errno.ENOTDIR,
        errno.EEXIST,
        errno.ENOTEMPTY,
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EROFS,
        errno.ENAMETOOLONG,
        errno.ELOOP,
        errno.EFBIG,
    }
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad options as one line and exit status 2."""

    def error(self, message: str) -> None:  # pragma: no cover - exercised via main
        self.exit(2, f"{self.prog}: error: {message}\n")


def _add_table_options(parser: argparse.ArgumentParser) -> None:
    """The options that say how to read a corpus table (``corpus`` and ``infer``)."""
    parser.add_argument("--text-column")
    parser.add_argument("--id-column")
    parser.add_argument("--title-column")
    parser.add_argument("--date-column")
    parser.add_argument("--format", choices=["text", "csv", "tsv", "jsonl", "parquet"])
    parser.add_argument("--encoding")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="topickit", description="Topic models and themes for news corpora.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    corpus = sub.add_parser("corpus", help="load a corpus, show a summary, write its units")
    corpus.add_argument("path", type=Path, help="folder of .txt/.md files, a text file, or a table")
    corpus.add_argument(
        "--level",
        choices=["article", "paragraph", "sentence"],
        default="paragraph",
        help="unit level (default: paragraph)",
    )
    corpus.add_argument("--out", type=Path, help="write the unit table with tokens to this CSV")
    corpus.add_argument(
        "--force", action="store_true", help="replace an existing --out file (never an input)"
    )
    _add_table_options(corpus)
    corpus.add_argument(
        "--show",
        type=int,
        default=3,
        metavar="N",
        help="print the first N units (default 3; 0 for none)",
    )
    corpus.add_argument(
        "--audit", action="store_true", help="print everything cleaning removed, per article"
    )

    run = sub.add_parser("run", help="run an experiment config end to end")
    run.add_argument(
        "config",
        nargs="?",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"experiment TOML (default: {DEFAULT_CONFIG})",
    )
    run.add_argument("--out", type=Path, help="run folder (default: results/<name>/<run-id>/)")
    run.add_argument("--seed", type=int, help="override the config's seed")
    run.add_argument("--quiet", action="store_true", help="hide progress output")

    infer = sub.add_parser("infer", help="apply a saved model to new text")
    infer.add_argument(
        "model", type=Path, help="a model bundle, or a run folder (its best model is used)"
    )
    infer.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="INPUT",
        help="corpora to label: folders of text files, text files or tables",
    )
    infer.add_argument(
        "--level",
        choices=["article", "paragraph", "sentence"],
        help="unit level (default: the model's own level)",
    )
    infer.add_argument(
        "--out",
        type=Path,
        help="write the predictions to this .csv or .parquet file (default: CSV on stdout)",
    )
    infer.add_argument(
        "--force", action="store_true", help="replace an existing --out file (never an input)"
    )
    infer.add_argument(
        "--min-coverage",
        type=float,
        default=0.3,
        metavar="SHARE",
        help="units with a smaller share of tokens the model knows get no topic and theme "
        "'none' (default 0.3)",
    )
    _add_table_options(infer)

    data = sub.add_parser("data", help="fetch and manage public data sets")
    data_sub = data.add_subparsers(dest="data_command", parser_class=_Parser, required=True)
    fetch = data_sub.add_parser("fetch", help="download a public data set into the cache")
    fetch.add_argument("name", help="data set name (e.g. newsarticles)")
    fetch.add_argument("--dir", type=Path, help="cache folder (default: .cache/topickit)")
    fetch.add_argument("--force", action="store_true", help="download again even if cached")
    data_sub.add_parser("list", help="list the data sets that can be fetched")

    clean = sub.add_parser(
        "clean", help="remove temporary files and folders that killed runs left behind"
    )
    clean.add_argument(
        "folders", nargs="*", type=Path, metavar="FOLDER", help="where to look (default: results)"
    )
    clean.add_argument("--dry-run", action="store_true", help="list them, remove nothing")
    return parser


def _corpus_command(args: argparse.Namespace) -> int:
    from topickit.commands.corpus import corpus_command

    return corpus_command(args)


def _run_command(args: argparse.Namespace) -> int:
    from topickit.exceptions import ConfigError
    from topickit.experiment import load_config, run_experiment

    config_path: Path = args.config
    if not config_path.exists() and config_path == DEFAULT_CONFIG:
        raise ConfigError.at(
            DEFAULT_CONFIG, None, "not found: run from the topickit checkout or pass a CONFIG path"
        )
    config, corpus_path = load_config(config_path, seed=args.seed)
    from topickit.commands.clean import clean_stale_quietly

    clean_stale_quietly(Path("results"), *([args.out.parent] if args.out else []))
    if config.task == "similarity":
        from topickit.experiment import run_similarity

        result = run_similarity(
            config, config_path=config_path, out=args.out, progress=not args.quiet
        )
        print(result.path)
        return 0
    if not args.quiet:
        print(f"running {config.name} on {corpus_path}", file=sys.stderr)
    result = run_experiment(
        config,
        corpus_path=corpus_path,
        out=args.out,
        config_path=config_path,
        progress=not args.quiet,
    )
    print(result.path)
    return 0


def _infer_command(args: argparse.Namespace) -> int:
    from topickit.commands.infer import infer_command

    return infer_command(args)


def _data_command(args: argparse.Namespace) -> int:
    from topickit.commands.data import data_command

    return data_command(args)


def _clean_command(args: argparse.Namespace) -> int:
    from topickit.commands.clean import clean_command

    return clean_command(args)


def _os_error_line(err: OSError) -> str:
    """One line for an OS error on a user's path: ``<path>: <reason>`` (both paths for a move)."""
    reason = err.strerror or str(err)
    paths = [str(p) for p in (err.filename, err.filename2) if p is not None]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"topickit: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``topickit`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 for a user mistake (a :class:`~topickit.TopickitError`,
        or an OS error on a user's path such as a missing file, no permission or a full
        disk), 130 when interrupted with Ctrl-C, 128 + the signal's number when ended by
        SIGTERM or SIGHUP.
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from topickit._version import __version__

        print(__version__)
        return 0
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="topickit: %(message)s")
    warnings.showwarning = _show_warning
    handlers = {
        "corpus": _corpus_command,
        "run": _run_command,
        "data": _data_command,
        "infer": _infer_command,
        "clean": _clean_command,
    }
    from topickit._signals import Terminated, signals_raise  # standard library only
    from topickit.exceptions import TopickitError

    try:
        with signals_raise():
            return handlers[args.command](args)
    except TopickitError as err:
        print(f"topickit: error: {_one_line(str(err))}", file=sys.stderr)
        return 2
    except Terminated as stop:
        print(f"topickit: {stop}; temporary files removed", file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:
        print("topickit: interrupted; temporary files removed", file=sys.stderr)
        return 130
    except OSError as err:
        if err.errno not in USER_OS_ERRORS:
            raise
        print(f"topickit: error: {_one_line(_os_error_line(err))}", file=sys.stderr)
        return 2


def _one_line(text: str) -> str:
    """``text`` on one line (a message quoting a file's content may hold newlines)."""
    return " ".join(text.splitlines()).strip()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
