"""``topickit infer``: apply a saved model (or a run's best model) to new text."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from topickit._atomic import atomic_open, atomic_write_with
from topickit.bundle import Bundle, load_bundle
from topickit.bundle.screening import parse_json
from topickit.commands.outputs import check_output_file, table_options
from topickit.corpus import load_corpus
from topickit.exceptions import (
    BundleError,
    CorpusWarning,
    DataError,
    InvalidParameterError,
    TopickitError,
)
from topickit.segment import segment

__all__ = [
    "ABSTAINED_THEME",
    "DEFAULT_MIN_COVERAGE",
    "infer_command",
    "output_format",
    "predict_units",
    "resolve_model",
    "units_with_metadata",
    "write_table",
]

#: Units with a smaller share of tokens the model knows abstain (``--min-coverage``).
DEFAULT_MIN_COVERAGE = 0.3
#: The ``theme`` of a unit that abstains.
ABSTAINED_THEME = "none"
#: Top terms of the unit's topic written in ``topic_terms``.
TOPIC_TERMS = 5
#: Article metadata copied onto every unit.
METADATA_COLUMNS = ("title", "date", "source")
#: ``--out`` extension -> table format.
OUTPUT_FORMATS = {".csv": "csv", ".parquet": "parquet"}

#: A run's ``metrics.json`` holds per-model scores: kilobytes; anything this large is not one.
_MAX_METRICS_BYTES = 16 << 20


def _best_models(metrics: Path) -> dict[str, str]:
    """The ``best`` entry of a run's ``metrics.json``: level -> model name."""
    try:
        data = metrics.read_bytes() if metrics.stat().st_size <= _MAX_METRICS_BYTES else None
    except OSError as err:
        raise TopickitError(f"cannot read {metrics}: {err.strerror}") from None
    if data is None:
        raise TopickitError(f"{metrics} is larger than {_MAX_METRICS_BYTES} bytes; not a run's")
    try:
        parsed = parse_json(data, str(metrics))
    except BundleError as err:
        raise TopickitError(str(err)) from None
    best = parsed.get("best") if isinstance(parsed, dict) else None
    if not isinstance(best, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in best.items()
    ):
        raise TopickitError(f"{metrics}: 'best' must map each level to a model name")
    return best


def _bundle_inside(run: Path, level: str, name: str) -> Path:
    """``run/models/<name>_<level>``, refused unless it stays inside ``run``."""
    folder = f"{name}_{level}"
    if not name or "/" in folder or "\\" in folder or "\0" in folder:
        raise TopickitError(
            f"{run}/metrics.json names best {level} model {name!r}, which is not a plain name"
        )
    bundle = run / "models" / folder
    if not bundle.resolve().is_relative_to(run.resolve()):
        raise TopickitError(f"{bundle} leads outside the run folder {run}; refusing to load it")
    return bundle


def resolve_model(path: Path, *, level: str | None) -> Path:
    """The bundle to use: ``path`` itself, or the best model of a run folder.

    A run folder is recognised by its ``metrics.json``; its ``best`` entry names the best
    model per level (the one ``summary.md`` names), whose bundle is ``models/<model>_<level>``.
    Only a bundle inside the run folder is ever used: a name with a path separator or
    ``..``, or a ``models`` entry that links elsewhere, is refused.

    Raises
    ------
    TopickitError
        When ``path`` is neither a bundle nor a run folder with a bundle for ``level``, or
        its ``metrics.json`` is damaged or points outside the run folder.
    """
    if not path.exists():
        raise BundleError.at(path, "does not exist (expected a model bundle or a run folder)")
    if path.is_file() or (path / "manifest.json").is_file():
        return path
    metrics = path / "metrics.json"
    if not metrics.is_file():
        raise BundleError.at(
            path, "neither a model bundle (no manifest.json) nor a run folder (no metrics.json)"
        )
    best = _best_models(metrics)
    if not best:
        raise BundleError.at(metrics, "names no best model", key="best")
    level = level or ("paragraph" if "paragraph" in best else sorted(best)[0])
    if level not in best:
        raise BundleError.at(
            metrics,
            f"no best model at the {level} level; it has: " + ", ".join(sorted(best)),
            key="best",
        )
    bundle = _bundle_inside(path, level, best[level])
    if not bundle.is_dir():
        raise BundleError.at(
            bundle, f"missing, but {metrics} names {best[level]} as the best {level} model"
        )
    return bundle


def output_format(out: Path) -> str:
    """The table format of ``--out``, chosen by its extension: ``"csv"`` or ``"parquet"``.

    Raises
    ------
    DataError
        When the extension is neither ``.csv`` nor ``.parquet`` (the message names it).
    """
    suffix = out.suffix.lower()
    if suffix in OUTPUT_FORMATS:
        return OUTPUT_FORMATS[suffix]
    known = ", ".join(OUTPUT_FORMATS)
    if not out.suffix:
        raise DataError.at(out, f"has no extension; --out takes a file ending in {known}")
    raise DataError.at(out, f"extension {out.suffix!r} is not one of {known}")


