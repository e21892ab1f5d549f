"""Run an experiment end to end: corpus, units, fits, metrics, tables, figures, summary."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from topickit.corpus import load_corpus
from topickit.evaluation import align_topics, recommend_k, summarise_metrics
from topickit.experiment.config import ExperimentConfig
from topickit.experiment.environment import describe_environment
from topickit.experiment.fit_step import Fit, plan_fits, run_fits
from topickit.experiment.prepare_step import (
    LevelData,
    corpus_fingerprint,
    naive_level,
    prepare_level,
)
from topickit.experiment.run_folder import RunFolder, new_run_path
from topickit.experiment.score_step import METRIC_COLUMNS, holdout_perplexity, score_fits
from topickit.experiment.themes_step import analyse_themes, theme_metric_rows

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
    themes: object | None = None


def _load_articles(config: ExperimentConfig, corpus_path: Path, *, clean: bool) -> pd.DataFrame:
    c = config.corpus
    return load_corpus(
        corpus_path,
        format=None if c.format == "auto" else c.format,
        text_column=c.text_column,
        id_column=c.id_column,
        title_column=c.title_column,
        date_column=c.date_column,
        encoding=c.encoding,
        clean=clean and c.clean,
    )


def _levels(config: ExperimentConfig) -> list[str]:
    levels = list(config.levels)
    for m in config.models:
        for lv in m.levels or []:
            if lv not in levels:
                levels.append(lv)
    return levels


def _prepare(config: ExperimentConfig, corpus_path: Path, articles: pd.DataFrame):
    data: dict[str, LevelData] = {}
    for level in _levels(config):
        data[level] = prepare_level(articles, level, config.preprocess)
    naive = [m for m in config.models if m.preprocess == "naive"]
    if naive:
        raw = _load_articles(config, corpus_path, clean=False)
        for m in naive:
            for level in m.levels or config.levels:
                data.setdefault(f"naive:{level}", naive_level(raw, level))
    return data


def _recommend(config: ExperimentConfig, sweep: pd.DataFrame) -> pd.DataFrame:
    recommended = recommend_k(sweep, metric=config.sweep.select_metric)
    return recommended.sort_values(["model", "level"]).reset_index(drop=True)


def _choose_best(
    config: ExperimentConfig, sweep: pd.DataFrame, final: dict[tuple[str, str], Fit]
) -> dict[str, str]:
    metric = config.sweep.select_metric
    baselines = {m.name for m in config.models if m.baseline}
    best: dict[str, str] = {}
    for level in _levels(config):
        candidates = []
        for (name, lv), fit in final.items():
            if lv != level or name in baselines:
                continue
            row = sweep[
                (sweep.model == name)
                & (sweep.level == lv)
                & (sweep.k == fit.plan.k)
                & (sweep.metric == metric)
            ]
            if len(row):
                candidates.append((float(row["mean"].iloc[0]), name))
        if candidates:
            best[level] = max(candidates, key=lambda c: (c[0], [-ord(ch) for ch in c[1]]))[1]
    return best


def _align(config: ExperimentConfig, final: dict[tuple[str, str], Fit]) -> dict[str, object]:
    out: dict[str, object] = {}
    default_level = "paragraph" if "paragraph" in config.levels else config.levels[0]
    for cmp in config.compare:
        refs = []
        for ref in (cmp.a, cmp.b):
            name, _, level = ref.partition("@")
            refs.append((name, level or cmp.level or default_level))
        fits = [final.get(r) for r in refs]
        if any(f is None for f in fits):
            logger.warning("comparison %s vs %s skipped: a model was not fitted", cmp.a, cmp.b)
            continue
        a, b = fits
        label = f"{refs[0][0]}@{refs[0][1]} vs {refs[1][0]}@{refs[1][1]}"
        out[label] = align_topics(
            a.estimator.components_,
            a.estimator.vocabulary_,
            b.estimator.components_,
            b.estimator.vocabulary_,
            metric=cmp.metric,
        )
    return out


def _run_id(config: ExperimentConfig) -> str:
    digest = hashlib.sha256(json.dumps(config.to_dict(), sort_keys=True).encode()).hexdigest()
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{digest[:6]}"


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
        Show progress bars and step messages.

    Returns
    -------
    RunResult
    """
    from topickit.experiment.tables_step import write_run

    started = time.perf_counter()
    timings: dict[str, float] = {}
    destination = (
        Path(out) if out else new_run_path(Path(results_root), config.name, _run_id(config))
    )
    folder = RunFolder(destination)  # fails early if the destination is taken
    try:
        t = time.perf_counter()
        articles = _load_articles(config, corpus_path, clean=True)
        data = _prepare(config, corpus_path, articles)
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
        metrics = score_fits(fits, data, config.evaluation, n_jobs=config.n_jobs)
        sweep = summarise_metrics(metrics)
        recommended = _recommend(config, sweep)
        chosen = {(r.model, r.level): int(r.k) for r in recommended.itertuples()}
        final = {
            (f.plan.model.name, f.plan.level): f
            for f in fits
            if f.plan.seed == config.seed and chosen.get(f.key[:2]) == f.plan.k
        }
        extra_rows = []
        for (name, level), fit in sorted(final.items()):
            key = f"naive:{level}" if fit.plan.model.preprocess == "naive" else level
            perplexity = holdout_perplexity(fit, data[key], config.evaluation)
            for metric, value in (perplexity or {}).items():
                extra_rows.append(
                    {
                        "model": name,
                        "level": level,
                        "k": fit.plan.k,
                        "seed": fit.plan.seed,
                        "metric": metric,
                        "value": value,
                    }
                )
        if extra_rows:
            metrics = pd.concat(
                [metrics, pd.DataFrame(extra_rows, columns=METRIC_COLUMNS)], ignore_index=True
            )
            metrics["seed"] = metrics["seed"].astype("Int64")
            sweep = summarise_metrics(metrics)
        best = _choose_best(config, sweep, final)
        alignments = _align(config, final)
        timings["evaluate"] = time.perf_counter() - t

        themes = None
        if config.themes is not None:
            t = time.perf_counter()
            themes = analyse_themes(config, config_path=config_path, data=data, final=final)
            rows = theme_metric_rows(themes, final, config.seed)
            metrics = pd.concat(
                [metrics, pd.DataFrame(rows, columns=METRIC_COLUMNS)], ignore_index=True
            )
            metrics["seed"] = metrics["seed"].astype("Int64")
            timings["themes"] = time.perf_counter() - t

        result = RunResult(
            path=destination,
            articles=articles,
            data=data,
            metrics=metrics,
            sweep=sweep,
            recommended=recommended,
            final=final,
            best=best,
            alignments=alignments,
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
        write_run(folder, config, result, environment, timings, progress=progress)
        timings["write"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - started
        environment["timings_seconds"] = {k: round(v, 3) for k, v in timings.items()}
        folder.write_json("environment.json", environment)
    except BaseException:
        folder.discard()
        raise
    folder.publish()
    return result
