"""Step 9 of a run: ``summary.md``, the page a person reads first after a run."""

from __future__ import annotations

import math

import pandas as pd

from topickit.corpus.loading import skipped_sources
from topickit.experiment.config import ExperimentConfig
from topickit.experiment.figures_step import figure_links
from topickit.experiment.prevalence_step import Prevalence
from topickit.experiment.summary_sections import (
    bundle_section,
    prevalence_section,
    theme_section,
)
from topickit.themes.analysis import topic_theme_labels

__all__ = ["render_summary", "write_summary"]

_KEY_METRICS = (
    "c_npmi",
    "c_v",
    "u_mass",
    "topic_diversity",
    "stability",
    "silhouette",
    "heldout_perplexity",
)


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def _metric_at(sweep: pd.DataFrame, model: str, level: str, k: int, metric: str):
    row = sweep[
        (sweep.model == model) & (sweep.level == level) & (sweep.k == k) & (sweep.metric == metric)
    ]
    if not len(row):
        return None, None
    return float(row["mean"].iloc[0]), float(row["std"].iloc[0])


def _cell(sweep, model, level, k, metric) -> str:
    mean, std = _metric_at(sweep, model, level, k, metric)
    if mean is None:
        return "–"
    if std is None or math.isnan(std) or abs(std) < 0.0005:
        return _fmt(mean)
    return f"{_fmt(mean)} ± {_fmt(std)}"


def _metrics_table(result, keys: list[tuple[str, str]]) -> list[str]:
    present = [m for m in _KEY_METRICS if (result.sweep.metric == m).any()]
    lines = [
        "| model | level | K | " + " | ".join(present) + " |",
        "|---|---|---|" + "---|" * len(present),
    ]
    for name, level in keys:
        fit = result.final[(name, level)]
        cells = [_cell(result.sweep, name, level, fit.plan.k, m) for m in present]
        lines.append(f"| {name} | {level} | {fit.plan.k} | " + " | ".join(cells) + " |")
    return lines


#: Skipped inputs listed one by one in the summary; more are counted.
_SKIPPED_SHOWN = 20


def _skipped_lines(articles: pd.DataFrame) -> list[str]:
    """The summary's list of files and rows skipped while loading (empty when none were)."""
    skipped = skipped_sources(articles)
    if skipped.empty:
        return []
    lines = [f"Skipped while loading: {len(skipped)} file(s) or row(s), each with a warning:"]
    shown = skipped.head(_SKIPPED_SHOWN)
    lines += [f"- `{row.source}`: {row.reason}" for row in shown.itertuples()]
    if len(skipped) > _SKIPPED_SHOWN:
        lines.append(f"- and {len(skipped) - _SKIPPED_SHOWN} more")
    return ["", *lines, ""]


