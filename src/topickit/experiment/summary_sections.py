"""The optional sections of ``summary.md``: topic share, themes, saved models.

Each function returns one Markdown section; ``summary_step.write_summary`` adds those that
apply to the run.
"""

from __future__ import annotations

import pandas as pd

from topickit.experiment.config import ExperimentConfig
from topickit.experiment.prevalence_step import MIN_ARTICLES_PER_PERIOD, Prevalence, plots_over_time
from topickit.themes.analysis import ThemeAnalysis

__all__ = ["bundle_section", "prevalence_section", "theme_section"]


def prevalence_section(config: ExperimentConfig, result, prevalence: Prevalence) -> str:
    """The ``## Topic share over time and by source`` section."""
    options = config.outputs
    table = prevalence.table
    notes = []
    for level, model in sorted(result.best.items()):
        dated = table[(table.by == "date") & (table.model == model) & (table.level == level)]
        if len(dated.drop_duplicates("group")) and not plots_over_time(dated):
            notes.append(
                f"{model} ({level}): fewer than two periods hold "
                f"{MIN_ARTICLES_PER_PERIOD} or more articles, so no time plot."
            )
    period = {"D": "day", "W": "week", "M": "month"}[options.prevalence_freq]
    source_column = config.corpus.source_column
    text = [
        "## Topic share over time and by source",
        "",
        f"`prevalence.csv` holds the best models' topic shares per {period}"
        + (f" and per `{source_column}`" if prevalence.has_sources else "")
        + f", each with a 95% percentile bootstrap interval over articles "
        f"({options.prevalence_boot} resamples); paragraph weights are averaged per "
        "article first.",
    ]
    if not prevalence.has_sources:
        text[-1] += (
            " No source column is set (`[corpus] source_column`), so there is no by-source view."
        )
    text += ["", *[f"- {n}" for n in notes]]
    return "\n".join(text).rstrip()


def bundle_section(result, bundles: dict[tuple[str, str], str]) -> str:
    """The ``## Saved models`` section."""
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


def _f3(value: float) -> str:
    return f"{value:.3f}"


def theme_section(analysis: ThemeAnalysis, table: pd.DataFrame) -> str:
    """The ``## Themes`` section."""
    lines = ["## Themes", ""]
    codebook = analysis.codebook
    lines.append(
        f"Codebook `{codebook.name}` (version {codebook.version}): "
        + ", ".join(codebook.names)
        + f". Level: {analysis.level}."
    )
    lines.append("")
    if analysis.comparison is not None:
        lines += [
            "Leave-one-article-out cross-validation on the annotated units (each "
            "article's paragraphs predicted by a classifier trained on the other "
            "articles):",
            "",
            "| classifier | accuracy | primary macro-F1 | multi-label micro-F1 "
            "| multi-label macro-F1 |",
            "|---|---|---|---|---|",
        ]
        has_dev = "dev_macro_f1" in analysis.comparison.columns
        if has_dev:
            lines[-2] += " held-out primary macro-F1 |"
            lines[-1] += "---|"
        for name, row in analysis.comparison.iterrows():
            lines.append(
                f"| {name} | {_f3(row.loao_accuracy)} | {_f3(row.loao_macro_f1)} | "
                f"{_f3(row.loao_ml_micro_f1)} | {_f3(row.loao_ml_macro_f1)} |"
                + (f" {_f3(row.dev_macro_f1)} |" if has_dev else "")
            )
        if analysis.majority is not None:
            h = analysis.majority.headline()
            lines.append(
                f"| majority baseline | {_f3(h['accuracy'])} | {_f3(h['macro_f1'])} "
                f"| {_f3(h['ml_micro_f1'])} | {_f3(h['ml_macro_f1'])} |"
                + (" – |" if has_dev else "")
            )
        lines += ["", analysis.rule, ""]
        if has_dev:
            lines += [
                "The held-out column scores each classifier, trained on all annotated seed "
                "paragraphs, on paragraphs about other events of the conflict (Lebanon, the "
                "Red Sea, Iran's missile strikes, ceasefire and hostage talks, aid agencies) "
                "that the project wrote and labelled by the same codebook "
                "(`experiments/theme_dev.csv`). They are not real articles, so read them as a "
                "check on generalisation, not as a benchmark.",
                "",
            ]
        if analysis.cv is not None:
            f1 = analysis.cv.primary["macro_f1"]
            n = len(analysis.annotated)
            n_docs = analysis.annotated.unit_id.str.split(":").str[0].nunique()
            lines.append(
                f"How much to trust it: its cross-validated primary macro-F1 is {f1:.2f} on "
                f"{n} paragraphs from only {n_docs} articles, so the figure itself is uncertain "
                "(one article more or less moves it by several points). On other coverage it "
                "leans on the codebook's seed terms, which were written for the whole conflict, "
                "not these articles; treat single-paragraph labels as suggestions and theme "
                "shares over many paragraphs as the usable result."
            )
            lines.append("")
            per = analysis.cv.per_theme
            lines.append(
                "Per theme (primary, leave-one-article-out): "
                + "; ".join(f"{t} F1 {r.f1:.2f} (n={int(r.support)})" for t, r in per.iterrows())
                + "."
            )
            lines.append("")
    else:
        lines += [analysis.rule, ""]
    counts = table["theme"].value_counts()
    lines.append(
        "Predicted primary themes over all units: "
        + ", ".join(f"{t} {int(counts.get(t, 0))}" for t in codebook.names)
        + "."
    )
    lines.append("")
    if analysis.agreement:
        lines += [
            "Agreement of each model's dominant topics with the annotated primary themes:",
            "",
        ]
        for (name, level), values in sorted(analysis.agreement.items()):
            direct = ""
            if "direct_macro_f1" in values:
                direct = (
                    "; its theme topics give the annotated primary theme with accuracy "
                    f"{values['direct_accuracy']:.2f}, macro-F1 {values['direct_macro_f1']:.2f} "
                    "(no labels used in training)"
                )
            lines.append(
                f"- {name} ({level}): NMI {values['nmi']:.2f}, adjusted Rand "
                f"{values['ari']:.2f}, purity {values['purity']:.2f}{direct}"
            )
        lines.append("")
    return "\n".join(lines)
