"""Step 9 of a run: ``summary.md``, the page a person reads first after a run."""

from __future__ import annotations

import math

import pandas as pd

from topickit.corpus.loading import skipped_sources
from topickit.experiment.config import ExperimentConfig
from topickit.experiment.figures_step import figure_links
from topickit.experiment.prepare_step import level_key
from topickit.experiment.prevalence_step import Prevalence
from topickit.experiment.summary_sections import (
    bundle_section,
    file_lines,
    prevalence_section,
    run_files,
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


#: Below this many articles the article level is too small to mean anything.
MIN_ARTICLES_FOR_ARTICLE_LEVEL = 20


def _few_articles(config: ExperimentConfig, articles: pd.DataFrame) -> bool:
    return "article" in config.levels and len(articles) < MIN_ARTICLES_FOR_ARTICLE_LEVEL


def _few_articles_warning(n: int) -> str:
    return (
        f"**The article level is not meaningful here:** it has only {n} articles (documents), "
        f"and topics, coherence and stability over fewer than about "
        f"{MIN_ARTICLES_FOR_ARTICLE_LEVEL} documents say little; its K, topics and scores are "
        "shown for completeness, not as findings."
    )


def _model_configs(config: ExperimentConfig) -> dict:
    return {m.name: m for m in config.models}


def _tokens_words(model) -> str:
    if model.preprocess == "naive":
        return "raw text (no cleaning), gensim `simple_preprocess` minus gensim's stop words"
    return "the run's preprocessing"


def _baseline_sentence(config: ExperimentConfig, result, baselines: list[str]) -> str:
    """What each baseline is, from its config."""
    models = _model_configs(config)
    parts = []
    for name in baselines:
        m = models[name]
        levels = sorted(lv for (n, lv) in result.final if n == name)
        ks = sorted({result.final[(name, lv)].plan.k for lv in levels})
        parts.append(
            f"{name} is `{m.kind}` (K = {', '.join(map(str, ks))}) at the "
            f"{', '.join(levels)} level on {_tokens_words(m)}"
        )
    naive = any(models[b].preprocess == "naive" for b in baselines)
    return (
        "Baseline: "
        + "; ".join(parts)
        + (", the model a new user writes first" if naive else "")
        + ". Each model's coherence is measured over its own units' tokens."
    )


def _perplexity_lines(config: ExperimentConfig, result, keys: list[tuple[str, str]]) -> list[str]:
    """A warning when held-out perplexities over different vocabularies share a table."""
    models = _model_configs(config)
    groups: dict[str, list[str]] = {}
    for name, level in keys:
        mean, _ = _metric_at(
            result.sweep, name, level, result.final[(name, level)].plan.k, "heldout_perplexity"
        )
        if mean is None or math.isnan(mean):
            continue
        key = level_key(models[name], level)
        groups.setdefault(key, []).append(f"{name} ({level})")
    if len(groups) < 2:
        return []
    described = []
    for key, names in sorted(groups.items()):
        level = key.split(":")[-1]
        model = models[names[0].split(" (")[0]]
        n_terms = len(result.data[key].tokens.dictionary)
        described.append(
            f"{' and '.join(names)} over {n_terms:,} terms of {_tokens_words(model)} at the "
            f"{level} level"
        )
    return [
        "",
        "`heldout_perplexity` cannot be compared across these rows: each model's is measured "
        "over its own vocabulary, and a smaller or different vocabulary gives a different "
        "scale, not a better model. Compare only within one group: " + "; ".join(described) + ".",
    ]


def _stability_notes(config: ExperimentConfig, result) -> list[str]:
    """What the chosen K's stability says, per kept fit, from the sweep's numbers."""
    same: list[str] = []
    differ: list[str] = []
    for (name, level), fit in sorted(result.final.items()):
        value, _ = _metric_at(result.sweep, name, level, fit.plan.k, "stability")
        if value is None or math.isnan(value):
            continue
        if value >= 0.9995:
            same.append(f"{name} ({level})")
        else:
            differ.append(f"{name} ({level}) {value:.2f}")
    seeds, topn = config.sweep.seeds, config.evaluation.topn
    notes = []
    if same:
        notes.append(
            f"{', '.join(same)}: all {seeds} seeds gave the same top-{topn} terms at the chosen "
            "K (stability 1), so the result does not depend on the seed; that says it is "
            "reproducible, not that the topics are right."
        )
    if differ:
        notes.append(
            f"Stability below 1 at the chosen K ({', '.join(differ)}): the seeds' top-{topn} "
            "terms differ, so some topics change with the seed; `topics.csv` holds those of "
            f"seed {config.seed}."
        )
    return notes


def render_summary(
    config: ExperimentConfig,
    result,
    figures: list[str],
    topic_labels: dict | None = None,
    extra_sections: list[str] | None = None,
    files: list[str] | None = None,
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
    files : list of str, optional
        Top-level names in the run folder (folders end in ``/``): the file list names these
        and no others.

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
        if level == "article" and _few_articles(config, articles):
            lines += [_few_articles_warning(len(articles)), ""]
        if rule:
            lines += [f"K chosen by: {rule}", ""]
        labels = topic_labels.get((name, level), {})
        if labels:
            lines += [
                "In brackets: the codebook theme each topic stands for and the share of the "
                "topic's theme evidence that points to it (`topic_themes.csv`).",
                "",
            ]
        for topic, terms in enumerate(fit.top_terms(config.outputs.top_terms)):
            label = f" *({labels[topic]})*" if topic in labels else ""
            shown = ", ".join(t.replace("_", " ") for t in terms)
            lines.append(f"- **Topic {topic}**{label}: {shown}")
        lines.append("")

    baselines = [m.name for m in config.models if m.baseline]
    if baselines:
        lines += ["## Against the naive baseline", ""]
        lines += [_baseline_sentence(config, result, baselines), ""]
        keys = [(m, lv) for (m, lv) in sorted(result.final) if lv in config.levels]
        keys.sort(key=lambda k: (k[1], k[0] not in baselines, k[0]))
        base_levels = {lv for (m, lv) in keys if m in baselines}
        shown = [k for k in keys if k[1] in base_levels] or keys
        lines += _metrics_table(result, shown)
        lines += _perplexity_lines(config, result, shown)
        lines.append("")

    lines += ["## All models at their recommended K", ""]
    every = sorted(result.final, key=lambda k: (k[1], k[0]))
    lines += _metrics_table(result, every)
    lines += _perplexity_lines(config, result, every)
    lines += [
        "",
        "Values are mean ± standard deviation over seeds. `stability` compares the seeds, so "
        f"it has no spread: how alike the top-{config.evaluation.topn} terms of the "
        f"{config.sweep.seeds} seeds' topics are, each topic matched to its closest one (1 = "
        "the same terms from every seed). Coherence: higher is better (`u_mass` is ≤ 0)."
        + (
            f" The article rows rest on only {len(articles)} articles and are not meaningful."
            if _few_articles(config, articles)
            else ""
        ),
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
    notes += _stability_notes(config, result)
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

    if figures:
        lines += ["## Figures", "", *figures, ""]
    lines += ["## Files", "", *file_lines(files), ""]
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
        sections.append(prevalence_section(config, result, prevalence, figures))
    if result.themes is not None:
        use = config.themes.use if config.themes is not None else "auto"
        sections.append(theme_section(result.themes, themes_table, use))
    if bundles:
        sections.append(bundle_section(result, bundles))
    text = render_summary(
        config,
        result,
        figure_links(figures),
        topic_labels=topic_theme_labels(result.themes),
        extra_sections=sections,
        files=run_files(folder.path),
    )
    folder.write_text("summary.md", text)
