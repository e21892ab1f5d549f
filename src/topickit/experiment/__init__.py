"""Experiment configs and the runner that turns them into run folders."""

from topickit.experiment.config import ExperimentConfig, load_config, parse_config
from topickit.experiment.runner import RunResult, run_experiment
from topickit.experiment.similarity_run import SimilarityResult, run_similarity

__all__ = [
    "ExperimentConfig",
    "RunResult",
    "SimilarityResult",
    "load_config",
    "parse_config",
    "run_experiment",
    "run_similarity",
]
