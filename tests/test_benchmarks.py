"""Smoke runs of the benchmark scripts in ``experiments/benchmarks/`` (not timed).

The full benchmarks run by hand (see ``experiments/BENCHMARKS.md``); these runs check that
the scripts work end to end on the seeds and that what they record is consistent.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from topickit.corpus import load_corpus
from topickit.segment import segment

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "experiments" / "benchmarks"


def _run(script: str, *args: str | Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, str(SCRIPTS / script), *map(str, args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_quick_benchmark_runs_every_task_on_the_seeds(tmp_path):
    out, report = tmp_path / "runs.csv", tmp_path / "report.md"
    done = _run("run_benchmarks.py", "--quick", "--out", out, "--report", report)
    assert done.returncode == 0, done.stderr[-2000:]
    with open(out, newline="", encoding="utf-8") as f:
        rows = {row["run"]: row for row in csv.DictReader(f)}
    assert {row["benchmark"] for row in rows.values()} == {
        "memory",
        "parallel",
        "lemma",
        "overhead",
    }
    # the seed paragraphs, the same vocabulary whichever path and number of workers
    preprocessing = [r for r in rows.values() if r["benchmark"] in ("parallel", "lemma")]
    preprocessing = [r for r in preprocessing if not r["run"].startswith("ceiling")]
    assert len(preprocessing) == 6
    assert {r["units"] for r in preprocessing} == {"44"}
    assert {r["terms"] for r in preprocessing if r["lemmatize"] == "True"} == {"631"}
    assert all(float(r["pre_s"]) > 0 for r in preprocessing)
    # the machine ceiling ran its 8 work units in one process and in two
    assert rows["ceiling n_jobs=1"]["units"] == rows["ceiling n_jobs=2"]["units"] == "8"
    assert rows["ceiling n_jobs=2"]["terms"] == rows["ceiling n_jobs=1"]["terms"]
    # kit and library fit the same topics
    for model in ("lda", "nmf"):
        kit, raw = rows[f"{model}_kit"]["c_npmi"], rows[f"{model}_raw"]["c_npmi"]
        assert float(kit) == pytest.approx(float(raw), abs=1e-9)
    text = report.read_text(encoding="utf-8")
    assert "### Targets" in text
    assert "ceiling: time n_jobs=1 / n_jobs=2" in text
    assert text.count("n/a (quick)") >= 10


def test_fast_lda_benchmark_compares_the_backends(tmp_path, seeds_dir):
    paragraphs = segment(load_corpus(seeds_dir), "paragraph")
    table = tmp_path / "seeds.csv"
    pd.DataFrame({"text": paragraphs["text"]}).to_csv(table, index=False)
    out = tmp_path / "fast.csv"
    done = _run(
        "fast_lda.py",
        "--csv",
        table,
        "--title-column",
        "",
        "--n-topics",
        "3",
        "--passes",
        "2",
        "--iterations",
        "50,400",
        "--no-below",
        "2",
        "--out",
        out,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = pd.read_csv(out)
    # gensim once, tomotopy at each iteration count (and at gensim's time, if predicted)
    assert list(result["model"][:3]) == ["gensim", "tomotopy", "tomotopy"]
    assert list(result["setting"][1:3]) == ["iterations=50", "iterations=400"]
    assert len(result) in (3, 4)
    assert result["equal_time"].sum() <= 1
    assert result["c_npmi"].between(-1, 1).all()
    # times are rounded to 10 ms, which a small tomotopy fit on the seeds can round to 0
    assert (result["seconds"] >= 0).all() and result["seconds"][0] > 0


def test_fast_lda_names_a_missing_file(tmp_path):
    done = _run("fast_lda.py", "--csv", tmp_path / "nope.csv")
    assert done.returncode == 2
    assert "nope.csv: no such file" in done.stderr
