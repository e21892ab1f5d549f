"""Tests for topickit.plots: structure, labels and values of every figure, and saving."""

from __future__ import annotations

import re
import struct
from itertools import combinations
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from topickit import plots
from topickit.exceptions import TopickitError
from topickit.plots import (
    plot_alignment_heatmap,
    plot_confusion_matrix,
    plot_doc_topic_heatmap,
    plot_metric_vs_k,
    plot_prevalence_by_article,
    plot_prevalence_by_date,
    plot_top_terms,
    plot_unit_map,
    save_figure,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LONG_TERM = "internationally_recognised_humanitarian_corridor"
VOCAB = [
    "gaza", "israel", "hamas", "supreme_leader", "west_bank", "iran", "tehran", "missile",
    "ceasefire", "hezbollah", "lebanon", "khamenei", "civilian_casualties", "aid", LONG_TERM,
]  # fmt: skip


# --------------------------------------------------------------------------- builders
def make_topics(n_models: int = 3, n_topics: int = 5, n_terms: int = 10) -> pd.DataFrame:
    """Tidy topics table; rows shuffled so plots must sort; model m0 has theme labels."""
    rng = np.random.default_rng(0)
    rows = []
    for m in range(n_models):
        for topic in range(n_topics):
            terms = rng.permutation(VOCAB)[:n_terms]
            weights = np.sort(rng.uniform(0.01, 0.3, n_terms))[::-1]
            for rank, (term, weight) in enumerate(zip(terms, weights, strict=True), start=1):
                label = f"theme{topic} ({weight:.2f})" if m == 0 else None
                rows.append((f"m{m}", "paragraph", topic, rank, term, float(weight), label))
    frame = pd.DataFrame(
        rows, columns=["model", "level", "topic", "rank", "term", "weight", "label"]
    )
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)


def make_doc_topics(n_docs: int = 5, n_paras: int = 4, k: int = 4) -> pd.DataFrame:
    """Paragraph-level and article-level doc-topic rows for model "nmf", shuffled."""
    rng = np.random.default_rng(1)
    rows = []
    for d in range(n_docs):
        for p in range(1, n_paras + 1):
            rows.append(
                (f"{d:03d}:p{p}", f"{d:03d}", "paragraph", "nmf", *rng.dirichlet([0.5] * k))
            )
        rows.append((f"{d:03d}", f"{d:03d}", "article", "nmf", *rng.dirichlet([0.5] * k)))
    columns = ["unit_id", "doc_id", "level", "model", *[f"topic_{i}" for i in range(k)]]
    return pd.DataFrame(rows, columns=columns).sample(frac=1.0, random_state=2)


def make_articles(n_docs: int = 5) -> pd.DataFrame:
    dates = ["2023-11-08", "2023-11-08", None, "2023-11-11", "2024-10-04"]
    return pd.DataFrame(
        {
            "doc_id": [f"{d:03d}" for d in range(n_docs)],
            "title": [f"Headline number {d} about the regional conflict" for d in range(n_docs)],
            "date": pd.to_datetime((dates * n_docs)[:n_docs]),
        }
    )


def make_metrics() -> pd.DataFrame:
    """K in {3,4,5} x 3 seeds x 2 models; metrics c_v, u_mass, topic_diversity only."""
    rng = np.random.default_rng(2)
    rows = []
    for model in ("nmf", "lda"):
        for k in (3, 4, 5):
            for seed in range(3):
                for metric in ("c_v", "u_mass", "topic_diversity"):
                    rows.append((model, "paragraph", k, seed, metric, rng.normal(k / 10, 0.05)))
    return pd.DataFrame(rows, columns=["model", "level", "k", "seed", "metric", "value"])


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_MAGIC
    return struct.unpack(">II", header[16:24])


def tick_texts(labels) -> list[str]:
    return [t.get_text() for t in labels]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --------------------------------------------------------------------------- top terms
