"""``topickit infer``: apply a saved model (or a run's best model) to new text."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from topickit._atomic import atomic_open
from topickit.bundle import Bundle, load_bundle
from topickit.corpus import load_corpus
from topickit.exceptions import BundleError, DataError
from topickit.segment import segment

__all__ = ["infer_command", "predict_units", "resolve_model"]


def resolve_model(path: Path, *, level: str | None) -> Path:
    """The bundle to use: ``path`` itself, or the best model of a run folder.

    A run folder is recognised by its ``metrics.json``; its ``best`` entry names the best
    model per level (the one ``summary.md`` names), whose bundle is ``models/<model>_<level>``.

    Raises
    ------
    BundleError
        When ``path`` is neither a bundle nor a run folder with a bundle for ``level``.
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
    best = json.loads(metrics.read_text(encoding="utf-8")).get("best", {})
    if not best:
        raise BundleError.at(metrics, "names no best model", key="best")
    level = level or ("paragraph" if "paragraph" in best else sorted(best)[0])
    if level not in best:
        raise BundleError.at(
            metrics,
            f"no best model at the {level} level; it has: " + ", ".join(sorted(best)),
            key="best",
        )
    bundle = path / "models" / f"{best[level]}_{level}"
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
