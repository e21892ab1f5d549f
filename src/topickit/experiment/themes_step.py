"""Step 4 of a run: score the theme classifiers, label every unit, name the topics by theme.

The analysis itself is a :class:`topickit.themes.analysis.ThemeAnalysis`; this step builds
it from the config and the kept fits, adds its metric rows and writes its tables.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pandas as pd

from topickit._workers import run_jobs
from topickit.exceptions import CorpusError
from topickit.experiment.config import ExperimentConfig
from topickit.experiment.fit_step import Fit
from topickit.experiment.progress import progress as progress_over
from topickit.themes.agreement import topic_theme_agreement
from topickit.themes.analysis import (
    ThemeAnalysis,
    classifier_table,
    themes_table,
    topic_themes_table,
)
from topickit.themes.annotations import load_annotations
from topickit.themes.base import ThemeClassifier
from topickit.themes.codebook import Codebook, load_codebook
from topickit.themes.evaluation import (
    CVResult,
    choose_best,
    evaluate_on,
    leave_one_article_out,
    majority_baseline,
)
from topickit.themes.mapping import map_topics_to_themes
from topickit.themes.registry import make_theme_classifier

__all__ = ["ThemeAnalysis", "analyse_themes", "theme_metric_rows", "write_theme_tables"]

logger = logging.getLogger(__name__)


def _resolve(path: str, config_path: Path | None) -> Path:
    p = Path(path)
    if p.is_absolute() or config_path is None:
        return p
    return (config_path.parent / p).resolve()


def _annotations(
    config: ExperimentConfig, config_path: Path | None, units: pd.DataFrame, codebook: Codebook
) -> pd.DataFrame | None:
    if not config.themes.annotations:
        return None
    table = load_annotations(
        _resolve(config.themes.annotations, config_path), units=units, themes=codebook.names
    )
    return table


def _load_dev(path: Path, codebook: Codebook) -> tuple[list[str], list[str], list[tuple]]:
    """Read a held-out theme set: ``id, text, primary, themes``."""
    if not path.is_file():
        raise CorpusError(f"theme dev set {path} does not exist")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("text", "primary", "themes") if c not in table.columns]
    if missing:
        raise CorpusError(f"{path}: missing column(s) {', '.join(missing)}")
    unknown = sorted(set(table.primary) - set(codebook.names))
    if unknown:
        raise CorpusError(f"{path}: unknown theme {unknown[0]!r} in column 'primary'")
    themes = [tuple(t.strip() for t in s.split(";") if t.strip()) for s in table.themes]
    return table.text.tolist(), table.primary.tolist(), themes


def _cross_validate(
    kind: str,
    *,
    codebook: Codebook,
    texts: list[str],
    doc_ids: list[str],
    primary: list[str],
    themes: list[tuple[str, ...]],
    unit_ids: list[str],
) -> tuple[CVResult, int, ThemeClassifier]:
    """Leave-one-article-out result, size and all-data fit of one classifier kind."""
    factory = partial(make_theme_classifier, kind, codebook=codebook)
    cv = leave_one_article_out(factory, texts, doc_ids, primary, themes, unit_ids=unit_ids)
    full = factory().fit(texts, primary, themes=themes)
    return cv, int(full.n_params_), full


def analyse_themes(
    config: ExperimentConfig,
    *,
    config_path: Path | None,
    data: dict,
    final: dict[tuple[str, str], Fit],
    progress: bool = False,
) -> ThemeAnalysis:
    """Score the theme classifiers, keep the best, label every unit and name the topics.

    Parameters
    ----------
    config : ExperimentConfig
        Its ``themes`` section must be set.
    config_path : Path or None
        The config file, for relative codebook and annotation paths.
    data : dict of str to LevelData
    final : dict of (str, str) to Fit
        The kept topic models.
    progress : bool, default=False
        Show a bar on stderr over the classifiers being cross-validated.

    Returns
    -------
    ThemeAnalysis
    """
    options = config.themes
    codebook = load_codebook(_resolve(options.codebook, config_path))
    units = data[options.level].units
    annotated = _annotations(config, config_path, units, codebook)
    comparison = cv = majority = None
    if annotated is not None and len(annotated):
        labelled = units.set_index("unit_id").loc[annotated.unit_id]
        texts = labelled["text"].tolist()
        doc_ids = labelled["doc_id"].astype(str).tolist()
        primary = annotated.primary.tolist()
        themes = [tuple(t) for t in annotated.themes]
        unit_ids = annotated.unit_id.tolist()
        kinds = list(
            dict.fromkeys([*options.classifiers, *([] if options.use == "auto" else [options.use])])
        )
        task = partial(
            _cross_validate,
            codebook=codebook,
            texts=texts,
            doc_ids=doc_ids,
            primary=primary,
            themes=themes,
            unit_ids=unit_ids,
        )
        done = progress_over(
            run_jobs(task, kinds, n_jobs=config.n_jobs),
            "cross-validating themes",
            enabled=progress,
            total=len(kinds),
            unit="classifier",
        )
        results = dict(zip(kinds, done, strict=True))
        comparison = pd.DataFrame(
            [
                {
                    "name": kind,
                    "kind": kind,
                    "n_params": n_params,
                    **{f"loao_{k}": v for k, v in result.headline().items()},
                }
                for kind, (result, n_params, _) in results.items()
            ]
        ).set_index("name")
        majority = majority_baseline(codebook, texts, doc_ids, primary, themes, unit_ids=unit_ids)
        if options.dev:
            dev = _load_dev(_resolve(options.dev, config_path), codebook)
            for kind, (_, _, fitted) in results.items():
                held = evaluate_on(fitted, *dev)
                for key, value in held.headline().items():
                    comparison.loc[kind, f"dev_{key}"] = value
        if options.use == "auto":
            chosen, rule = choose_best(comparison.loc[list(options.classifiers)])
        else:
            chosen, rule = options.use, f"Chose {options.use!r} as the config asks."
        cv, _, classifier = results[chosen]
    else:
        chosen = "lexicon" if options.use == "auto" else options.use
        rule = "No annotations: the codebook's lexicon scorer needs no training."
        classifier = make_theme_classifier(chosen, codebook=codebook).fit(units["text"].tolist())
    scores = classifier.predict_proba(units["text"].tolist())
    analysis = ThemeAnalysis(
        codebook,
        options.level,
        annotated,
        comparison,
        chosen,
        rule,
        cv,
        classifier,
        scores,
        majority=majority,
    )
    _map_topics(analysis, config, data, final)
    return analysis


def _map_topics(
    analysis: ThemeAnalysis, config: ExperimentConfig, data: dict, final: dict[tuple[str, str], Fit]
) -> None:
    method = config.themes.mapping
    labels_by_unit = None
    if analysis.annotated is not None:
        labels_by_unit = dict(
            zip(analysis.annotated.unit_id, analysis.annotated.primary, strict=True)
        )
    for (name, level), fit in sorted(final.items()):
        if fit.plan.model.preprocess == "naive":
            continue
        units = data[level].units
        unit_labels = None
        use = method
        if labels_by_unit is not None and level == analysis.level:
            unit_labels = [labels_by_unit.get(u) for u in units.unit_id]
        elif method in ("annotations", "both"):
            use = "seed_terms"
        if use == "annotations" and unit_labels is None:
            use = "seed_terms"
        analysis.mappings[(name, level)] = map_topics_to_themes(
            fit.estimator.components_,
            fit.estimator.vocabulary_,
            analysis.codebook,
            method=use,
            doc_topic=fit.doc_topic if unit_labels else None,
            unit_labels=unit_labels,
        )
        if unit_labels is not None:
            agreement = topic_theme_agreement(fit.doc_topic, unit_labels)
            if hasattr(fit.estimator, "predict_theme"):
                agreement.update(
                    _direct_theme_scores(fit, data[level].tokens, unit_labels, analysis.codebook)
                )
            analysis.agreement[(name, level)] = agreement


def _direct_theme_scores(fit: Fit, tokens, labels: list, codebook: Codebook) -> dict[str, float]:
    """Accuracy and macro-F1 of a seeded model's own theme predictions (no training labels)."""
    from sklearn.metrics import accuracy_score, f1_score

    predicted = fit.estimator.predict_theme(tokens)
    keep = [i for i, label in enumerate(labels) if label]
    truth = [labels[i] for i in keep]
    guess = [str(predicted[i]) for i in keep]
    return {
        "direct_accuracy": float(accuracy_score(truth, guess)),
        "direct_macro_f1": float(
            f1_score(truth, guess, labels=codebook.names, average="macro", zero_division=0)
        ),
    }