def test_top_terms_has_one_titled_panel_per_topic_with_labels():
    fig = plot_top_terms(make_topics(), model="m0", level="paragraph")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 5
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == [f"Topic {i}" for i in range(5)]
    assert all("theme" in ax.get_title() for ax in fig.axes)
    assert all(ax.get_xlabel() == "weight" for ax in fig.axes)
    assert "m0" in fig.get_suptitle()


def test_top_terms_largest_weight_on_top_and_phrases_spaced():
    topics = make_topics()
    fig = plot_top_terms(topics, model="m1", level="paragraph", n_terms=10)
    ax = fig.axes[2]
    rows = topics[(topics.model == "m1") & (topics.topic == 2)].sort_values("weight")[::-1]
    labels = tick_texts(ax.get_yticklabels())
    positions = ax.get_yticks()
    top_label = labels[int(np.argmin(positions))]  # y axis inverted: smallest y is drawn on top
    assert ax.yaxis_inverted()
    assert top_label == rows.term.iloc[0].replace("_", " ")[:22]
    bar_widths = [p.get_width() for p in ax.patches]
    assert bar_widths == sorted(bar_widths, reverse=True)
    all_labels = [t for a in fig.axes for t in tick_texts(a.get_yticklabels())]
    assert not any("_" in t for t in all_labels)
    assert "supreme leader" in all_labels
    assert all(len(t) <= 22 for t in all_labels)
    assert any(t.endswith("…") for t in all_labels)  # LONG_TERM was truncated


def test_top_terms_twenty_topics_fit_a_five_column_grid_without_overlap():
    fig = plot_top_terms(make_topics(1, 20, 10), model="m0", level="paragraph")
    assert len(fig.axes) == 20
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes} == {(4, 5)}
    width, height = fig.get_size_inches()
    assert 8 <= width <= 16 and height <= 19
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    overlaps = [(i, j) for (i, a), (j, b) in combinations(enumerate(boxes), 2) if a.overlaps(b)]
    assert overlaps == []


def test_top_terms_unknown_model_names_the_table():
    with pytest.raises(TopickitError, match=r"topics table has no rows with model='nope'"):
        plot_top_terms(make_topics(), model="nope", level="paragraph")
    with pytest.raises(TopickitError, match="missing column 'weight'"):
        plot_top_terms(make_topics().drop(columns="weight"), model="m0", level="paragraph")


# --------------------------------------------------------------------------- doc-topic heatmap
def test_paragraph_heatmap_groups_rows_by_article():
    doc_topics = make_doc_topics()
    fig = plot_doc_topic_heatmap(
        doc_topics, model="nmf", level="paragraph", articles=make_articles()
    )
    ax = fig.axes[0]
    image = ax.get_images()[0]
    assert image.get_array().shape == (20, 4)
    assert tick_texts(ax.get_yticklabels())[:5] == ["p1", "p2", "p3", "p4", "p1"]
    expected = doc_topics[doc_topics.unit_id == "001:p2"].filter(like="topic_").to_numpy()[0]
    np.testing.assert_allclose(image.get_array()[5], expected)  # row 5 = doc 001, paragraph 2
    groups = ax.child_axes[0]
    group_labels = tick_texts(groups.get_yticklabels())
    assert len(group_labels) == 5 and group_labels[1].startswith("001 · Headline number 1")
    assert len([line for line in ax.get_lines() if line.get_color() == "white"]) == 4
    colorbar = fig.axes[-1]
    assert colorbar.get_ylabel() == "topic weight"
    assert ax.get_xlabel() == "topic" and ax.get_title()


