"""The optional sections of ``summary.md`` (topic share, themes, saved models) and its file list.

Each ``*_section`` function returns one Markdown section; ``summary_step.write_summary`` adds
those that apply to the run. :func:`file_lines` describes only the files a run wrote.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from topickit.experiment.config import ExperimentConfig
from topickit.experiment.prevalence_step import MIN_ARTICLES_PER_PERIOD, Prevalence, plots_over_time
from topickit.themes.analysis import ThemeAnalysis

__all__ = [
    "bundle_section",
    "file_lines",
    "prevalence_section",
    "run_files",
    "theme_section",
]


def _count(n: int, word: str) -> str:
    """``"1 week"``, ``"3 weeks"``."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _time_note(
    model: str, level: str, dated: pd.DataFrame, figures: dict[str, str], period: str
) -> str:
    """What the time figures of one model show, from the rows and figures they were drawn from."""
    periods = dated.drop_duplicates("group")
    n_full = int((periods.n_articles >= MIN_ARTICLES_PER_PERIOD).sum())
    n_articles = int(periods.n_articles.sum())
    by_date = f"figures/prevalence_by_date_{model}_{level}.png"
    over_time = f"figures/prevalence_over_time_{model}_{level}.png"
    full = {0: f"no {period} holds", 1: f"only one {period} holds"}.get(
        n_full, f"{n_full} {period}s hold"
    )
    parts = [
        f"{model} ({level}): {_count(n_articles, 'dated article')} in "
        f"{_count(len(periods), period)}; {full} {MIN_ARTICLES_PER_PERIOD} or more articles"
    ]
    if over_time in figures:
        parts.append(f"`{over_time}` draws those {period}s with their intervals")
    elif plots_over_time(dated):
        parts.append("no figures were drawn")
    else:
        parts[-1] += ", so there is no plot with intervals"
    if by_date in figures:
        parts.append(
            f"`{by_date}` shows the mean share of the articles of each publication date, "
            "without intervals"
            + (", so each point is one or a few articles, not a trend" if n_full < 2 else "")
        )
    return "; ".join(parts) + "."


