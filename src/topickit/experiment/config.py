"""Experiment configs: TOML files validated into typed, fully resolved settings.

Unknown keys and wrong types are errors that name the key, never silently ignored.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from topickit.exceptions import ConfigError
from topickit.experiment.preprocess_fields import pipeline_fields

__all__ = [
    "CompareConfig",
    "CorpusConfig",
    "EvaluationConfig",
    "ExperimentConfig",
    "ModelConfig",
    "OutputsConfig",
    "PreprocessConfig",
    "RepresentationConfig",
    "SimilarityConfig",
    "SweepConfig",
    "ThemesConfig",
    "load_config",
    "parse_config",
    "resolve_corpus_path",
]

Level = Literal["article", "paragraph", "sentence"]


class _Section(BaseModel):
    # strict: TOML gives real types, so ``seeds = true`` or ``k = 2.0`` are mistakes, not 1 and 2
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class CorpusConfig(_Section):
    """Where the corpus is and how to read it (see :func:`topickit.load_corpus`)."""

    path: str = "seeds"
    format: Literal["auto", "text", "csv", "tsv", "jsonl", "parquet"] = "auto"
    text_column: str | None = None
    id_column: str | None = None
    title_column: str | None = None
    date_column: str | None = None
    encoding: str | None = None
    clean: bool = True
    source_column: str | None = None


#: Options of :class:`topickit.text.pipeline.TextPipeline`: one field per pipeline
#: parameter, with its default and range (see :mod:`~topickit.experiment.preprocess_fields`).
PreprocessConfig = create_model(
    "PreprocessConfig",
    __base__=_Section,
    __doc__="Options of :class:`topickit.text.pipeline.TextPipeline`.",
    __module__=__name__,
    **pipeline_fields(),
)


class SweepConfig(_Section):
    """The K sweep: numbers of topics and seeds per K."""

    k: list[int] = Field(default_factory=lambda: [3, 4, 5, 6])
    k_by_level: dict[Level, list[int]] = Field(default_factory=dict)
    seeds: int = Field(3, ge=1, le=100)
    select_metric: Literal["c_npmi", "c_v", "u_mass", "topic_diversity", "stability"] = "c_npmi"

    @field_validator("k")
    @classmethod
    def _k_values(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("needs at least one value")
        if any(k < 2 for k in value):
            raise ValueError("every K must be at least 2")
        return sorted(set(value))

    @field_validator("k_by_level")
    @classmethod
    def _k_by_level_values(cls, value: dict[str, list[int]]) -> dict[str, list[int]]:
        return {level: cls._k_values(ks) for level, ks in value.items()}

    def k_for(self, level: str) -> list[int]:
        """The K values swept at ``level``."""
        return self.k_by_level.get(level, self.k)


class ModelConfig(_Section):
    """One model of the experiment.

    ``k`` fixes the number of topics for this model (no sweep); ``preprocess = "naive"``
    runs it on uncleaned paragraphs tokenised with gensim's ``simple_preprocess`` and stop
    words, the baseline a new user writes first.
    """

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    k: list[int] | None = None
    levels: list[Level] | None = None
    preprocess: Literal["pipeline", "naive"] = "pipeline"
    baseline: bool = False

    @field_validator("k", mode="before")
    @classmethod
    def _k_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, int) else value


class EvaluationConfig(_Section):
    """What is measured for each fit."""

    topn: int = Field(10, ge=2)
    coherence: list[Literal["c_v", "c_npmi", "u_mass"]] = Field(
        default_factory=lambda: ["c_v", "c_npmi", "u_mass"]
    )
    holdout: float = Field(0.2, ge=0.0, lt=1.0)
    min_holdout_units: int = Field(20, ge=2)
    silhouette: bool = True
    stability: bool = True


class CompareConfig(_Section):
    """A topic alignment between two fitted models, ``"model"`` or ``"model@level"``."""

    a: str
    b: str
    level: Level | None = None
    metric: Literal["cosine", "jensen_shannon"] = "cosine"


class OutputsConfig(_Section):
    """Which files a run writes besides the metrics.

    ``prevalence`` writes topic shares per time bin (``prevalence_freq``) and per source
    (the corpus's ``source_column``) with bootstrap intervals for the best model per level.
    """

    figures: Literal["all", "best", "none"] = "all"
    prevalence: bool = True
    prevalence_freq: Literal["D", "W", "M"] = "W"
    prevalence_boot: int = Field(500, ge=0, le=10_000)
    doc_topics: bool = True
    unit_map: Literal["pca", "tsne"] = "pca"
    top_terms: int = Field(10, ge=1, le=50)


class ThemesConfig(_Section):
    """Theme classification and topic-to-theme mapping.

    ``codebook`` and ``annotations`` are paths relative to the config file. Every
    classifier in ``classifiers`` is scored by leave-one-article-out cross-validation on the
    annotated units; ``use = "auto"`` keeps the best by primary-theme macro-F1. ``dev`` is
    an optional held-out CSV (``id, text, primary, themes``) of paragraphs from other
    coverage: every candidate, trained on all annotated units, is also scored there.
    """

    codebook: str
    annotations: str | None = None
    level: Level = "paragraph"
    classifiers: list[Literal["lexicon", "supervised", "combined"]] = Field(
        default_factory=lambda: ["lexicon", "supervised", "combined"]
    )
    use: Literal["auto", "lexicon", "supervised", "combined"] = "auto"
    mapping: Literal["seed_terms", "annotations", "both"] = "both"
    dev: str | None = None


class RepresentationConfig(_Section):
    """One document representation compared in a similarity experiment."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    kind: str
    params: dict[str, Any] = Field(default_factory=dict)


class SimilarityConfig(_Section):
    """A document-similarity experiment against human ratings (e.g. the Lee corpus).

    Paths are relative to the config file; a path written ``gensim-test-data:NAME`` names a
    file shipped in gensim's own test data.
    """

    background: str
    test: str
    ratings: str
    max_background: int | None = Field(None, ge=2)
    max_test: int | None = Field(None, ge=3)
    representations: list[RepresentationConfig]


class ExperimentConfig(_Section):
    """A whole experiment, as written in ``experiments/*.toml`` with every default filled in.

    ``n_jobs`` is the number of worker processes for fits and figures (0 or less: one per
    core); every fit is seeded and limited to one BLAS thread, so results do not depend on it.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    seed: int = Field(0, ge=0, le=2**32 - 1)
    n_jobs: int = 2
    levels: list[Level] = Field(default_factory=lambda: ["article", "paragraph"], min_length=1)
    corpus: CorpusConfig = Field(default_factory=CorpusConfig)
    preprocess: PreprocessConfig = Field(default_factory=PreprocessConfig)
    sweep: SweepConfig = Field(default_factory=SweepConfig)
    task: Literal["topics", "similarity"] = "topics"
    models: list[ModelConfig] = Field(default_factory=list)
    similarity: SimilarityConfig | None = None
    themes: ThemesConfig | None = None
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    compare: list[CompareConfig] = Field(default_factory=list)
    outputs: OutputsConfig = Field(default_factory=OutputsConfig)

    @model_validator(mode="after")
    def _check_references(self) -> ExperimentConfig:
        names = [m.name for m in self.models]
        if self.task == "similarity" and self.similarity is None:
            raise ValueError("similarity: task = 'similarity' needs a [similarity] section")
        if self.task == "topics" and not names:
            raise ValueError("models: at least one model is needed")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"models: duplicate name(s) {', '.join(dupes)}")
        for i, cmp in enumerate(self.compare):
            for side in ("a", "b"):
                ref = getattr(cmp, side)
                model, _, level = ref.partition("@")
                if model not in names:
                    raise ValueError(f"compare[{i}].{side}: unknown model {model!r}")
                if level and level not in ("article", "paragraph", "sentence"):
                    raise ValueError(f"compare[{i}].{side}: unknown level {level!r}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The resolved config as plain data (TOML-ready: ``None`` values dropped)."""
        return _drop_none(self.model_dump(mode="json"))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _format_error(err: ValidationError, source: str) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in first["loc"])
    where = where.replace(".[", "[")
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "required key is missing"
    if "input" in first and first["type"] not in ("missing", "extra_forbidden"):
        given = first["input"]
        if not isinstance(given, dict | list):
            message += f" (got {given!r})"
    more = len(err.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{source}: {where or 'config'}: {message}{suffix}"


def parse_config(data: dict[str, Any], *, source: str = "config") -> ExperimentConfig:
    """Validate a config mapping.

    Parameters
    ----------
    data : dict
        Parsed TOML.
    source : str
        Name used in error messages (usually the file path).

    Returns
    -------
    ExperimentConfig

    Raises
    ------
    ConfigError
        One line naming the file, the key at fault and what is wrong.
    """
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_format_error(err, source)) from None
    _check_model_params(config, source)
    return config


