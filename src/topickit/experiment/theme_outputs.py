"""Files, figures and the summary section of a run's theme analysis."""

from __future__ import annotations

import pandas as pd

from topickit import plots
from topickit.experiment.themes_step import ThemeAnalysis, themes_table

__all__ = ["theme_figure_jobs", "theme_summary", "topic_theme_labels", "write_theme_tables"]


def topic_theme_labels(analysis: ThemeAnalysis | None) -> dict:
    """``(model, level) -> {topic: "humanitarian (0.62)"}`` for every mapped topic model."""
    if analysis is None:
        return {}
    return {key: mapping.labels() for key, mapping in analysis.mappings.items()}


def write_theme_tables(folder, analysis: ThemeAnalysis, units: pd.DataFrame) -> pd.DataFrame:
    """Write ``themes.csv``, ``theme_classifiers.csv`` and ``topic_themes.csv``."""
    table = themes_table(analysis, units)
    folder.write_csv("themes.csv", table)
    if analysis.comparison is not None:
        comparison = analysis.comparison.reset_index()
        if analysis.majority is not None:
            row = {"name": "majority", "kind": "majority", "n_params": 0}
            row.update({f"loao_{k}": v for k, v in analysis.majority.headline().items()})
            comparison = pd.concat([comparison, pd.DataFrame([row])], ignore_index=True)
        folder.write_csv("theme_classifiers.csv", comparison)
    if analysis.cv is not None:
        folder.write_csv("theme_confusion.csv", analysis.cv.confusion.reset_index())
        folder.write_csv("theme_per_theme.csv", analysis.cv.per_theme.reset_index())
    rows = []
    for (name, level), mapping in sorted(analysis.mappings.items()):
        frame = mapping.assignment.copy()
        frame.insert(0, "level", level)
        frame.insert(0, "model", name)
        rows.append(frame)
    if rows:
        folder.write_csv("topic_themes.csv", pd.concat(rows, ignore_index=True))
    return table


def _theme_frame(analysis: ThemeAnalysis, units: pd.DataFrame) -> pd.DataFrame:
    """Theme scores shaped like ``doc_topics`` so the prevalence plots can draw them."""
    frame = pd.DataFrame(
        analysis.scores, columns=[f"topic_{i}" for i in range(analysis.scores.shape[1])]
    )
    frame.insert(0, "model", "themes")
    frame.insert(0, "level", analysis.level)
    frame.insert(0, "doc_id", units["doc_id"].to_numpy())
    frame.insert(0, "unit_id", units["unit_id"].to_numpy())
    return frame


def theme_figure_jobs(
    analysis: ThemeAnalysis, units: pd.DataFrame, articles: pd.DataFrame, best: dict[str, str]
) -> list[tuple]:
    """Figure jobs ``(name, caption, draw, kwargs)`` for the run's figure writer."""
    names = dict(enumerate(analysis.codebook.names))
    frame = _theme_frame(analysis, units)
    level = analysis.level
    jobs = [
        (
            "theme_prevalence_by_article",
            f"Theme share per article ({analysis.chosen} classifier, {level} level)",
            plots.plot_prevalence_by_article,
            {
                "doc_topics": frame,
                "model": "themes",
                "level": level,
                "articles": articles,
                "labels": names,
                "value_label": "theme share",
                "title": f"Theme share per article ({analysis.chosen} classifier, {level} level)",
            },
        ),
        (
            "theme_prevalence_by_date",
            f"Theme share by publication date ({analysis.chosen} classifier)",
            plots.plot_prevalence_by_date,
            {
                "doc_topics": frame,
                "articles": articles,
                "model": "themes",
                "level": level,
                "labels": names,
                "value_label": "theme share",
                "title": f"Theme share by publication date ({analysis.chosen} classifier, "
                f"{level} level)",
            },
        ),
    ]
    if analysis.cv is not None:
        jobs.append(
            (
                "theme_confusion",
                f"Primary-theme confusion matrix, {analysis.chosen} classifier "
                "(leave-one-article-out)",
                plots.plot_confusion_matrix,
                {
                    "matrix": analysis.cv.confusion,
                    "title": f"Primary theme, {analysis.chosen} classifier\n"
                    "(leave-one-article-out predictions vs annotations)",
                },
            )
        )
    for level_name, model in sorted(best.items()):
        mapping = analysis.mappings.get((model, level_name))
        if mapping is None:
            continue
        matrix = mapping.matrix.copy()
        matrix.index = [f"topic {t}" for t in matrix.index]
        jobs.append(
            (
                f"topic_themes_{model}_{level_name}",
                f"Topic-to-theme alignment of {model} at the {level_name} level",
                plots.plot_alignment_heatmap,
                {
                    "matrix": matrix,
                    "title": f"Topics of {model} ({level_name}) vs themes ({mapping.method})",
                    "ylabel": f"{model} topic",
                    "xlabel": "theme",
                    "colorbar_label": "share of theme evidence",
                },
            )
        )
    return jobs


def _fmt(value: float) -> str:
    return f"{value:.3f}"


def theme_summary(analysis: ThemeAnalysis, table: pd.DataFrame) -> str:
    """The ``## Themes`` section of ``summary.md``."""
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
                f"| {name} | {_fmt(row.loao_accuracy)} | {_fmt(row.loao_macro_f1)} | "
                f"{_fmt(row.loao_ml_micro_f1)} | {_fmt(row.loao_ml_macro_f1)} |"
                + (f" {_fmt(row.dev_macro_f1)} |" if has_dev else "")
            )
        if analysis.majority is not None:
            h = analysis.majority.headline()
            lines.append(
                f"| majority baseline | {_fmt(h['accuracy'])} | {_fmt(h['macro_f1'])} "
                f"| {_fmt(h['ml_micro_f1'])} | {_fmt(h['ml_macro_f1'])} |"
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