def test_topic_columns_empty_for_a_model_are_left_out():
    wide = make_doc_topics(k=4).assign(topic_4=np.nan, topic_5=np.nan)  # another model had K=6
    fig = plot_doc_topic_heatmap(wide, model="nmf", level="paragraph")
    assert tick_texts(fig.axes[0].get_xticklabels()) == ["0", "1", "2", "3"]
    fig = plot_prevalence_by_date(wide, make_articles(), model="nmf", level="article")
    assert len(fig.axes[0].get_lines()) == 4
    with pytest.raises(TopickitError, match="no topic_<k> columns"):
        plot_prevalence_by_article(wide.drop(columns=wide.filter(like="topic_").columns),
                                   model="nmf", level="article")  # fmt: skip


def test_heatmap_hides_row_labels_for_hundreds_of_rows_but_keeps_groups():
    doc_topics = make_doc_topics(n_docs=30, n_paras=10, k=6)
    fig = plot_doc_topic_heatmap(doc_topics, model="nmf", level="paragraph")
    ax = fig.axes[0]
    assert ax.get_images()[0].get_array().shape == (300, 6)
    assert ax.get_yticklabels() == []
    assert len(ax.child_axes[0].get_yticklabels()) == 30
    assert fig.get_size_inches()[1] <= 19


def test_article_heatmap_labels_rows_by_doc_and_title():
    fig = plot_doc_topic_heatmap(
        make_doc_topics(), model="nmf", level="article", articles=make_articles()
    )
    labels = tick_texts(fig.axes[0].get_yticklabels())
    assert len(labels) == 5 and labels[0].startswith("000 · Headline number 0")
    assert fig.axes[0].get_ylabel() == "article"


# --------------------------------------------------------------------------- metrics
def test_metric_panels_skip_absent_metrics_and_show_seed_means():
    metrics = make_metrics()
    fig = plot_metric_vs_k(metrics, recommended={"nmf": 4})
    assert len(fig.axes) == 3  # c_npmi and stability are not in the table
    assert [ax.get_ylabel() for ax in fig.axes] == ["c_v", "u_mass", "topic_diversity"]
    assert all(ax.get_xlabel() == "K (number of topics)" for ax in fig.axes)
    assert all(list(ax.get_xticks()) == [3, 4, 5] for ax in fig.axes)
    expected = (
        metrics[(metrics.model == "lda") & (metrics.metric == "c_v")].groupby("k")["value"].mean()
    )
    first_line = fig.axes[0].get_lines()[0]  # series are sorted: "lda" first
    np.testing.assert_allclose(first_line.get_ydata(), expected.to_numpy())
    dashed = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_xdata()[0] == 4
    stars = [line for line in fig.axes[0].get_lines() if line.get_marker() == "*"]
    nmf_c_v = metrics[(metrics.model == "nmf") & (metrics.metric == "c_v") & (metrics.k == 4)]
    assert len(stars) == 1 and stars[0].get_ydata()[0] == pytest.approx(nmf_c_v.value.mean())
    assert len(fig.axes[0].collections) == 2  # one std band per model
    assert "recommended K" in [t.get_text() for t in fig.legends[0].get_texts()]


def test_metric_legend_lists_only_models_drawn_in_the_panels():
    metrics = make_metrics()
    theme_rows = pd.DataFrame(
        [("theme_lexicon", "paragraph", 0, 0, "primary_macro_f1", 0.59)], columns=metrics.columns
    )
    fig = plot_metric_vs_k(pd.concat([metrics, theme_rows], ignore_index=True))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:2] == ["lda", "nmf"]
    assert not any(label.startswith("theme_") for label in labels)
    assert list(fig.axes[0].get_xticks()) == [3, 4, 5]  # K=0 of the theme row is not an axis tick


def test_metric_vs_k_without_any_known_metric_raises():
    with pytest.raises(TopickitError, match="none of the metrics"):
        plot_metric_vs_k(make_metrics(), metrics_to_show=("stability",))
    with pytest.raises(TopickitError, match="level='article'"):
        plot_metric_vs_k(make_metrics(), level="article")


