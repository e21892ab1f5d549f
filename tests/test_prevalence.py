"""Topic prevalence over time and by source, with bootstrap intervals, and its figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from topickit.corpus import load_corpus
from topickit.exceptions import TopickitError
from topickit.plots._style import save_figure
from topickit.plots.prevalence import plot_prevalence_by_source, plot_prevalence_over_time
from topickit.prevalence import outlet_name, rollup_to_articles, topic_prevalence
from topickit.segment import segment

K = 4


def _tables(n_per_group: int, n_groups: int = 3, seed: int = 0, level: str = "article"):
    """Article-level doc_topics with Dirichlet weights and weekly dates, one source per group."""
    rng = np.random.default_rng(seed)
    n = n_per_group * n_groups
    weights = rng.dirichlet(np.full(K, 0.5), size=n)
    ids = [f"d{i}" for i in range(n)]
    doc_topics = pd.DataFrame(weights, columns=[f"topic_{k}" for k in range(K)])
    doc_topics.insert(0, "model", "lda")
    doc_topics.insert(0, "level", level)
    doc_topics.insert(0, "doc_id", ids)
    doc_topics.insert(0, "unit_id", ids)
    group = np.repeat(np.arange(n_groups), n_per_group)
    # 2017-02-06 is a Monday: group g is the week starting 2017-02-06 + 7g (dates on Wed).
    dates = pd.Timestamp("2017-02-08") + pd.to_timedelta(7 * group, unit="D")
    sources = np.array(["http://www.bbc.co.uk/x", "https://tass.com/y", "Reuters"])[group % 3]
    articles = pd.DataFrame({"doc_id": ids, "date": dates, "source": sources})
    return doc_topics, articles


def test_point_estimates_are_group_means_and_sum_to_one():
    doc_topics, articles = _tables(30)
    prev = topic_prevalence(doc_topics, articles, by="date", n_boot=200)
    assert list(prev["group"].unique()) == ["2017-02-06", "2017-02-13", "2017-02-20"]
    first = doc_topics.iloc[:30][[f"topic_{k}" for k in range(K)]].mean().to_numpy()
    got = prev[prev["group"] == "2017-02-06"].sort_values("topic")["share"].to_numpy()
    np.testing.assert_allclose(got, first)
    np.testing.assert_allclose(prev.groupby("group")["share"].sum().to_numpy(), 1.0)
    assert (prev["n_articles"] == 30).all() and (prev["n_units"] == 30).all()
    assert list(prev.columns) == [
        "model",
        "level",
        "group",
        "topic",
        "share",
        "lower",
        "upper",
        "n_units",
        "n_articles",
    ]


def test_intervals_contain_estimate_and_narrow_with_more_units():
    small = topic_prevalence(*_tables(25, seed=1), by="source", n_boot=400)
    large = topic_prevalence(*_tables(100, seed=2), by="source", n_boot=400)
    for prev in (small, large):
        assert (prev["lower"] <= prev["share"]).all() and (prev["share"] <= prev["upper"]).all()
        assert (prev["lower"] < prev["upper"]).all()
    width_small = (small["upper"] - small["lower"]).mean()
    width_large = (large["upper"] - large["lower"]).mean()
    # sd of a mean halves with 4x the units; allow for bootstrap noise
    assert width_large < 0.65 * width_small
    assert sorted(small["group"].unique()) == ["Reuters", "bbc.co.uk", "tass.com"]


def test_interval_matches_known_bootstrap_spread():
    doc_topics, articles = _tables(400, n_groups=1, seed=3)
    prev = topic_prevalence(doc_topics, articles, by="date", n_boot=2000, ci=0.95)
    values = doc_topics[[f"topic_{k}" for k in range(K)]].to_numpy()
    se = values.std(axis=0, ddof=0) / np.sqrt(len(values))
    width = (prev["upper"] - prev["lower"]).to_numpy()
    np.testing.assert_allclose(width, 2 * 1.96 * se, rtol=0.12)


def test_deterministic_with_random_state():
    tables = _tables(20)
    a = topic_prevalence(*tables, by="date", random_state=5)
    b = topic_prevalence(*tables, by="date", random_state=5)
    c = topic_prevalence(*tables, by="date", random_state=6)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["lower"], c["lower"])
    np.testing.assert_allclose(a["share"], c["share"])
    # a group's interval does not depend on which other groups are present
    doc_topics, articles = tables
    only_first = topic_prevalence(doc_topics.iloc[:20], articles, by="date", random_state=5)
    pd.testing.assert_frame_equal(only_first, a[a["group"] == "2017-02-06"], check_like=True)


def test_articles_without_date_are_excluded_and_counted():
    doc_topics, articles = _tables(10)
    articles.loc[[0, 1, 2], "date"] = pd.NaT
    articles = articles.drop(index=3)  # d3 has no article row at all
    prev = topic_prevalence(doc_topics, articles, by="date", freq="M", n_boot=50)
    assert prev.attrs["excluded"] == [
        {"model": "lda", "level": "article", "n_units": 4, "n_articles": 4}
    ]
    assert prev.drop_duplicates("group")["n_articles"].sum() == 26
    assert list(prev["group"].unique()) == ["2017-02-01"]


def test_paragraph_rollup_equals_hand_computed_means():
    doc_topics = pd.DataFrame(
        {
            "unit_id": ["a:p0", "a:p1", "a:p2", "b:p0", "c:p0", "c:p1"],
            "doc_id": ["a", "a", "a", "b", "c", "c"],
            "level": "paragraph",
            "model": "nmf",
            "topic_0": [1.0, 0.0, 0.5, 0.2, 0.9, 0.1],
            "topic_1": [0.0, 1.0, 0.5, 0.8, 0.1, 0.9],
            "n_tokens": [10, 30, 0, 5, 1, 3],
        }
    )
    rolled = rollup_to_articles(doc_topics, ["topic_0", "topic_1"])
    np.testing.assert_allclose(rolled.loc["a", "topic_0"], 0.5)
    np.testing.assert_allclose(rolled.loc["c", "topic_1"], 0.5)
    assert rolled["n_units"].tolist() == [3, 1, 2]
    articles = pd.DataFrame({"doc_id": ["a", "b", "c"], "source": ["X", "X", "Y"]})
    prev = topic_prevalence(doc_topics, articles, by="source", n_boot=100)
    x = prev[(prev["group"] == "X") & (prev["topic"] == 0)].iloc[0]
    assert x["share"] == pytest.approx((0.5 + 0.2) / 2)
    assert (x["n_units"], x["n_articles"]) == (4, 2)
    weighted = topic_prevalence(doc_topics, articles, by="source", unit_weights="n_tokens")
    y = weighted[(weighted["group"] == "Y") & (weighted["topic"] == 1)].iloc[0]
    assert y["share"] == pytest.approx((0.1 * 1 + 0.9 * 3) / 4)
    xw = weighted[(weighted["group"] == "X") & (weighted["topic"] == 0)].iloc[0]
    assert xw["share"] == pytest.approx(((1.0 * 10 + 0.0 * 30) / 40 + 0.2) / 2)
    by_series = topic_prevalence(
        doc_topics, articles, by="source", unit_weights=doc_topics.set_index("unit_id")["n_tokens"]
    )
    pd.testing.assert_frame_equal(by_series, weighted)


def test_models_with_fewer_topics_and_bad_options():
    doc_topics, articles = _tables(10)
    small = doc_topics.assign(model="nmf", topic_3=np.nan)
    prev = topic_prevalence(pd.concat([doc_topics, small]), articles, by="date", n_boot=0)
    assert set(prev.loc[prev["model"] == "nmf", "topic"]) == {0, 1, 2}
    assert prev["lower"].isna().all()
    with pytest.raises(TopickitError, match="freq"):
        topic_prevalence(doc_topics, articles, freq="Q")
    with pytest.raises(TopickitError, match="no column 'outlet'"):
        topic_prevalence(doc_topics, articles, by="source", column="outlet")
    with pytest.raises(TopickitError, match="ci"):
        topic_prevalence(doc_topics, articles, ci=1.5)


def test_outlet_name():
    assert outlet_name("http://www.bbc.co.uk/news/world-1") == "bbc.co.uk"
    assert outlet_name("http://europe.chinadaily.com.cn/a") == "europe.chinadaily.com.cn"
    assert outlet_name(" Reuters ") == "Reuters"
    assert outlet_name(None) is None and outlet_name(float("nan")) is None
    assert outlet_name("") is None


def test_on_seed_paragraphs(seeds_dir):
    articles = load_corpus(seeds_dir)
    units = segment(articles, "paragraph")
    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.ones(3), size=len(units))
    doc_topics = pd.DataFrame(weights, columns=["topic_0", "topic_1", "topic_2"])
    doc_topics.insert(0, "model", "lda")
    doc_topics.insert(0, "level", "paragraph")
    doc_topics.insert(0, "doc_id", units["doc_id"].to_numpy())
    doc_topics.insert(0, "unit_id", units["unit_id"].to_numpy())
    prev = topic_prevalence(doc_topics, articles, by="date", freq="M", n_boot=100)
    dated = articles["date"].notna().sum()
    excluded = prev.attrs["excluded"][0]
    assert prev.drop_duplicates("group")["n_articles"].sum() + excluded["n_articles"] == 5
    assert excluded["n_articles"] == 5 - dated
    assert prev.drop_duplicates("group")["n_units"].sum() + excluded["n_units"] == len(units)
    np.testing.assert_allclose(prev.groupby("group")["share"].sum(), 1.0)


def test_figures(tmp_path):
    doc_topics, articles = _tables(40, n_groups=6, seed=4)
    articles.loc[0, "date"] = pd.Timestamp("2016-04-19")  # a stray early article is hidden
    over_time = topic_prevalence(doc_topics, articles, by="date")
    labels = {0: "trump, president, white_house", 1: "syria, aleppo"}
    fig = plot_prevalence_over_time(
        over_time, model="lda", level="article", topics=[0, 1, 3], labels=labels
    )
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3
    assert [len(line.get_xdata()) for line in ax.get_lines()] == [6, 6, 6]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["T0 · trump, president, white_house", "T1 · syria, aleppo", "Topic 3"]
    top = plot_prevalence_over_time(over_time, model="lda", level="article", top_n=2)
    shown = over_time[over_time["n_articles"] >= 5]
    shares = (shown["share"] * shown["n_articles"]).groupby(shown["topic"]).sum()
    means = shares.sort_values(ascending=False)  # article-weighted: same order as the share
    top_legend = [t.get_text() for t in top.axes[0].get_legend().get_texts()]
    assert top_legend == [f"Topic {t}" for t in means.index[:2]]
    assert "1 period(s) with < 5 articles hidden" in fig.axes[1].get_title(loc="left")
    assert save_figure(fig, tmp_path / "time.png").stat().st_size > 0
    by_source = topic_prevalence(doc_topics, articles, by="source")
    fig = plot_prevalence_by_source(by_source, model="lda", level="article", topics=[0, 2])
    assert [a.get_title(loc="left") for a in fig.axes if a.get_visible()] == ["Topic 0", "Topic 2"]
    assert save_figure(fig, tmp_path / "source.png").stat().st_size > 0
    with pytest.raises(TopickitError, match="not dates"):
        plot_prevalence_over_time(by_source, model="lda", level="article")
    with pytest.raises(TopickitError, match="no rows"):
        plot_prevalence_by_source(by_source, model="nmf", level="article")
