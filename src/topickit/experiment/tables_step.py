"""Write a run's tables, JSON, figures and summary into its run folder."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from topickit.experiment.bundles_step import save_run_bundles
from topickit.experiment.config import ExperimentConfig
from topickit.experiment.figures_step import figure_links, write_figures
from topickit.experiment.prevalence_step import write_prevalence
from topickit.experiment.summary_step import render_summary
from topickit.experiment.tables import doc_topics_table, topics_table
from topickit.experiment.theme_outputs import (
    theme_figure_jobs,
    theme_summary,
    topic_theme_labels,
    write_theme_tables,
)

__all__ = ["metrics_document", "write_run"]


def _clean(value: Any) -> Any:
    """JSON-safe, byte-stable values: NaN to None, floats to 12 significant digits."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if value is pd.NA or value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return float(f"{value:.12g}")
    return value


def _portable(params: dict) -> dict:
    """Parameters without machine-specific paths (a codebook file is named, not located)."""
    out = dict(params)
    if isinstance(out.get("codebook"), str):
        out["codebook"] = Path(out["codebook"]).name
    return out


def metrics_document(config: ExperimentConfig, result) -> dict:
    """The content of ``metrics.json`` (no timings or paths: reruns give the same bytes)."""
    from topickit.experiment.prepare_step import corpus_fingerprint

    levels = {}
    for level in config.levels:
        d = result.data[level]
        report = dict(d.pipeline.vocabulary_report_)
        report["dropped"] = {k: len(v) for k, v in report["dropped"].items()}
        levels[level] = {
            "n_units": len(d.units),
            "vocabulary": report,
            "phrases": sorted(d.pipeline.phrases_),
        }
    final = {}
    for (name, level), fit in sorted(result.final.items()):
        rows = result.sweep[
            (result.sweep.model == name)
            & (result.sweep.level == level)
            & (result.sweep.k == fit.plan.k)
        ]
        final[f"{name}@{level}"] = {
            "model": name,
            "level": level,
            "k": fit.plan.k,
            "seed": fit.plan.seed,
            "params": _portable(fit.estimator.get_params()),
            "metrics": {
                r.metric: {"mean": r.mean, "std": r.std, "n_seeds": r.n_seeds}
                for r in rows.itertuples()
            },
        }
    alignments = {
        label: {"pairs": a.pairs.to_dict(orient="records")}
        for label, a in result.alignments.items()
    }
    return _clean(
        {
            "experiment": config.name,
            "seed": config.seed,
            "corpus": {
                "n_articles": len(result.articles),
                "fingerprint": corpus_fingerprint(result.articles),
            },
            "levels": levels,
            "best": result.best,
            "recommended_k": result.recommended.to_dict(orient="records"),
            "final": final,
            "sweep": result.sweep.to_dict(orient="records"),
            "alignments": alignments,
        }
    )


def write_run(
    folder,
    config: ExperimentConfig,
    result,
    environment: dict,
    timings: dict,
    *,
    progress: bool = True,
) -> None:
    """Write every file of the run into ``folder`` (a :class:`RunFolder`)."""
    folder.write_toml("config.toml", config.to_dict())
    metrics = result.metrics.sort_values(
        ["model", "level", "k", "seed", "metric"], na_position="last", kind="stable"
    )
    folder.write_csv("metrics.csv", metrics)
    folder.write_json("metrics.json", metrics_document(config, result))
    final_fits = [result.final[k] for k in sorted(result.final)]
    topics = topics_table(final_fits, n_terms=config.outputs.top_terms)
    labels = topic_theme_labels(result.themes)
    if labels:
        topics["theme"] = [
            labels.get((m, lv), {}).get(int(t), "")
            for m, lv, t in zip(topics.model, topics.level, topics.topic, strict=True)
        ]
    folder.write_csv("topics.csv", topics)
    doc_topics = doc_topics_table(final_fits, result.data)
    if config.outputs.doc_topics:
        folder.write_csv("doc_topics.csv", doc_topics)
    for label, alignment in result.alignments.items():
        slug = label.replace(" vs ", "_vs_").replace("@", "-")
        folder.write_csv(f"alignments/{slug}_matrix.csv", alignment.matrix.reset_index())
        folder.write_csv(f"alignments/{slug}_pairs.csv", alignment.pairs)
    extra_figures: list = []
    sections: list[str] = []
    if config.outputs.prevalence:
        prevalence_jobs, note = write_prevalence(folder, config, result, topics, doc_topics)
        extra_figures += prevalence_jobs
        if note:
            sections.append(note)
    if result.themes is not None:
        units = result.data[result.themes.level].units
        table = write_theme_tables(folder, result.themes, units)
        extra_figures = theme_figure_jobs(result.themes, units, result.articles, result.best)
        sections.append(theme_summary(result.themes, table))
    bundles = save_run_bundles(folder, config, result)
    if bundles:
        sections.append(bundle_section(result, bundles))
    written = write_figures(folder, config, result, topics, doc_topics, extra=extra_figures)
    folder.write_text(
        "summary.md",
        render_summary(
            config, result, figure_links(written), topic_labels=labels, extra_sections=sections
        ),
    )


def bundle_section(result, bundles: dict[tuple[str, str], str]) -> str:
    """The ``## Saved models`` section of ``summary.md``."""
    lines = [
        "## Saved models",
        "",
        "Each kept model is a safe bundle (JSON + `.npz`, checksummed, no pickle) with its "
        "preprocessing" + (" and the theme classifier" if result.themes else "") + ". "
        "Load one with `topickit.load(path)` or apply it with `topickit infer`.",
        "",
    ]
    for (name, level), path in sorted(bundles.items()):
        best = " **(best at this level)**" if result.best.get(level) == name else ""
        lines.append(f"- `{path}`: {name} at the {level} level{best}")
    return "\n".join(lines)