# --------------------------------------------------------------------------- prevalence
def test_prevalence_by_article_bars_are_shares_of_paragraph_means():
    doc_topics = make_doc_topics()
    fig = plot_prevalence_by_article(
        doc_topics, model="nmf", level="paragraph", articles=make_articles()
    )
    ax = fig.axes[0]
    assert len(ax.patches) == 5 * 4
    ends = np.array([p.get_x() + p.get_width() for p in ax.patches]).reshape(4, 5)
    np.testing.assert_allclose(ends[-1], 1.0)  # stacked shares reach 1 for every article
    para = doc_topics[doc_topics.level == "paragraph"]
    first = para[para.doc_id == "000"].filter(like="topic_").mean()
    np.testing.assert_allclose(ax.patches[0].get_width(), first.iloc[0] / first.sum())
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Topic 0", "Topic 1", "Topic 2", "Topic 3"]
    assert ax.get_xlabel() == "topic share" and ax.get_title()


def test_prevalence_by_date_returns_none_with_fewer_than_two_dates():
    articles = make_articles()
    articles["date"] = pd.to_datetime(["2023-11-08", None, None, None, "2023-11-08"])
    assert (
        plot_prevalence_by_date(make_doc_topics(), articles, model="nmf", level="article") is None
    )
    articles["date"] = pd.NaT
    assert (
        plot_prevalence_by_date(make_doc_topics(), articles, model="nmf", level="article") is None
    )


def test_prevalence_by_date_averages_articles_per_period():
    doc_topics = make_doc_topics()
    fig = plot_prevalence_by_date(doc_topics, make_articles(), model="nmf", level="article")
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert len(lines) == 4 and len(lines[0].get_xdata()) == 3  # 3 distinct known dates
    art = doc_topics[doc_topics.level == "article"].set_index("doc_id").filter(like="topic_")
    shares = art.div(art.sum(axis=1), axis=0)
    np.testing.assert_allclose(
        lines[0].get_ydata()[0], shares.loc[["000", "001"], "topic_0"].mean()
    )
    assert ax.get_xlabel() == "date" and ax.get_ylabel() == "mean topic share"
    monthly = plot_prevalence_by_date(
        doc_topics, make_articles(), model="nmf", level="article", freq="M"
    )
    assert len(monthly.axes[0].get_lines()[0].get_xdata()) == 2
    with pytest.raises(TopickitError, match="freq 'bogus'"):
        plot_prevalence_by_date(doc_topics, make_articles(), model="nmf", level="article",
                                freq="bogus")  # fmt: skip


# --------------------------------------------------------------------------- unit map
@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_unit_map_works_for_five_units(method):
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(5, 8))
    fig = plot_unit_map(
        vectors, [0, 1, 1, 2, 0], method=method, hover_labels=[f"u{i}" for i in range(5)]
    )
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Topic 0", "Topic 1", "Topic 2"]
    assert ax.get_xlabel().startswith("component 1") and ax.get_ylabel().startswith("component 2")
    assert ("%" in ax.get_xlabel()) == (method == "pca")
    points = ax.collections[0]
    assert len(points.get_offsets()) == 5 and len(ax.texts) == 5
    legend_colours = [tuple(h.get_color())[:3] for h in ax.get_legend().legend_handles]
    offsets, faces = points.get_offsets(), points.get_facecolors()
    by_position = {tuple(xy): tuple(c)[:3] for xy, c in zip(offsets, faces, strict=True)}
    annotated = {t.get_text(): by_position[tuple(t.xy)] for t in ax.texts}
    assert annotated["u1"] == annotated["u2"] == legend_colours[1]  # both units of topic 1
    assert annotated["u0"] == legend_colours[0] != legend_colours[2] == annotated["u3"]


