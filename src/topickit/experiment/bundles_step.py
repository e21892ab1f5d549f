"""Step 7 of a run: save every kept model as a safe bundle under ``models/``."""

from __future__ import annotations

import logging

from topickit.bundle import save_bundle
from topickit.experiment.config import ExperimentConfig
from topickit.experiment.prepare_step import corpus_fingerprint
from topickit.experiment.progress import progress as progress_over

__all__ = ["bundle_name", "save_run_bundles"]

logger = logging.getLogger(__name__)


def bundle_name(model: str, level: str) -> str:
    """Folder name of a model's bundle inside ``models/``."""
    return f"{model}_{level}"


def save_run_bundles(
    folder, config: ExperimentConfig, result, *, progress: bool = False
) -> dict[tuple[str, str], str]:
    """Write one bundle per kept model (the naive baseline has no pipeline and is skipped).

    With ``progress``, a bar on stderr counts the kept models.

    Returns
    -------
    dict of (str, str) to str
        ``(model, level)`` to the bundle's path relative to the run folder.
    """
    themes = result.themes
    fingerprint = corpus_fingerprint(result.articles)
    saved = {}
    resolved = config.to_dict()
    for (name, level), fit in progress_over(
        sorted(result.final.items()), "saving bundles", enabled=progress, unit="model"
    ):
        data = result.data[level]
        if fit.plan.model.preprocess == "naive" or data.pipeline is None:
            continue
        rows = result.sweep[
            (result.sweep.model == name)
            & (result.sweep.level == level)
            & (result.sweep.k == fit.plan.k)
        ]
        metrics = {r.metric: r.mean for r in rows.itertuples()}
        relative = f"models/{bundle_name(name, level)}"
        save_bundle(
            folder.file(relative),
            pipeline=data.pipeline,
            model=fit.estimator,
            level=level,
            config={
                "preprocess": resolved["preprocess"],
                "model": {
                    **resolved["models"][_model_index(config, name)],
                    "k": fit.plan.k,
                    "seed": fit.plan.seed,
                },
                "experiment": config.name,
            },
            corpus={
                "fingerprint": fingerprint,
                "n_articles": len(result.articles),
                "n_units": len(data.units),
            },
            metrics=metrics,
            codebook=themes.codebook if themes is not None else None,
            theme_classifier=themes.classifier if themes is not None else None,
        )
        saved[(name, level)] = relative
    return saved


def _model_index(config: ExperimentConfig, name: str) -> int:
    return next(i for i, m in enumerate(config.models) if m.name == name)
