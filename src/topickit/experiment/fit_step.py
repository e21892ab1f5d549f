"""Step 2 of a run: fit every model over its K sweep and seeds."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np

from topickit._workers import run_jobs
from topickit.experiment.config import ExperimentConfig, ModelConfig
from topickit.experiment.prepare_step import LevelData, level_key
from topickit.experiment.progress import progress as progress_over
from topickit.models import make_model
from topickit.models.base import TopicModel

__all__ = ["Fit", "FitPlan", "fit_one", "plan_fits", "run_fits"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FitPlan:
    """One fit to run: a model at a level with K topics and a seed."""

    model: ModelConfig
    level: str
    k: int
    seed: int


@dataclass
class Fit:
    """A fitted model and what the evaluation needs from it.

    Attributes
    ----------
    plan : FitPlan
    estimator : TopicModel
    doc_topic : ndarray of shape (n_units, k)
        Unit × topic weights for the training units.
    topics : list of list of (str, float)
        Ranked terms of each topic.
    """

    plan: FitPlan
    estimator: TopicModel
    doc_topic: np.ndarray
    topics: list[list[tuple[str, float]]]

    @property
    def key(self) -> tuple[str, str, int, int]:
        """``(model name, level, k, seed)``."""
        p = self.plan
        return (p.model.name, p.level, p.k, p.seed)

    def top_terms(self, n: int) -> list[list[str]]:
        """The top ``n`` terms of each topic."""
        return [[t for t, _ in topic[:n]] for topic in self.topics]


def plan_fits(config: ExperimentConfig, n_units: dict[str, int]) -> tuple[list[FitPlan], list[str]]:
    """List the fits a config asks for, skipping K values a level cannot support.

    Parameters
    ----------
    config : ExperimentConfig
    n_units : dict of str to int
        Number of units per level (per ``"naive:<level>"`` for naive models too).

    Returns
    -------
    plans : list of FitPlan
    notes : list of str
        One sentence per skipped combination, for the summary.
    """
    seeds = [config.seed + i for i in range(config.sweep.seeds)]
    plans: list[FitPlan] = []
    notes: list[str] = []
    for model in config.models:
        for level in model.levels or config.levels:
            n = n_units[level_key(model, level)]
            ks = model.k or config.sweep.k_for(level)
            usable = [k for k in ks if k < n]
            skipped = [k for k in ks if k >= n]
            if skipped:
                notes.append(
                    f"{model.name} at the {level} level: K = {', '.join(map(str, skipped))} "
                    f"skipped (only {n} units; K must be below the number of units)."
                )
            plans.extend(FitPlan(model, level, k, s) for k in usable for s in seeds)
    return plans, notes


def fit_one(plan: FitPlan, data: dict[str, LevelData], topn: int) -> Fit:
    """Fit one planned model on its level's tokens."""
    corpus = data[level_key(plan.model, plan.level)].tokens
    estimator = make_model(
        plan.model.kind, n_topics=plan.k, random_state=plan.seed, **plan.model.params
    )
    estimator.fit(corpus)
    doc_topic = estimator.transform(corpus)
    return Fit(plan, estimator, doc_topic, estimator.topic_terms(max(topn, 30)))


def run_fits(
    plans: list[FitPlan],
    data: dict[str, LevelData],
    *,
    topn: int,
    progress: bool = True,
    n_jobs: int = 1,
) -> Iterator[Fit]:
    """Fit each planned model and yield its results.

    Parameters
    ----------
    plans : list of FitPlan
    data : dict of str to LevelData
        Prepared units per level (key ``level``, or ``"naive:<level>"``).
    topn : int
        Number of ranked terms kept per topic (at least the evaluation's top-N).
    progress : bool, default=True
        Show a progress bar on stderr.
    n_jobs : int, default=1
        Worker processes (see :func:`topickit._workers.run_jobs`); every fit
        is seeded, so the results do not depend on it.

    Yields
    ------
    Fit
    """
    fits = run_jobs(partial(fit_one, data=data, topn=topn), plans, n_jobs=n_jobs)
    yield from progress_over(fits, "fitting models", enabled=progress, total=len(plans), unit="fit")