def test_unit_map_scales_to_five_thousand_units():
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 12, size=5000)
    vectors = rng.normal(size=(5000, 20)) + labels[:, None] * 0.5
    fig = plot_unit_map(vectors, labels, hover_labels=[str(i) for i in range(5000)])
    ax = fig.axes[0]
    points = ax.collections[0]
    assert len(points.get_offsets()) == 5000 and len(ax.texts) == 0
    assert points.get_sizes()[0] <= 6 and points.get_alpha() <= 0.6
    assert ax.get_legend().get_texts()[11].get_text() == "Topic 11"
    with pytest.raises(TopickitError, match="one entry per unit"):
        plot_unit_map(vectors, labels[:10])


# --------------------------------------------------------------------------- matrices
def test_alignment_heatmap_annotates_and_outlines_matched_pairs():
    values = np.random.default_rng(5).uniform(size=(5, 5))
    matrix = pd.DataFrame(values, index=range(5), columns=range(5))
    pairs = pd.DataFrame({"topic_a": [0, 1, 2], "topic_b": [3, 1, 0], "similarity": [0.9] * 3})
    fig = plot_alignment_heatmap(matrix, pairs=pairs, xlabel="lda topics", ylabel="nmf topics")
    ax = fig.axes[0]
    assert len(ax.texts) == 25 and ax.texts[1].get_text() == f"{values[0, 1]:.2f}"
    outlines = [
        p for p in ax.patches if isinstance(p, Rectangle) and p.get_edgecolor()[:3] == (0, 0, 0)
    ]
    assert sorted(p.get_xy() for p in outlines) == [(-0.5, 1.5), (0.5, 0.5), (2.5, -0.5)]
    assert ax.get_xlabel() == "lda topics" and ax.get_ylabel() == "nmf topics"
    assert fig.axes[-1].get_ylabel() == "similarity"
    big = pd.DataFrame(np.eye(15))
    assert len(plot_alignment_heatmap(big).axes[0].texts) == 0
    with pytest.raises(TopickitError, match="topic_b value 9"):
        plot_alignment_heatmap(matrix, pairs=pairs.assign(topic_b=9))


def test_confusion_matrix_counts_and_normalised_rows():
    labels = ["humanitarian", "military", "diplomacy"]
    counts = pd.DataFrame([[5, 1, 0], [2, 7, 1], [0, 0, 0]], index=labels, columns=labels)
    fig = plot_confusion_matrix(counts)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["5", "1", "0", "2", "7", "1", "0", "0", "0"]
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"
    assert "16 items, 75% on the diagonal" in ax.get_title()
    norm = plot_confusion_matrix(counts, normalize=True).axes[0]
    np.testing.assert_allclose(norm.get_images()[0].get_array()[1], [0.2, 0.7, 0.1])
    assert norm.texts[4].get_text() == "0.70\n(7)"
    assert norm.get_images()[0].get_array()[2].sum() == 0  # empty row stays 0, no NaN


def test_single_panel_plots_draw_into_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
    counts = pd.DataFrame([[3, 1], [0, 4]], index=["a", "b"], columns=["a", "b"])
    assert plot_confusion_matrix(counts, ax=left) is fig
    assert (
        plot_prevalence_by_article(make_doc_topics(), model="nmf", level="article", ax=right) is fig
    )
    assert len(left.get_images()) == 1 and len(right.patches) == 5 * 4
    assert len(fig.axes) == 3  # two panels and the confusion matrix's colour bar


# --------------------------------------------------------------------------- saving
def test_save_figure_writes_png_atomically_and_closes(tmp_path):
    fig = plot_top_terms(make_topics(), model="m0", level="paragraph")
    target = save_figure(fig, tmp_path / "figures" / "top_terms.png")
    width, height = png_size(target)
    assert 900 <= width <= 3000 and 450 <= height <= 3000
    assert [p.name for p in target.parent.iterdir()] == ["top_terms.png"]
    assert not plt.fignum_exists(fig.number)


def test_same_input_gives_identical_png_bytes(tmp_path):
    first = save_figure(plot_metric_vs_k(make_metrics()), tmp_path / "a.png")
    second = save_figure(plot_metric_vs_k(make_metrics()), tmp_path / "b.png")
    assert first.read_bytes() == second.read_bytes()


