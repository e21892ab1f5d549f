"""Run an experiment end to end, one step module after the other, into a run folder.

The steps, in order: :mod:`~topickit.experiment.prepare_step` (corpus, units and tokens per
level), :mod:`~topickit.experiment.fit_step` (the K sweep over seeds),
:mod:`~topickit.experiment.score_step` (metrics, recommended K, kept fits, best model,
alignments), :mod:`~topickit.experiment.themes_step` (theme classifiers, topic-to-theme
mapping), then the outputs: :mod:`~topickit.experiment.tables_step`,
:mod:`~topickit.experiment.prevalence_step`, :mod:`~topickit.experiment.bundles_step`,
:mod:`~topickit.experiment.figures_step` and :mod:`~topickit.experiment.summary_step`, all
into a :class:`~topickit.experiment.run_folder.RunFolder`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from topickit.experiment.bundles_step import save_run_bundles
from topickit.experiment.config import ExperimentConfig
from topickit.experiment.environment import describe_environment
from topickit.experiment.figures_step import write_figures
from topickit.experiment.fit_step import Fit, plan_fits, run_fits
from topickit.experiment.prepare_step import (
    LevelData,
    corpus_fingerprint,
    load_articles,
    prepare_levels,
)
from topickit.experiment.prevalence_step import compute_prevalence
from topickit.experiment.run_folder import RunFolder, new_run_id, new_run_path
from topickit.experiment.score_step import append_metric_rows, evaluate
from topickit.experiment.summary_step import write_summary
from topickit.experiment.tables_step import write_tables
from topickit.experiment.themes_step import analyse_themes, theme_metric_rows, write_theme_tables
from topickit.themes.analysis import ThemeAnalysis

__all__ = ["RunResult", "run_experiment"]

logger = logging.getLogger(__name__)


@dataclass
class RunResult:
    """What a finished run produced (the files are in :attr:`path`).

    Attributes
    ----------
    path : Path
        The run folder.
    articles : pandas.DataFrame
        The loaded corpus.
    data : dict of str to LevelData
        Units and tokens per level.
    metrics : pandas.DataFrame
        Tidy metrics of every fit.
    sweep : pandas.DataFrame
        Mean and spread of each metric per model, level and K.
    recommended : pandas.DataFrame
        Recommended K per model and level with the rule used.
    final : dict of (str, str) to Fit
        The fit kept for each model and level (recommended K, base seed).
    best : dict of str to str
        Best model name per level.
    alignments : dict of str to object
        Topic alignments named ``"a vs b"``.
    """

    path: Path
    articles: pd.DataFrame
    data: dict[str, LevelData]
    metrics: pd.DataFrame
    sweep: pd.DataFrame
    recommended: pd.DataFrame
    final: dict[tuple[str, str], Fit]
    best: dict[str, str]
    alignments: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    themes: ThemeAnalysis | None = None


def run_experiment(
    config: ExperimentConfig,
    *,
    corpus_path: Path,
    out: Path | None = None,
    results_root: Path = Path("results"),
    config_path: Path | None = None,
    progress: bool = True,
) -> RunResult:
    """Run an experiment and write its run folder.

    Parameters
    ----------
    config : ExperimentConfig
        Validated config (see :func:`topickit.experiment.load_config`).
    corpus_path : Path
        Resolved corpus path.
    out : Path, optional
        Run folder; by default ``results_root/<name>/<run-id>/``.
    results_root : Path, default=Path("results")
    config_path : Path, optional
        The config file, recorded in the environment description.
    progress : bool, default=True
        Show a progress bar on stderr for every long phase (see
        :mod:`~topickit.experiment.progress`); nothing is printed on stdout, and the
        outputs are the same either way.

    Returns
    -------
    RunResult

    Notes
    -----
    ``environment.json``'s ``timings_seconds`` holds the seconds of each phase: ``load``,
    ``preprocess <level>``, ``prepare`` (both), ``fit``, ``evaluate``, ``themes``, then
    ``write`` and its parts ``write <part>`` (tables, prevalence, theme tables, bundles,
    figures, summary), and ``total``.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    destination = (
        Path(out)
        if out
        else new_run_path(Path(results_root), config.name, new_run_id(config.to_dict()))
    )
    folder = RunFolder(destination)  # fails early if the destination is taken
    try:
        t = time.perf_counter()
        articles = load_articles(config, corpus_path, clean=True, progress=progress)
        timings["load"] = time.perf_counter() - t
        data = prepare_levels(config, corpus_path, articles, progress=progress, timings=timings)
        timings["prepare"] = time.perf_counter() - t

        plans, notes = plan_fits(config, {k: len(v.tokens) for k, v in data.items()})
        t = time.perf_counter()
        fits = list(
            run_fits(
                plans, data, topn=config.outputs.top_terms, progress=progress, n_jobs=config.n_jobs
            )
        )
        timings["fit"] = time.perf_counter() - t

        t = time.perf_counter()
        scored = evaluate(config, fits, data, progress=progress)
        timings["evaluate"] = time.perf_counter() - t

        metrics = scored.metrics
        themes = None
        if config.themes is not None:
            t = time.perf_counter()
            themes = analyse_themes(
                config, config_path=config_path, data=data, final=scored.final, progress=progress
            )
            metrics = append_metric_rows(
                metrics, theme_metric_rows(themes, scored.final, config.seed)
            )
            timings["themes"] = time.perf_counter() - t

        result = RunResult(
            path=destination,
            articles=articles,
            data=data,
            metrics=metrics,
            sweep=scored.sweep,
            recommended=scored.recommended,
            final=scored.final,
            best=scored.best,
            alignments=scored.alignments,
            notes=notes,
            themes=themes,
        )
        t = time.perf_counter()
        environment = describe_environment(seed=config.seed, config_path=config_path)
        environment["corpus"] = {
            "path": str(corpus_path),
            "n_articles": len(articles),
            "fingerprint": corpus_fingerprint(articles),
        }
        _write_outputs(folder, config, result, progress=progress, timings=timings)
        timings["write"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - started
        environment["timings_seconds"] = {k: round(v, 3) for k, v in timings.items()}
        folder.write_json("environment.json", environment)
    except BaseException:
        folder.discard()
        raise
    folder.publish()
    return result


def _write_outputs(
    folder: RunFolder,
    config: ExperimentConfig,
    result: RunResult,
    *,
    progress: bool,
    timings: dict[str, float],
) -> None:
    """Tables, prevalence, theme tables, bundles, figures and the summary, in that order.

    The seconds of each part go to ``timings`` as ``"write <part>"``.
    """
    t = time.perf_counter()

    def lap(part: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[f"write {part}"] = now - t
        t = now

    topics, doc_topics = write_tables(folder, config, result)
    lap("tables")
    prevalence = None
    if config.outputs.prevalence:
        prevalence = compute_prevalence(config, result, doc_topics, progress=progress)
        if prevalence is not None:
            folder.write_csv("prevalence.csv", prevalence.table)
        lap("prevalence")
    themes_table = None
    if result.themes is not None:
        units = result.data[result.themes.level].units
        themes_table = write_theme_tables(folder, result.themes, units)
        lap("theme tables")
    bundles = save_run_bundles(folder, config, result, progress=progress)
    lap("bundles")
    figures = write_figures(
        folder, config, result, topics, doc_topics, prevalence=prevalence, progress=progress
    )
    lap("figures")
    write_summary(
        folder,
        config,
        result,
        figures,
        prevalence=prevalence,
        themes_table=themes_table,
        bundles=bundles,
    )
    lap("summary")
