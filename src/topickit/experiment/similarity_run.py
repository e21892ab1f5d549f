"""Run a document-similarity experiment against human ratings (the Lee corpus benchmark).

Protocol: the text pipeline and every representation are fitted on the background documents
only; the test documents are only transformed. For each representation the cosine similarity
of every unordered pair of test documents is correlated (Pearson r) with the mean human rating
of the same pair.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from topickit.exceptions import ConfigError, CorpusError
from topickit.experiment.config import ExperimentConfig, PreprocessConfig, RepresentationConfig
from topickit.experiment.environment import describe_environment
from topickit.experiment.progress import progress as progress_over
from topickit.experiment.run_folder import RunFolder, new_run_id, new_run_path
from topickit.experiment.similarity_report import metrics_document, summary_markdown
from topickit.similarity.lee import (
    pair_labels,
    pair_values,
    read_documents,
    read_ratings,
    resolve_data_path,
    score_similarities,
)
from topickit.similarity.representations import (
    ENSEMBLE_KIND,
    ensemble_similarity,
    make_representation,
    similarity_matrix,
)
from topickit.text.pipeline import TextPipeline
from topickit.vectorize import TokenCorpus

__all__ = ["METRIC_COLUMNS", "SimilarityResult", "run_similarity", "score_similarities"]

logger = logging.getLogger(__name__)

METRIC_COLUMNS = ["model", "level", "k", "seed", "metric", "value"]
_LEVEL = "document"


@dataclass
class SimilarityResult:
    """What a finished similarity run produced.

    Attributes
    ----------
    path : Path
        The run folder.
    table : pandas.DataFrame
        One row per representation, best r first: ``representation``, ``kind``, ``k``,
        ``r`` (all pairs), ``r_select``, ``r_heldout``, ``spearman``.
    similarities : pandas.DataFrame
        One row per pair: ``pair``, ``human`` and one column per representation.
    """

    path: Path
    table: pd.DataFrame
    similarities: pd.DataFrame | None = None


@dataclass
class _Data:
    background: list[str]
    test: list[str]
    ratings: np.ndarray
    files: dict[str, str]


def _load(config: ExperimentConfig, base: Path) -> _Data:
    sim = config.similarity
    assert sim is not None
    paths = {key: resolve_data_path(getattr(sim, key), base) for key in ("background", "test")}
    paths["ratings"] = resolve_data_path(sim.ratings, base)
    background = read_documents(paths["background"], sim.max_background)
    test = read_documents(paths["test"], sim.max_test)
    ratings = read_ratings(paths["ratings"])
    if ratings.shape[0] < len(test):
        raise CorpusError(
            f"{paths['ratings']}: ratings for {ratings.shape[0]} documents but the test file "
            f"has {len(test)}"
        )
    if sim.max_test is None and ratings.shape[0] != len(test):
        raise CorpusError(
            f"{paths['ratings']}: ratings for {ratings.shape[0]} documents but the test file "
            f"has {len(test)}"
        )
    if len(test) < 3:
        raise CorpusError(f"{paths['test']}: at least 3 test documents are needed")
    ratings = ratings[: len(test), : len(test)]
    return _Data(background, test, ratings, {k: str(v) for k, v in paths.items()})


class _Pipelines:
    """Fit one TextPipeline per distinct preprocessing, on the background documents only."""

    def __init__(self, base: PreprocessConfig, data: _Data) -> None:
        self.base = base
        self.data = data
        self.fitted: dict[str, tuple[TextPipeline, TokenCorpus, TokenCorpus]] = {}

    def options(self, overrides: dict[str, Any] | None, where: str) -> PreprocessConfig:
        if not overrides:
            return self.base
        if not isinstance(overrides, dict):
            raise ConfigError(f"{where}.params.preprocess: must be a table of pipeline options")
        try:
            return PreprocessConfig.model_validate({**self.base.model_dump(), **overrides})
        except ValueError as err:
            raise ConfigError(f"{where}.params.preprocess: {err}".splitlines()[0]) from None

    def get(self, options: PreprocessConfig) -> tuple[TokenCorpus, TokenCorpus]:
        key = json.dumps(options.model_dump(mode="json"), sort_keys=True)
        if key not in self.fitted:
            pipeline = TextPipeline(**options.model_dump()).fit(self.data.background)
            background = pipeline.to_corpus(pipeline.transform(self.data.background))
            test = pipeline.to_corpus(pipeline.transform(self.data.test))
            self.fitted[key] = (pipeline, background, test)
        _, background, test = self.fitted[key]
        return background, test

    def vocabulary_sizes(self) -> list[int]:
        return [len(p.dictionary_) for p, _, _ in self.fitted.values()]


def _compute(
    config: ExperimentConfig, data: _Data, *, progress: bool
) -> tuple[dict[str, np.ndarray], dict[str, int | None], dict[str, float], list[int]]:
    sim = config.similarity
    assert sim is not None
    names = [r.name for r in sim.representations]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"similarity.representations: duplicate name(s) {', '.join(dupes)}")
    # Build everything first, so a bad parameter fails before any slow fit.
    plans: list[tuple[RepresentationConfig, Any, PreprocessConfig | None]] = []
    pipelines = _Pipelines(config.preprocess, data)
    for i, rep in enumerate(sim.representations):
        where = f"similarity.representations[{i}] ({rep.name})"
        params = dict(rep.params)
        options = pipelines.options(params.pop("preprocess", None), where)
        if rep.kind == ENSEMBLE_KIND:
            unknown = sorted(set(params) - {"members", "weights"})
            if unknown or "members" not in params:
                raise ConfigError(f"{where}.params: an ensemble takes 'members' and 'weights'")
            plans.append((rep, None, None))
            continue
        try:
            plans.append((rep, make_representation(rep.kind, params, seed=config.seed), options))
        except ConfigError as err:
            raise ConfigError(f"{where}: {err}") from None
    matrices: dict[str, np.ndarray] = {}
    dims: dict[str, int | None] = {}
    seconds: dict[str, float] = {}
    for rep, estimator, options in progress_over(
        plans, "computing representations", enabled=progress, unit="rep"
    ):
        started = time.perf_counter()
        if estimator is None:
            try:
                matrices[rep.name] = ensemble_similarity(
                    matrices, rep.params["members"], rep.params.get("weights")
                )
            except ConfigError as err:
                raise ConfigError(f"similarity.representations ({rep.name}): {err}") from None
            dims[rep.name] = None
        else:
            background, test = pipelines.get(options)
            with threadpool_limits(1):  # one BLAS thread: the same bytes on every machine load
                estimator.fit(background)
                matrices[rep.name] = similarity_matrix(estimator, test)
            dims[rep.name] = estimator.dimension_
        seconds[rep.name] = time.perf_counter() - started
        logger.info("%s: %.1f s", rep.name, seconds[rep.name])
    return matrices, dims, seconds, pipelines.vocabulary_sizes()


def _tables(
    config: ExperimentConfig,
    scores: dict[str, dict[str, float]],
    dims: dict[str, int | None],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    sim = config.similarity
    assert sim is not None
    kinds = {r.name: r.kind for r in sim.representations}
    rows = []
    for name, values in scores.items():
        for metric, value in values.items():
            rows.append((name, _LEVEL, dims[name], config.seed, metric, value))
    metrics = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    metrics["k"] = metrics["k"].astype("Int64")
    metrics["seed"] = metrics["seed"].astype("Int64")
    table = pd.DataFrame(
        [
            {
                "representation": name,
                "kind": kinds[name],
                "k": dims[name],
                "r": v["lee_r"],
                "r_select": v["lee_r_select"],
                "r_heldout": v["lee_r_heldout"],
                "spearman": v["lee_spearman"],
            }
            for name, v in scores.items()
        ]
    )
    table["k"] = table["k"].astype("Int64")
    table = table.sort_values(["r", "representation"], ascending=[False, True], na_position="last")
    return metrics, table.reset_index(drop=True)


def _figures(folder: RunFolder, table: pd.DataFrame, pairs: pd.DataFrame) -> None:
    from topickit.plots._style import save_figure
    from topickit.plots.similarity import plot_similarity_r, plot_similarity_scatter

    save_figure(plot_similarity_r(table, target=0.62), folder.file("figures/lee_r.png"))
    for row in table.itertuples():
        fig = plot_similarity_scatter(
            pairs["human"], pairs[row.representation], title=row.representation, r=row.r
        )
        save_figure(fig, folder.file(f"figures/scatter_{row.representation}.png"))


def run_similarity(
    config: ExperimentConfig,
    *,
    config_path: Path | None = None,
    out: Path | None = None,
    results_root: Path = Path("results"),
    progress: bool = True,
) -> SimilarityResult:
    """Run a ``task = "similarity"`` experiment and write its run folder.

    Parameters
    ----------
    config : ExperimentConfig
        Validated config with a ``[similarity]`` section.
    config_path : Path, optional
        The config file: relative data paths are resolved from its folder (default: the
        working directory) and it is recorded in ``environment.json``.
    out : Path, optional
        Run folder; by default ``results_root/<name>/<run-id>/``.
    results_root : Path, default=Path("results")
    progress : bool, default=True
        Show a progress bar over the representations.

    Returns
    -------
    SimilarityResult

    Raises
    ------
    ConfigError
        Without a ``[similarity]`` section, or for a bad representation.
    CorpusError
        When a data file is unreadable or the ratings do not fit the test documents.
    """
    if config.similarity is None:
        raise ConfigError("similarity: this run needs a [similarity] section")
    started = time.perf_counter()
    base = Path(config_path).resolve().parent if config_path else Path.cwd()
    data = _load(config, base)
    destination = (
        Path(out)
        if out
        else new_run_path(Path(results_root), config.name, new_run_id(config.to_dict()))
    )
    folder = RunFolder(destination)
    try:
        matrices, dims, seconds, vocab = _compute(config, data, progress=progress)
        scores = score_similarities(matrices, data.ratings)
        metrics, table = _tables(config, scores, dims)
        n = len(data.test)
        pairs = pd.DataFrame({"pair": pair_labels(n), "human": pair_values(data.ratings)})
        for name, matrix in matrices.items():
            pairs[name] = pair_values(matrix)
        counts = {"n_background": len(data.background), "n_test": n, "vocabulary": vocab}
        folder.write_toml("config.toml", config.to_dict())
        folder.write_csv("metrics.csv", metrics)
        folder.write_json("metrics.json", metrics_document(config, table, counts))
        folder.write_csv("similarities.csv", pairs)
        _figures(folder, table, pairs)
        total = time.perf_counter() - started
        folder.write_text("summary.md", summary_markdown(config, table, counts, seconds, total))
        environment = describe_environment(seed=config.seed, config_path=config_path)
        environment["data"] = data.files
        environment["timings_seconds"] = {k: round(v, 3) for k, v in seconds.items()}
        environment["timings_seconds"]["total"] = round(time.perf_counter() - started, 3)
        folder.write_json("environment.json", environment)
    except BaseException:
        folder.discard()
        raise
    folder.publish()
    return SimilarityResult(path=destination, table=table, similarities=pairs)