def theme_metric_rows(
    analysis: ThemeAnalysis, final: dict[tuple[str, str], Fit], seed: int
) -> list[dict]:
    """Tidy metric rows: cross-validated classifier scores and topic-theme agreement."""
    rows: list[dict] = []
    n_themes = len(analysis.codebook.themes)
    if analysis.comparison is not None:
        for name, row in analysis.comparison.iterrows():
            for metric in ("accuracy", "macro_f1", "ml_micro_f1", "ml_macro_f1"):
                rows.append(
                    {
                        "model": f"theme_{name}",
                        "level": analysis.level,
                        "k": n_themes,
                        "seed": seed,
                        "metric": f"loao_{metric}",
                        "value": float(row[f"loao_{metric}"]),
                    }
                )
        for name, row in analysis.comparison.iterrows():
            for metric in ("accuracy", "macro_f1", "ml_micro_f1", "ml_macro_f1"):
                if f"dev_{metric}" in row:
                    rows.append(
                        {
                            "model": f"theme_{name}",
                            "level": "dev",
                            "k": n_themes,
                            "seed": seed,
                            "metric": f"dev_{metric}",
                            "value": float(row[f"dev_{metric}"]),
                        }
                    )
    if analysis.majority is not None:
        for metric, value in analysis.majority.headline().items():
            rows.append(
                {
                    "model": "theme_majority",
                    "level": analysis.level,
                    "k": n_themes,
                    "seed": seed,
                    "metric": f"loao_{metric}",
                    "value": float(value),
                }
            )
    if analysis.cv is not None:
        for theme, row in analysis.cv.per_theme.iterrows():
            rows.append(
                {
                    "model": f"theme_{analysis.chosen}",
                    "level": analysis.level,
                    "k": n_themes,
                    "seed": seed,
                    "metric": f"loao_f1_{theme}",
                    "value": float(row["f1"]),
                }
            )
    for (name, level), values in sorted(analysis.agreement.items()):
        fit = final[(name, level)]
        for metric in ("nmi", "ari", "purity", "direct_accuracy", "direct_macro_f1"):
            if metric not in values:
                continue
            rows.append(
                {
                    "model": name,
                    "level": level,
                    "k": fit.plan.k,
                    "seed": fit.plan.seed,
                    "metric": f"theme_{metric}",
                    "value": float(values[metric]),
                }
            )
    return rows


def write_theme_tables(folder, analysis: ThemeAnalysis, units: pd.DataFrame) -> pd.DataFrame:
    """Write ``themes.csv`` and the classifier, confusion and topic-to-theme tables.

    Returns
    -------
    pandas.DataFrame
        The ``themes.csv`` table.
    """
    table = themes_table(analysis, units)
    folder.write_csv("themes.csv", table)
    classifiers = classifier_table(analysis)
    if classifiers is not None:
        folder.write_csv("theme_classifiers.csv", classifiers)
    if analysis.cv is not None:
        folder.write_csv("theme_confusion.csv", analysis.cv.confusion.reset_index())
        folder.write_csv("theme_per_theme.csv", analysis.cv.per_theme.reset_index())
    topic_themes = topic_themes_table(analysis)
    if topic_themes is not None:
        folder.write_csv("topic_themes.csv", topic_themes)
    return table
