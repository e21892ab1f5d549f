"""``summary.md`` of a real default run: what it links, lists and says agrees with the run."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from topickit.experiment import load_config, parse_config, run_experiment
from topickit.experiment.summary_sections import file_lines

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)]+)\)")
LISTED = re.compile(r"^- `([^`]+)`", re.MULTILINE)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """One run of ``experiments/default.toml`` on the seeds: config, result, folder, summary."""
    config_path = ROOT / "experiments" / "default.toml"
    config, corpus = load_config(config_path)
    out = tmp_path_factory.mktemp("summary") / "run"
    result = run_experiment(
        config, corpus_path=corpus, out=out, config_path=config_path, progress=False
    )
    return config, result, out, (out / "summary.md").read_text(encoding="utf-8")


def _section(summary: str, title: str) -> str:
    """The body of ``## title`` up to the next ``## `` heading."""
    start = summary.index(f"## {title}\n")
    end = summary.find("\n## ", start + 1)
    return summary[start : end if end >= 0 else None]


def test_every_linked_figure_exists_and_every_figure_is_linked(default_run):
    _, _, out, summary = default_run
    links = LINK.findall(summary)
    assert links, "the summary links no figure"
    for target in links:
        assert (out / target).is_file(), target
    drawn = {f"figures/{p.name}" for p in (out / "figures").glob("*.png")}
    assert drawn == set(links)


def test_every_listed_file_exists_and_every_file_is_listed(default_run):
    _, _, out, summary = default_run
    listed = LISTED.findall(_section(summary, "Files"))
    for name in listed:
        path = out / name.rstrip("/")
        assert path.is_dir() if name.endswith("/") else path.is_file(), name
    present = {p.name + ("/" if p.is_dir() else "") for p in out.iterdir()} - {"summary.md"}
    assert set(listed) == present


def test_paths_named_in_the_text_exist(default_run):
    _, _, out, summary = default_run
    for name in re.findall(r"`((?:figures|models|alignments)/[^`]+)`", summary):
        assert (out / name).exists(), name


def test_file_list_leaves_out_what_a_run_did_not_write():
    lines = file_lines(["config.toml", "metrics.csv", "environment.json"])
    text = "\n".join(lines)
    assert "`config.toml`" in text and "`metrics.csv`" in text
    for absent in ("alignments/", "themes.csv", "doc_topics.csv", "models/", "prevalence.csv"):
        assert f"`{absent}`" not in text


@pytest.mark.parametrize(
    "jargon",
    ["within 0 of the best", "tied)", "loao_macro_f1", "(seed_terms)", "seed_terms", "NNDSVDa"],
)
def test_no_jargon(default_run, jargon):
    assert jargon not in default_run[3]


def test_time_notes_agree_with_the_time_figures(default_run):
    _, result, out, summary = default_run
    section = _section(summary, "Topic share over time and by source")
    assert "no time plot" not in section
    for level, model in result.best.items():
        by_date = f"figures/prevalence_by_date_{model}_{level}.png"
        over_time = f"figures/prevalence_over_time_{model}_{level}.png"
        note = next(
            line for line in section.splitlines() if line.startswith(f"- {model} ({level})")
        )
        # the seeds' four dated articles fall in three weeks, none with 5 articles
        assert "4 dated articles in 3 weeks" in note
        assert (out / by_date).is_file() and f"`{by_date}`" in note
        assert not (out / over_time).exists() and "no plot with intervals" in note


def test_stability_notes_follow_the_numbers(default_run):
    _, result, _, summary = default_run
    notes = _section(summary, "Notes")
    sweep = result.sweep[result.sweep.metric == "stability"]
    for (name, level), fit in result.final.items():
        row = sweep[(sweep.model == name) & (sweep.level == level) & (sweep.k == fit.plan.k)]
        value = float(row["mean"].iloc[0])
        if value < 0.9995:
            assert f"{name} ({level}) {value:.2f}" in notes
        else:
            same = next(line for line in notes.splitlines() if "same top-10 terms" in line)
            assert f"{name} ({level})" in same
    assert float(sweep[(sweep.model == "kmeans") & (sweep.level == "paragraph")]["mean"].min()) < 1


def test_article_level_on_five_articles_is_flagged(default_run):
    _, _, _, summary = default_run
    article = summary[summary.index("### article:") : summary.index("### paragraph:")]
    assert "not meaningful" in article and "only 5 articles" in article
    paragraph = summary[summary.index("### paragraph:") : summary.index("## Against")]
    assert "not meaningful" not in paragraph
    table = _section(summary, "All models at their recommended K")
    assert "article rows rest on only 5 articles and are not meaningful" in table


def test_perplexity_side_by_side_is_flagged_as_not_comparable(default_run):
    _, result, _, summary = default_run
    baseline = _section(summary, "Against the naive baseline")
    assert "heldout_perplexity" in baseline and "cannot be compared" in baseline
    naive_terms = len(result.data["naive:paragraph"].tokens.dictionary)
    terms = len(result.data["paragraph"].tokens.dictionary)
    assert naive_terms != terms
    assert f"naive_lda (paragraph) over {naive_terms:,} terms" in baseline
    assert f"lda (paragraph) and seeded_lda (paragraph) over {terms:,} terms" in baseline


def test_theme_counts_are_labelled_and_the_held_out_winner_is_named(default_run):
    _, result, out, summary = default_run
    themes = _section(summary, "Themes")
    assert "**in-sample**" in themes
    table = pd.read_csv(out / "theme_classifiers.csv")
    analysis = result.themes
    dev = analysis.comparison["dev_macro_f1"]
    cv = analysis.comparison["loao_macro_f1"]
    assert analysis.chosen == cv.idxmax()
    assert f"Kept **{analysis.chosen}**" in themes and f"({cv.max():.3f};" in themes
    top = dev.idxmax()
    # on the seeds the lexicon wins on the held-out paragraphs, the combined classifier in CV
    assert top != analysis.chosen and set(table.columns) >= {"dev_macro_f1"}
    assert f"On these held-out paragraphs **{top}** does best" in themes
    assert f"{dev[top]:.3f}, against {dev[analysis.chosen]:.3f}" in themes
    counts = pd.read_csv(out / "themes.csv")["theme"].value_counts()
    in_sample = next(line for line in themes.splitlines() if "**in-sample**" in line)
    for theme, n in counts.items():
        assert f"{theme} {n}" in in_sample


def test_a_run_without_baseline_or_themes_lists_only_its_files(tmp_path):
    config = parse_config(
        {
            "name": "plain",
            "levels": ["paragraph"],
            "corpus": {"path": str(ROOT / "seeds")},
            "preprocess": {"no_below": 2},
            "sweep": {"k": [3], "seeds": 2},
            "models": [{"name": "nmf", "kind": "nmf"}],
            "outputs": {"figures": "none"},
        }
    )
    out = tmp_path / "run"
    run_experiment(config, corpus_path=ROOT / "seeds", out=out, progress=False)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Figures" not in summary and not (out / "figures").exists()
    listed = set(LISTED.findall(_section(summary, "Files")))
    present = {p.name + ("/" if p.is_dir() else "") for p in out.iterdir()} - {"summary.md"}
    assert listed == present and "alignments/" not in listed
    assert "not meaningful" not in summary  # no article level
