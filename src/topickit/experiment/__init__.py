"""Experiment configs and the runner that turns them into run folders.

``config`` validates a TOML file (``preprocess_fields`` reads the ``[preprocess]`` keys off
:class:`~topickit.text.pipeline.TextPipeline`); ``runner.run_experiment`` calls one module
per step of a run, named after it: ``prepare_step``, ``fit_step``, ``score_step``,
``themes_step``, ``tables_step``, ``prevalence_step``, ``bundles_step``, ``figures_step`` and
``summary_step`` (with ``summary_sections``), writing into a ``run_folder.RunFolder`` that
records ``environment``. ``similarity_run.run_similarity`` is the similarity task's run, with
``similarity_report``. Computations live in the library (:mod:`topickit.evaluation`,
:mod:`topickit.prevalence`, :mod:`topickit.themes`, :mod:`topickit.similarity`), drawing in
:mod:`topickit.plots`.
"""

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
