"""Step 3 of a run: score every fit, recommend K, keep one fit per model and level.

The tidy metrics table (coherence, diversity, silhouette, cross-seed stability and held-out
perplexity), the per-K summary, the fit kept for each model and level, the best model of
each level and the topic alignments the config asks for.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfTransformer

from topickit._workers import run_jobs
from topickit.evaluation import (
    CoherenceScorer,
    align_topics,
    recommend_k,
    silhouette,
    summarise_metrics,
    topic_diversity,
    topic_stability,
)
from topickit.experiment.config import EvaluationConfig, ExperimentConfig
from topickit.experiment.fit_step import Fit
from topickit.experiment.prepare_step import LevelData, level_key, run_levels
from topickit.experiment.progress import progress as progress_over

__all__ = [
    "METRIC_COLUMNS",
    "Evaluation",
    "append_metric_rows",
    "evaluate",
    "holdout_perplexity",
    "score_fits",
]

logger = logging.getLogger(__name__)

#: Columns of the tidy metrics table.
METRIC_COLUMNS = ["model", "level", "k", "seed", "metric", "value"]


def _data_key(fit: Fit) -> str:
    return level_key(fit.plan.model, fit.plan.level)


def _coherence_job(
    job: tuple[str, str], *, by_data: dict[str, list[Fit]], data: dict[str, LevelData], topn: int
) -> list[float]:
    """Mean coherence of every fit of one level under one measure.

    Seeds often give the very same topic (NMF's start ignores the seed), so each distinct
    topic is scored once and the per-fit means are taken over those scores, NaN left out.
    """
    key, measure = job
    fits = by_data[key]
    topic_lists = [[tuple(terms) for terms in f.top_terms(topn)] for f in fits]
    unique = list(dict.fromkeys(t for topics in topic_lists for t in topics))
    scorer = CoherenceScorer(data[key].tokens, measures=(measure,), topn=topn)
    per_topic = scorer.score([list(t) for t in unique])[measure].per_topic
    score_of = dict(zip(unique, per_topic, strict=True))
    means = []
    for topics in topic_lists:
        finite = [score_of[t] for t in topics if not math.isnan(score_of[t])]
        means.append(float(np.mean(finite)) if finite else math.nan)
    return means


def score_fits(
    fits: Sequence[Fit],
    data: dict[str, LevelData],
    options: EvaluationConfig,
    *,
    n_jobs: int = 1,
    progress: bool = False,
) -> pd.DataFrame:
    """Coherence, diversity, silhouette and cross-seed stability for every fit.

    Coherence is measured over each level's own unit tokens; the reference co-occurrence
    statistics are computed once per level for all models together.

    Parameters
    ----------
    fits : sequence of Fit
    data : dict of str to LevelData
    options : EvaluationConfig
    n_jobs : int, default=1
        Worker processes; each (level, measure) pair is one job.
    progress : bool, default=False
        Show a bar on stderr over the coherence jobs.

    Returns
    -------
    pandas.DataFrame
        Tidy rows ``model, level, k, seed, metric, value``; stability rows have ``seed``
        missing because they compare seeds.
    """
    rows: list[dict] = []
    by_data: dict[str, list[Fit]] = defaultdict(list)
    for fit in fits:
        by_data[_data_key(fit)].append(fit)
    # Longest first (c_v's sliding windows over the most tokens), so both workers end together.
    cost = {"c_v": 3, "c_npmi": 2, "u_mass": 1}
    jobs = sorted(
        ((key, measure) for key in by_data for measure in options.coherence),
        key=lambda job: (-cost.get(job[1], 1) * sum(map(len, data[job[0]].tokens.docs)), job),
    )
    task = partial(_coherence_job, by_data=by_data, data=data, topn=options.topn)
    scores: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    done = progress_over(
        run_jobs(task, jobs, n_jobs=n_jobs),
        "scoring coherence",
        enabled=progress,
        total=len(jobs),
        unit="measure",
    )
    for (key, measure), means in zip(jobs, done, strict=True):
        for i, value in enumerate(means):
            scores[(key, i)][measure] = value
    for key, group in by_data.items():
        tfidf = _tfidf(data[key]) if options.silhouette else None
        for i, fit in enumerate(group):
            name, level, k, seed = fit.key
            base = {"model": name, "level": level, "k": k, "seed": seed}
            for measure in options.coherence:
                rows.append({**base, "metric": measure, "value": scores[(key, i)][measure]})
            rows.append(
                {
                    **base,
                    "metric": "topic_diversity",
                    "value": topic_diversity(fit.top_terms(options.topn), topn=options.topn),
                }
            )
            if tfidf is not None:
                labels = np.argmax(fit.doc_topic, axis=1)
                rows.append(
                    {
                        **base,
                        "metric": "silhouette",
                        "value": silhouette(tfidf, labels, metric="cosine"),
                    }
                )
    if options.stability:
        runs: dict[tuple, list[Fit]] = defaultdict(list)
        for fit in fits:
            name, level, k, _ = fit.key
            runs[(name, level, k)].append(fit)
        for (name, level, k), group in runs.items():
            if len(group) < 2:
                continue
            value = topic_stability([f.top_terms(options.topn) for f in group], topn=options.topn)
            rows.append(
                {
                    "model": name,
                    "level": level,
                    "k": k,
                    "seed": pd.NA,
                    "metric": "stability",
                    "value": value,
                }
            )
    table = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    table["seed"] = table["seed"].astype("Int64")
    table["k"] = table["k"].astype(int)
    return table


def _tfidf(level_data: LevelData):
    counts = level_data.tokens.counts
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts)


def holdout_perplexity(
    fit: Fit, level_data: LevelData, options: EvaluationConfig
) -> dict[str, float] | None:
    """Per-word bound and perplexity of an LDA model on held-out units.

    The model is refitted with the same parameters on a seeded split of the units; the
    held-out share is ``options.holdout``. Returns ``None`` when the model has no
    perplexity or the level has fewer than ``options.min_holdout_units`` units.
    """
    estimator = fit.estimator
    if not hasattr(estimator, "log_perplexity") or options.holdout <= 0:
        return None
    n = len(level_data.tokens)
    if n < options.min_holdout_units:
        return None
    rng = np.random.default_rng(fit.plan.seed)
    order = rng.permutation(n)
    n_test = max(1, round(n * options.holdout))
    test, train = sorted(order[:n_test]), sorted(order[n_test:])
    docs = level_data.tokens.docs
    train_corpus = level_data.tokens.with_docs([docs[i] for i in train])
    test_corpus = level_data.tokens.with_docs([docs[i] for i in test])
    model = type(estimator)(**estimator.get_params()).fit(train_corpus)
    bound = float(model.log_perplexity(test_corpus))
    return {
        "heldout_log_perplexity": bound,
        "heldout_perplexity": float(model.perplexity(test_corpus)),
    }


@dataclass
class Evaluation:
    """What scoring the fits of a run gives (see :class:`~topickit.experiment.RunResult`)."""

    metrics: pd.DataFrame
    sweep: pd.DataFrame
    recommended: pd.DataFrame
    final: dict[tuple[str, str], Fit]
    best: dict[str, str]
    alignments: dict[str, object] = field(default_factory=dict)


def append_metric_rows(metrics: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    """``metrics`` with tidy ``rows`` appended (``seed`` kept a nullable integer)."""
    metrics = pd.concat([metrics, pd.DataFrame(rows, columns=METRIC_COLUMNS)], ignore_index=True)
    metrics["seed"] = metrics["seed"].astype("Int64")
    return metrics


def evaluate(
    config: ExperimentConfig,
    fits: Sequence[Fit],
    data: dict[str, LevelData],
    *,
    progress: bool = False,
) -> Evaluation:
    """Score the fits, recommend K, keep the base-seed fit at it, pick and align the best.

    Held-out perplexity is measured for the kept fits only (it refits each model). With
    ``progress``, bars on stderr follow the coherence jobs and the held-out refits.
    """
    metrics = score_fits(fits, data, config.evaluation, n_jobs=config.n_jobs, progress=progress)
    sweep = summarise_metrics(metrics)
    recommended = recommend_k(sweep, metric=config.sweep.select_metric)
    recommended = recommended.sort_values(["model", "level"]).reset_index(drop=True)
    chosen = {(r.model, r.level): int(r.k) for r in recommended.itertuples()}
    final = {
        (f.plan.model.name, f.plan.level): f
        for f in fits
        if f.plan.seed == config.seed and chosen.get(f.key[:2]) == f.plan.k
    }
    extra_rows = []
    for (name, level), fit in progress_over(
        sorted(final.items()), "held-out perplexity", enabled=progress, unit="model"
    ):
        perplexity = holdout_perplexity(fit, data[_data_key(fit)], config.evaluation)
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
        metrics = append_metric_rows(metrics, extra_rows)
        sweep = summarise_metrics(metrics)
    best = _choose_best(config, sweep, final)
    return Evaluation(metrics, sweep, recommended, final, best, _align(config, final))


def _choose_best(
    config: ExperimentConfig, sweep: pd.DataFrame, final: dict[tuple[str, str], Fit]
) -> dict[str, str]:
    metric = config.sweep.select_metric
    baselines = {m.name for m in config.models if m.baseline}
    best: dict[str, str] = {}
    for level in run_levels(config):
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