def test_save_figure_caps_giant_figures_at_3000_pixels(tmp_path):
    fig, _ = plt.subplots(figsize=(30, 12))
    width, height = png_size(save_figure(fig, tmp_path / "big.png", dpi=150))
    assert width <= 3000 and height <= 3000 and width >= 2900


def test_save_figure_failure_leaves_no_temporary_file(tmp_path, monkeypatch):
    fig, _ = plt.subplots()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", explode)
    with pytest.raises(OSError, match="disk full"):
        save_figure(fig, tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_public_names_are_sorted_and_exported():
    public = sorted(n for n in vars(plots) if not n.startswith("_") and callable(getattr(plots, n)))
    assert plots.__all__ == sorted(plots.__all__)
    assert set(public) <= set(plots.__all__)


# --------------------------------------------------------------------------- real seeds
def _seed_tables(seed_texts: dict[str, str]):
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    units, dates = [], {}
    for doc_id, text in seed_texts.items():
        match = re.match(r"\s*date (\d{4}-\d{2}-\d{2})", text)
        dates[doc_id] = match.group(1) if match else None
        paragraphs = [p for p in re.split(r"\n\s*\n|\n", text) if len(p.split()) >= 8]
        units += [(f"{doc_id}:p{i}", doc_id, p) for i, p in enumerate(paragraphs, start=1)]
    tfidf = TfidfVectorizer(stop_words="english", min_df=2)
    matrix = tfidf.fit_transform([u[2] for u in units])
    nmf = NMF(n_components=3, random_state=0, max_iter=400)
    weights = nmf.fit_transform(matrix)
    doc_topics = pd.DataFrame(weights, columns=[f"topic_{i}" for i in range(3)])
    doc_topics.insert(0, "unit_id", [u[0] for u in units])
    doc_topics.insert(1, "doc_id", [u[1] for u in units])
    doc_topics.insert(2, "level", "paragraph")
    doc_topics.insert(3, "model", "nmf")
    terms = tfidf.get_feature_names_out()
    topics = pd.DataFrame(
        [
            ("nmf", "paragraph", t, r, terms[j], float(nmf.components_[t, j]))
            for t in range(3)
            for r, j in enumerate(np.argsort(nmf.components_[t])[::-1][:8], start=1)
        ],
        columns=["model", "level", "topic", "rank", "term", "weight"],
    )
    articles = pd.DataFrame(
        {"doc_id": list(dates), "title": None, "date": pd.to_datetime(list(dates.values()))}
    )
    return topics, doc_topics, articles, matrix, weights.argmax(axis=1)


def test_plots_on_the_real_seed_articles(seed_texts, tmp_path):
    topics, doc_topics, articles, matrix, labels = _seed_tables(seed_texts)
    fig = plot_doc_topic_heatmap(doc_topics, model="nmf", level="paragraph", articles=articles)
    groups = tick_texts(fig.axes[0].child_axes[0].get_yticklabels())
    assert groups == sorted(seed_texts)  # one group label per seed article, in doc order
    fig = plot_top_terms(topics, model="nmf", level="paragraph", n_terms=8)
    assert len(fig.axes) == 3 and all(len(ax.patches) == 8 for ax in fig.axes)
    # two seeds carry a "date YYYY-MM-DD" head: enough for a time plot
    assert articles["date"].notna().sum() == 2
    fig = plot_prevalence_by_date(doc_topics, articles, model="nmf", level="paragraph")
    assert len(fig.axes[0].get_lines()[0].get_xdata()) == 2
    fig = plot_unit_map(matrix, labels, method="pca")
    assert sum(len(c.get_offsets()) for c in fig.axes[0].collections) == matrix.shape[0]
    width, height = png_size(save_figure(fig, tmp_path / "map.png"))
    assert width <= 3000 and height <= 3000
