"""The experiment runner end to end on the seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from topickit._atomic import TEMP_PREFIX
from topickit.exceptions import ConfigError, TopickitError
from topickit.experiment import load_config, parse_config, run_experiment

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SMALL = {
    "name": "small",
    "seed": 3,
    "levels": ["article", "paragraph"],
    "corpus": {"path": str(ROOT / "seeds")},
    "preprocess": {"no_below": 2},
    "sweep": {"k": [3, 4], "k_by_level": {"article": [2, 3]}, "seeds": 2},
    "models": [
        {"name": "nmf", "kind": "nmf"},
        {
            "name": "lda",
            "kind": "gensim_lda",
            "params": {"passes": 10, "iterations": 200, "init": "nmf"},
        },
        {
            "name": "naive",
            "kind": "gensim_lda",
            "preprocess": "naive",
            "baseline": True,
            "k": 3,
            "levels": ["paragraph"],
            "params": {"passes": 5},
        },
    ],
    "compare": [
        {"a": "lda", "b": "nmf", "level": "paragraph"},
        {"a": "lda@article", "b": "lda@paragraph"},
    ],
    "outputs": {"figures": "best"},
}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    config = parse_config(SMALL)
    out = tmp_path_factory.mktemp("runs") / "run"
    result = run_experiment(config, corpus_path=ROOT / "seeds", out=out, progress=False)
    return config, result, out


def test_run_folder_has_every_file_and_they_parse(small_run):
    _, _, out = small_run
    for name in (
        "config.toml",
        "environment.json",
        "metrics.json",
        "metrics.csv",
        "topics.csv",
        "doc_topics.csv",
        "summary.md",
    ):
        assert (out / name).is_file(), name
    env = json.loads((out / "environment.json").read_text())
    assert env["seed"] == 3 and env["packages"]["gensim"]
    metrics = pd.read_csv(out / "metrics.csv")
    assert list(metrics.columns) == ["model", "level", "k", "seed", "metric", "value"]
    assert {"c_v", "c_npmi", "u_mass", "topic_diversity", "stability", "silhouette"} <= set(
        metrics.metric
    )
    topics = pd.read_csv(out / "topics.csv")
    assert {"model", "level", "topic", "rank", "term", "weight"} <= set(topics.columns)
    doc_topics = pd.read_csv(out / "doc_topics.csv")
    assert {"unit_id", "doc_id", "level", "model", "topic_0"} <= set(doc_topics.columns)
    assert set(doc_topics.level) == {"article", "paragraph"}
    figures = sorted((out / "figures").glob("*.png"))
    assert len(figures) >= 5
    for png in figures:
        data = png.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5_000, png.name
    assert [p.name for p in out.parent.iterdir()] == [out.name], "temporary folder left behind"
    assert not list(out.rglob(f"{TEMP_PREFIX}*")), "temporary file left behind"


def test_resolved_config_round_trips(small_run):
    config, _, out = small_run
    again, _ = load_config(out / "config.toml")
    assert again == config


def test_metrics_are_complete_for_the_sweep(small_run):
    _, result, _ = small_run
    m = result.metrics
    lda = m[(m.model == "lda") & (m.level == "paragraph") & (m.metric == "c_npmi")]
    assert sorted(lda.k.unique()) == [3, 4] and len(lda) == 4  # 2 K x 2 seeds
    art = m[(m.model == "nmf") & (m.level == "article") & (m.metric == "c_v")]
    assert sorted(art.k.unique()) == [2, 3]
    assert m.value.notna().all()
    assert set(result.best) == {"article", "paragraph"}
    assert result.best["paragraph"] != "naive"


def test_summary_reads_as_a_first_page(small_run):
    _, result, out = small_run
    summary = (out / "summary.md").read_text()
    assert "## Best model per level" in summary
    assert "## Against the naive baseline" in summary
    assert "| naive | paragraph | 3 |" in summary
    best = result.best["paragraph"]
    first_topic = ", ".join(
        t.replace("_", " ") for t in result.final[(best, "paragraph")].top_terms(10)[0]
    )
    assert first_topic in summary
    for link in [line for line in summary.splitlines() if "](figures/" in line]:
        target = link.split("](")[1].rstrip(")")
        assert (out / target).is_file(), target


def test_rerun_gives_identical_metrics_and_topics(small_run, tmp_path):
    config, _, out = small_run
    run_experiment(config, corpus_path=ROOT / "seeds", out=tmp_path / "again", progress=False)
    for name in ("metrics.json", "topics.csv", "metrics.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name


def test_two_default_runs_never_share_a_folder(tmp_path):
    config = parse_config(
        {
            **SMALL,
            "levels": ["article"],
            "models": [SMALL["models"][0]],
            "compare": [],
            "outputs": {"figures": "none"},
        }
    )
    first = run_experiment(
        config, corpus_path=ROOT / "seeds", results_root=tmp_path, progress=False
    )
    second = run_experiment(
        config, corpus_path=ROOT / "seeds", results_root=tmp_path, progress=False
    )
    assert first.path != second.path
    assert first.path.parent == second.path.parent == tmp_path / "small"


def test_failed_run_leaves_no_folder(tmp_path):
    config = parse_config({**SMALL, "corpus": {"path": str(tmp_path / "missing")}})
    with pytest.raises(Exception, match="does not exist"):
        run_experiment(
            config, corpus_path=tmp_path / "missing", out=tmp_path / "out", progress=False
        )
    assert not (tmp_path / "out").exists()
    assert list(tmp_path.iterdir()) == []


def test_existing_output_folder_is_refused(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x.txt").write_text("x")
    config = parse_config(SMALL)
    with pytest.raises(TopickitError, match="taken already exists and is not empty"):
        run_experiment(config, corpus_path=ROOT / "seeds", out=tmp_path / "taken", progress=False)
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["x.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_run_failing_while_writing_leaves_nothing(tmp_path, monkeypatch):
    import topickit.experiment.runner as runner

    def broken_figures(folder, *args, **kwargs):
        assert (folder.path / "metrics.json").is_file()  # the tables were written already
        raise OSError("disk full")

    monkeypatch.setattr(runner, "write_figures", broken_figures)
    small = {**SMALL, "models": SMALL["models"][:1], "compare": [], "sweep": {"k": [2]}}
    with pytest.raises(OSError, match="disk full"):
        run_experiment(
            parse_config(small), corpus_path=ROOT / "seeds", out=tmp_path / "out", progress=False
        )
    assert list(tmp_path.iterdir()) == []


def test_bad_config_is_rejected_before_any_work():
    with pytest.raises(ConfigError, match=r"sweep\.seeds"):
        parse_config({**SMALL, "sweep": {"seeds": 0}})