def render_summary(
    config: ExperimentConfig,
    result,
    figures: list[str],
    topic_labels: dict | None = None,
    extra_sections: list[str] | None = None,
) -> str:
    """Render the run summary as Markdown.

    Parameters
    ----------
    config : ExperimentConfig
    result : RunResult
    figures : list of str
        Markdown lines linking the figures.
    topic_labels : dict, optional
        ``(model, level) -> {topic: label}`` shown next to each topic (e.g. its theme).
    extra_sections : list of str, optional
        Further Markdown sections appended before the file list.

    Returns
    -------
    str
    """
    topic_labels = topic_labels or {}
    articles = result.articles
    dates = articles["date"].dropna()
    lines = [f"# {config.name}: run summary", ""]
    if config.description:
        lines += [config.description.strip(), ""]
    span = f", dated {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}" if len(dates) else ""
    lines += [f"Corpus: {len(articles)} articles{span} ({len(dates)} with a known date)."]
    lines += _skipped_lines(articles)
    for level in config.levels:
        d = result.data[level]
        report = d.pipeline.vocabulary_report_ if d.pipeline else {}
        phrases = sorted(d.pipeline.phrases_) if d.pipeline else []
        example = ", ".join(p for p in phrases[:6])
        lines.append(
            f"- {level}: {len(d.units)} units, {report.get('n_tokens_after', 0):,} tokens, "
            f"{report.get('n_terms_after', 0):,} terms"
            + (f", {len(phrases)} learned phrases (e.g. {example})" if phrases else "")
        )
    lines.append("")

    lines += ["## Best model per level", ""]
    metric = config.sweep.select_metric
    lines.append(
        f"Rule: the non-baseline model with the highest mean `{metric}` at its recommended K."
    )
    lines.append("")
    for level, name in sorted(result.best.items()):
        fit = result.final[(name, level)]
        rec = result.recommended[
            (result.recommended.model == name) & (result.recommended.level == level)
        ]
        rule = rec["rule"].iloc[0] if len(rec) else ""
        lines += [f"### {level}: {name} (K = {fit.plan.k})", ""]
        if rule:
            lines += [f"K chosen by: {rule}", ""]
        labels = topic_labels.get((name, level), {})
        for topic, terms in enumerate(fit.top_terms(config.outputs.top_terms)):
            label = f" *({labels[topic]})*" if topic in labels else ""
            shown = ", ".join(t.replace("_", " ") for t in terms)
            lines.append(f"- **Topic {topic}**{label}: {shown}")
        lines.append("")

    baselines = [m.name for m in config.models if m.baseline]
    if baselines:
        lines += ["## Against the naive baseline", ""]
        lines.append(
            "The baseline is what a new user writes first: raw paragraphs (no cleaning), gensim "
            "`simple_preprocess` and stop words, LDA. Each model's coherence is measured over its "
            "own units' tokens; stability is the mean best-match Jaccard of top-"
            f"{config.evaluation.topn} terms across {config.sweep.seeds} seeds."
        )
        lines.append("")
        keys = [(m, lv) for (m, lv) in sorted(result.final) if lv in config.levels]
        keys.sort(key=lambda k: (k[1], k[0] not in baselines, k[0]))
        lines += _metrics_table(result, [k for k in keys if k[1] == "paragraph"] or keys)
        lines.append("")

    lines += ["## All models at their recommended K", ""]
    lines += _metrics_table(result, sorted(result.final, key=lambda k: (k[1], k[0])))
    lines += [
        "",
        "Values are mean ± standard deviation over seeds; `stability` compares seeds, "
        "so it has no spread. Coherence: higher is better (`u_mass` is ≤ 0).",
        "",
    ]

    if result.alignments:
        lines += ["## Topic alignment", ""]
        for label, alignment in result.alignments.items():
            pairs = alignment.pairs
            shown = ", ".join(
                f"{int(r.topic_a)}↔{int(r.topic_b)} ({r.similarity:.2f})"
                for r in pairs.itertuples()
            )
            lines.append(f"- {label}: matched pairs {shown}")
        lines.append("")

    if extra_sections:
        for section in extra_sections:
            lines += [section.rstrip(), ""]

    notes = list(result.notes)
    stab = result.sweep[(result.sweep.metric == "stability") & (result.sweep["mean"] >= 0.9995)]
    seed_free = sorted(
        {
            r.model
            for r in stab.itertuples()
            if (
                result.final.get((r.model, r.level)) is not None
                and result.final[(r.model, r.level)].plan.k == r.k
            )
        }
    )
    if seed_free:
        notes.append(
            f"{', '.join(seed_free)}: the same topics from every seed at the chosen K "
            '(NMF starts from NNDSVDa, which does not use the seed, and `init = "nmf"` '
            "LDA starts from that NMF), so their stability of 1 says the result is "
            "reproducible, not that the topics are right."
        )
    for level in config.levels:
        d = result.data[level]
        if d.pipeline is None:
            continue
        dropped = d.pipeline.vocabulary_report_["dropped"]
        for name, terms in dropped.items():
            if terms:
                notes.append(
                    f"{level}: the `{name}` filter dropped {len(terms)} terms "
                    f"(e.g. {', '.join(terms[:5])})."
                )
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]

    lines += ["## Figures", "", *figures, ""]
    lines += [
        "## Files",
        "",
        "- `config.toml`: the resolved config, every default written out",
        "- `environment.json`: Python and package versions, seed, platform, git commit, timings",
        "- `metrics.csv` / `metrics.json`: every metric of every fit (model, level, K, seed)",
        "- `topics.csv`: ranked terms of each kept model's topics",
        "- `doc_topics.csv`: unit × topic weights of each kept model",
        "- `alignments/`: topic alignment matrices and matched pairs",
        "- `models/`: a safe bundle per kept model (`topickit.load`, `topickit infer`)",
    ]
    if result.themes is not None:
        lines += [
            "- `themes.csv`: every unit's predicted themes and scores, with the annotation "
            "and the out-of-fold prediction where there is one",
            "- `theme_classifiers.csv`, `theme_per_theme.csv`, `theme_confusion.csv`: "
            "cross-validated theme scores",
            "- `topic_themes.csv`: the theme each topic stands for, with its confidence",
        ]
    lines.append("")
    return "\n".join(lines)


def write_summary(
    folder,
    config: ExperimentConfig,
    result,
    figures: dict[str, str],
    *,
    prevalence: Prevalence | None = None,
    themes_table: pd.DataFrame | None = None,
    bundles: dict[tuple[str, str], str] | None = None,
) -> None:
    """Write ``summary.md`` with the prevalence, theme and saved-model sections that apply.

    Parameters
    ----------
    folder : RunFolder
    config : ExperimentConfig
    result : RunResult
    figures : dict of str to str
        Written figures (relative path to caption), as :func:`write_figures` returns them.
    prevalence : Prevalence, optional
    themes_table : pandas.DataFrame, optional
        The run's ``themes.csv`` table (needed when the run has a theme analysis).
    bundles : dict of (str, str) to str, optional
        ``(model, level)`` to the saved bundle's path in the run folder.
    """
    sections = []
    if prevalence is not None:
        sections.append(prevalence_section(config, result, prevalence))
    if result.themes is not None:
        sections.append(theme_section(result.themes, themes_table))
    if bundles:
        sections.append(bundle_section(result, bundles))
    text = render_summary(
        config,
        result,
        figure_links(figures),
        topic_labels=topic_theme_labels(result.themes),
        extra_sections=sections,
    )
    folder.write_text("summary.md", text)