def _check_model_params(config: ExperimentConfig, source: str) -> None:
    from topickit._validation import validate_params
    from topickit.models import make_model

    for i, model in enumerate(config.models):
        where = f"{source}: models[{i}]"
        try:
            estimator = make_model(model.kind, n_topics=2, **model.params)
            validate_params(
                estimator.get_params(deep=False),
                type(estimator)._parameter_constraints,
                type(estimator).__name__,
            )
        except ConfigError as err:
            raise ConfigError(f"{where}: {err}") from None
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{where}.params: {err}") from None


def load_config(path: str | Path, *, seed: int | None = None) -> tuple[ExperimentConfig, Path]:
    """Read and validate an experiment config file.

    Parameters
    ----------
    path : str or Path
        A TOML file.
    seed : int, optional
        Overrides the config's ``seed``.

    Returns
    -------
    config : ExperimentConfig
        Theme file paths (codebook, annotations, dev set) are made absolute, relative to
        the config file's folder.
    corpus_path : Path
        The corpus path, resolved relative to the config file's folder when relative.

    Raises
    ------
    ConfigError
        When the file is missing, is not valid TOML, or fails validation.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a UTF-8 text file") from None
    if seed is not None:
        data["seed"] = seed
    config = parse_config(data, source=str(path))
    if config.themes is not None:
        themes = config.themes
        resolved = {
            key: str(resolve_corpus_path(value, path.parent))
            for key in ("codebook", "annotations", "dev")
            if (value := getattr(themes, key)) is not None
        }
        config = config.model_copy(update={"themes": themes.model_copy(update=resolved)})
    models = []
    for model in config.models:
        codebook = model.params.get("codebook")
        if model.kind == "seeded_lda" and codebook is None and config.themes is not None:
            codebook = config.themes.codebook
        if isinstance(codebook, str):
            params = {**model.params, "codebook": str(resolve_corpus_path(codebook, path.parent))}
            model = model.model_copy(update={"params": params})
        models.append(model)
    config = config.model_copy(update={"models": models})
    return config, resolve_corpus_path(config.corpus.path, path.parent)


def resolve_corpus_path(value: str, base: Path) -> Path:
    """Resolve a config's corpus path.

    ``dataset:NAME`` names a fetched public data set (see ``topickit data fetch``); any
    other relative path is relative to ``base`` (the config file's folder).
    """
    if value.startswith("dataset:"):
        from topickit.datasets import resolve_dataset_path

        return resolve_dataset_path(value)
    corpus_path = Path(value)
    if not corpus_path.is_absolute():
        corpus_path = (base / corpus_path).resolve()
    return corpus_path