def _check_min_coverage(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise InvalidParameterError(f"--min-coverage must be between 0 and 1, got {value:g}")
    return value


def units_with_metadata(articles: pd.DataFrame, level: str) -> pd.DataFrame:
    """The units of ``articles`` at ``level``, each with its article's title, date and source.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`~topickit.segment.segment` plus ``title``, ``date`` and
        ``source``, in segment order.
    """
    units = segment(articles, level)
    meta = articles[["doc_id", *METADATA_COLUMNS]]
    return units.merge(meta, on="doc_id", how="left", validate="many_to_one", sort=False)


def predict_units(
    bundle: Bundle,
    units: pd.DataFrame,
    *,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    n_terms: int = TOPIC_TERMS,
) -> pd.DataFrame:
    """Coverage, themes (when the bundle has a classifier) and topics of each unit.

    A unit whose :meth:`~topickit.bundle.Bundle.coverage` is below ``min_coverage`` is one
    the model cannot read: it abstains, with an empty ``topic``, empty ``topic_terms``, empty
    topic weights and theme scores, and ``theme`` ``"none"``, rather than near-uniform
    weights and an arbitrary theme.

    Parameters
    ----------
    bundle : Bundle
        The loaded model bundle.
    units : pandas.DataFrame
        Columns ``unit_id, doc_id, level, text`` and, when present, ``title, date, source``.
    min_coverage : float, default=0.3
        Units with a smaller share of known tokens abstain.
    n_terms : int, default=5
        Top terms of the unit's topic in ``topic_terms``.

    Returns
    -------
    pandas.DataFrame
        ``unit_id, doc_id, title, date, source, level, text, coverage, theme,
        theme_<name>…, topic, topic_terms, topic_<k>…`` (``title, date, source`` only when
        ``units`` has them; ``theme`` columns only with a theme classifier). ``topic`` is a
        nullable integer.
    """
    texts = units["text"].tolist()
    meta = [c for c in METADATA_COLUMNS if c in units.columns]
    out = units[["unit_id", "doc_id", *meta, "level", "text"]].reset_index(drop=True)
    out.attrs = {}
    weights, coverage = bundle.transform_with_coverage(texts)
    abstain = coverage < min_coverage
    out["coverage"] = coverage
    if bundle.theme_classifier is not None:
        themes = bundle.predict_themes(texts).reset_index(drop=True)
        scores = [c for c in themes.columns if c != "theme"]
        themes.loc[abstain, "theme"] = ABSTAINED_THEME
        themes.loc[abstain, scores] = np.nan
        out = pd.concat([out, themes], axis=1)
    top = np.argmax(weights.to_numpy(), axis=1) if len(weights) else np.zeros(0, dtype=int)
    labels = bundle.topic_labels(n_terms)
    out["topic"] = pd.Series(top, dtype="Int64").mask(abstain)
    out["topic_terms"] = pd.Series(
        [None if skip else labels[k] for k, skip in zip(top, abstain, strict=True)],
        dtype=object,
    )
    weights.loc[abstain, :] = np.nan
    return pd.concat([out, weights], axis=1)


def _load_units(args: argparse.Namespace, level: str) -> pd.DataFrame:
    """The units of every input, with the table options of ``topickit corpus``."""
    frames = []
    with warnings.catch_warnings():
        warnings.simplefilter("always", CorpusWarning)
        for path in args.inputs:
            articles = load_corpus(path, **table_options(args))
            frames.append(units_with_metadata(articles, level))
    units = pd.concat(frames, ignore_index=True)
    duplicated = units.unit_id[units.unit_id.duplicated()]
    if len(duplicated):
        raise DataError(
            f"unit id {duplicated.iloc[0]!r} occurs in more than one input; "
            "give inputs with distinct file names or ids"
        )
    return units


def write_table(table: pd.DataFrame, out: Path, fmt: str) -> None:
    """Write the predictions atomically as CSV or Parquet (``fmt`` from :func:`output_format`)."""
    if fmt == "parquet":
        atomic_write_with(out, lambda temp: table.to_parquet(temp, index=False))
        return
    with atomic_open(out, "w", newline="") as handle:
        table.to_csv(handle, index=False, lineterminator="\n")


def infer_command(args: argparse.Namespace) -> int:
    """Run ``topickit infer`` with parsed arguments; returns the exit status."""
    fmt = output_format(args.out) if args.out else "csv"
    min_coverage = _check_min_coverage(args.min_coverage)
    if args.out:
        check_output_file(args.out, [args.model, *args.inputs], force=args.force)
    bundle_path = resolve_model(args.model, level=args.level)
    bundle = load_bundle(bundle_path)
    level = args.level or bundle.level
    table = predict_units(bundle, _load_units(args, level), min_coverage=min_coverage)
    if args.out:
        write_table(table, args.out, fmt)
        abstained = int(table["topic"].isna().sum())
        print(
            f"wrote {len(table)} {level} predictions with {bundle_path} to {args.out} "
            f"({abstained} below coverage {min_coverage:g}: no topic, theme none)",
            file=sys.stderr,
        )
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