def prevalence_section(
    config: ExperimentConfig,
    result,
    prevalence: Prevalence,
    figures: dict[str, str] | None = None,
) -> str:
    """The ``## Topic share over time and by source`` section.

    Parameters
    ----------
    config : ExperimentConfig
    result : RunResult
    prevalence : Prevalence
        The run's ``prevalence.csv`` table.
    figures : dict of str to str, optional
        The figures written (relative path to caption): each note says which of them show
        the shares, from the same rows the figures were drawn from.
    """
    figures = figures or {}
    options = config.outputs
    table = prevalence.table
    period = {"D": "day", "W": "week", "M": "month"}[options.prevalence_freq]
    notes = []
    for level, model in sorted(result.best.items()):
        dated = table[(table.by == "date") & (table.model == model) & (table.level == level)]
        if len(dated):
            notes.append(_time_note(model, level, dated, figures, period))
    source_column = config.corpus.source_column
    text = [
        "## Topic share over time and by source",
        "",
        f"`prevalence.csv` holds the best models' topic shares per {period}"
        + (f" and per `{source_column}`" if prevalence.has_sources else "")
        + f", each with a 95% percentile bootstrap interval over articles "
        f"({options.prevalence_boot} resamples)"
        + (
            "; paragraph weights are averaged per article first."
            if any(level != "article" for level in result.best)
            else "."
        ),
    ]
    if source_column is None:
        text[-1] += (
            " No source column is set (`[corpus] source_column`), so there is no by-source view."
        )
    elif not prevalence.has_sources:
        text[-1] += (
            f" `{source_column}` does not hold two outlets that each repeat, so there is no "
            "by-source view."
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


def _choice_sentence(analysis: ThemeAnalysis, use: str) -> str:
    """How the classifier was chosen, in words, from the comparison table."""
    table = analysis.comparison
    if table is None or use != "auto" or "loao_macro_f1" not in table.columns:
        return analysis.rule
    scores = table["loao_macro_f1"].round(6)
    best = float(scores.max())
    tied = [str(name) for name in scores.index[scores >= best]]
    chosen = analysis.chosen
    if len(tied) > 1:
        return (
            f"Kept **{chosen}**: {', '.join(tied)} tie for the best primary macro-F1 under "
            f"leave-one-article-out cross-validation ({best:.3f}), and a tie goes to the "
            "classifier with the fewest trained parameters."
        )
    others = scores.drop(index=chosen).sort_values(ascending=False)
    runner_up = (
        f"; next best {others.index[0]} with {float(others.iloc[0]):.3f}" if len(others) else ""
    )
    return (
        f"Kept **{chosen}**: it has the best primary macro-F1 under leave-one-article-out "
        f"cross-validation ({float(scores[chosen]):.3f}{runner_up})."
    )


def _held_out_sentence(analysis: ThemeAnalysis) -> str:
    """Which classifier did best on the project's held-out paragraphs, against the one kept."""
    dev = analysis.comparison["dev_macro_f1"]
    chosen = analysis.chosen
    if chosen not in dev.index or dev.isna().all():
        return ""
    top = str(dev.idxmax())
    if top == chosen or round(float(dev[top]), 6) == round(float(dev[chosen]), 6):
        return (
            f"{chosen} also does best on these held-out paragraphs "
            f"(primary macro-F1 {float(dev[chosen]):.3f})."
        )
    return (
        f"On these held-out paragraphs **{top}** does best (primary macro-F1 "
        f"{float(dev[top]):.3f}, against {float(dev[chosen]):.3f} for {chosen}, the classifier "
        f"kept): the choice above rests on the seed articles alone, and {top} may carry "
        "better to other coverage."
    )


def _theme_counts(names, values) -> str:
    counts = pd.Series(list(values)).value_counts()
    return ", ".join(f"{t} {int(counts.get(t, 0))}" for t in names)


def _count_lines(analysis: ThemeAnalysis, table: pd.DataFrame) -> list[str]:
    """Predicted primary themes, labelled in-sample where the classifier saw these units."""
    names = analysis.codebook.names
    n = len(table)
    trained = (
        analysis.annotated is not None
        and analysis.comparison is not None
        and analysis.chosen in analysis.comparison.index
        and int(analysis.comparison.loc[analysis.chosen, "n_params"]) > 0
    )
    if not trained:
        return [
            f"Predicted primary themes of all {n} {analysis.level} units (the classifier was "
            f"not trained on them): {_theme_counts(names, table['theme'])}."
        ]
    lines = [
        f"Predicted primary themes of all {n} {analysis.level} units, **in-sample** (the "
        "classifier was trained on the annotated ones, so these counts largely repeat the "
        f"annotations): {_theme_counts(names, table['theme'])}."
    ]
    ann = analysis.annotated
    lines.append(f"- annotated: {_theme_counts(names, ann['primary'])}")
    if analysis.cv is not None:
        preds = analysis.cv.predictions["pred_primary"]
        lines.append(
            "- out-of-fold (each article predicted by a classifier trained on the others): "
            + _theme_counts(names, preds)
        )
    return lines


def theme_section(analysis: ThemeAnalysis, table: pd.DataFrame, use: str = "auto") -> str:
    """The ``## Themes`` section.

    Parameters
    ----------
    analysis : ThemeAnalysis
    table : pandas.DataFrame
        The run's ``themes.csv`` table.
    use : str, default="auto"
        ``[themes] use``: ``"auto"`` when the classifier was chosen by cross-validation.
    """
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
            lines[-2] += " held-out paragraphs: primary macro-F1 |"
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
        lines += ["", _choice_sentence(analysis, use), ""]
        if has_dev:
            lines += [
                "The held-out column scores each classifier, trained on all annotated seed "
                "paragraphs, on paragraphs about other events of the conflict (Lebanon, the "
                "Red Sea, Iran's missile strikes, ceasefire and hostage talks, aid agencies) "
                "that the project wrote and labelled by the same codebook "
                "(`experiments/theme_dev.csv`). They are not real articles, so read them as a "
                "check on generalisation, not as a benchmark."
                + (" " + _held_out_sentence(analysis)).rstrip(),
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
    lines += [*_count_lines(analysis, table), ""]
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


#: What each file or folder of a run folder holds, in the order the summary lists them.
_FILE_NOTES = {
    "config.toml": "the resolved config, every default written out",
    "environment.json": "Python and package versions, seed, platform, git commit, timings",
    "metrics.csv": "every metric of every fit (model, level, K, seed), one row each",
    "metrics.json": "mean and spread of each metric per model, level and K, the "
    "recommended K, the kept fits, the best model per level and the alignments",
    "topics.csv": "ranked terms of each kept model's topics",
    "doc_topics.csv": "unit × topic weights of each kept model",
    "prevalence.csv": "topic shares per period (and per source) with bootstrap intervals",
    "alignments/": "topic alignment matrices and matched pairs",
    "models/": "a safe bundle per kept model (`topickit.load`, `topickit infer`)",
    "themes.csv": "every unit's predicted themes and scores, with the annotation and the "
    "out-of-fold prediction where there is one",
    "theme_classifiers.csv": "each theme classifier's cross-validated and held-out scores",
    "theme_per_theme.csv": "the kept classifier's cross-validated scores per theme",
    "theme_confusion.csv": "its cross-validated confusion matrix",
    "topic_themes.csv": "the theme each topic stands for, with its confidence",
    "figures/": "the figures linked above",
}


def file_lines(files: list[str] | None) -> list[str]:
    """Markdown list lines describing the run folder's files, only those in ``files``.

    Parameters
    ----------
    files : list of str or None
        Top-level names in the run folder, folders ending in ``/``.
    """
    present = set(files or [])
    lines = [f"- `{name}`: {note}" for name, note in _FILE_NOTES.items() if name in present]
    lines += [f"- `{name}`" for name in sorted(present - set(_FILE_NOTES) - {"summary.md"})]
    return lines


def run_files(path) -> list[str]:
    """Top-level names in the folder at ``path`` (folders end in ``/``), plus
    ``environment.json``, which the runner writes after the summary."""
    names = {p.name + ("/" if p.is_dir() else "") for p in Path(path).iterdir()}
    return sorted(names | {"environment.json"})
