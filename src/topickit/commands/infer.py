"""``topickit infer``: apply a saved model (or a run's best model) to new text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from topickit._atomic import atomic_open
from topickit.bundle import Bundle, load_bundle
from topickit.bundle.screening import parse_json
from topickit.commands.outputs import check_output_file
from topickit.corpus import load_corpus
from topickit.exceptions import BundleError, DataError, TopickitError
from topickit.segment import segment

__all__ = ["infer_command", "predict_units", "resolve_model"]

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


def predict_units(bundle: Bundle, units: pd.DataFrame) -> pd.DataFrame:
    """Topic weights and (when the bundle has a classifier) themes of each unit.

    Returns
    -------
    pandas.DataFrame
        ``unit_id, doc_id, level, text, theme, theme_<name>…, topic, topic_<k>…``.
    """
    texts = units["text"].tolist()
    out = units[["unit_id", "doc_id", "level", "text"]].reset_index(drop=True)
    if bundle.theme_classifier is not None:
        themes = bundle.predict_themes(texts).reset_index(drop=True)
        out = pd.concat([out, themes], axis=1)
    weights = bundle.transform(texts).reset_index(drop=True)
    out["topic"] = np.argmax(weights.to_numpy(), axis=1) if len(weights) else []
    return pd.concat([out, weights], axis=1)


def infer_command(args: argparse.Namespace) -> int:
    """Run ``topickit infer`` with parsed arguments; returns the exit status."""
    if args.out:
        check_output_file(args.out, [args.model, *args.inputs], force=args.force)
    bundle_path = resolve_model(args.model, level=args.level)
    bundle = load_bundle(bundle_path)
    level = args.level or bundle.level
    frames = []
    for path in args.inputs:
        frames.append(segment(load_corpus(path), level))
    units = pd.concat(frames, ignore_index=True)
    duplicated = units.unit_id[units.unit_id.duplicated()]
    if len(duplicated):
        raise DataError(
            f"unit id {duplicated.iloc[0]!r} occurs in more than one input; "
            "give inputs with distinct file names or ids"
        )
    table = predict_units(bundle, units)
    if args.out:
        with atomic_open(args.out, "w", newline="") as out:
            table.to_csv(out, index=False, lineterminator="\n")
        print(
            f"wrote {len(table)} {level} predictions with {bundle_path} to {args.out}",
            file=sys.stderr,
        )
    else:
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0
