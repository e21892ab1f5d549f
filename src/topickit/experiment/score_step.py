"""Turn fits into the tidy metrics table of a run."""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfTransformer

from topickit._workers import run_jobs
from topickit.evaluation import (
    CoherenceScorer,
    silhouette,
    topic_diversity,
    topic_stability,
)
from topickit.experiment.config import EvaluationConfig
from topickit.experiment.fit_step import Fit
from topickit.experiment.prepare_step import LevelData

__all__ = ["METRIC_COLUMNS", "holdout_perplexity", "score_fits"]

logger = logging.getLogger(__name__)

#: Columns of the tidy metrics table.
METRIC_COLUMNS = ["model", "level", "k", "seed", "metric", "value"]


def _data_key(fit: Fit) -> str:
    return f"naive:{fit.plan.level}" if fit.plan.model.preprocess == "naive" else fit.plan.level


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
    for (key, measure), means in zip(jobs, run_jobs(task, jobs, n_jobs=n_jobs), strict=True):
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
