"""Execute the notebooks in ``notebooks/`` top to bottom and check what they show.

The default experiment is run once per session into a temporary folder (figures off: the
notebooks draw their own) and handed to notebooks 02 and 03 through ``TOPICKIT_RUN``.
Each notebook runs in a fresh ``python3`` kernel started with this interpreter, with its
working folder set to ``notebooks/``. The test appends one cell that prints, as JSON, facts
read from the notebook's own variables; the appended cell is never written back.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import topickit

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 180  # seconds; a cold kernel on a busy 2-core machine can be slow
NOTEBOOK_BUDGET = 60  # seconds per notebook, with the run shared

pytestmark = pytest.mark.slow

_CHECK_01 = """
import json as _json
print(_json.dumps({
    "n_articles": len(articles),
    "unit_totals": {k: int(v) for k, v in counts.loc["total"].items()},
    "audit_rules": sorted(audit["rule"].unique()),
    "offsets_ok": all(
        slice_of(row) == row.text for frame in units.values() for row in frame.itertuples()
    ),
    "step_names": [name for name, _ in steps],
    "n_phrases": len(phrases),
    "terms_before": report["n_terms_before"],
    "terms_after": report["n_terms_after"],
    "n_dropped": int(dropped["n_terms_dropped"].sum()),
}))
"""

_CHECK_02 = """
import json as _json
print(_json.dumps({
    "lda_nmf_pairs": len(lda_nmf_pairs),
    "lda_nmf_similarity": lda_nmf_pairs["similarity"].tolist(),
    "lda_nmf_shape": list(lda_vs_nmf.matrix.shape),
    "level_pairs": len(level_pairs),
    "level_shape": list(levels.matrix.shape),
    "columns": list(lda_nmf_pairs.columns),
}))
"""

_CHECK_03 = """
import json as _json
print(_json.dumps({
    "themes": THEMES,
    "new_predicted": new_units["predicted_theme"].tolist(),
    "new_topic_sums": topic_weights.sum(axis=1).round(6).tolist(),
    "n_topics": int(bundle.n_topics),
    "n_compared": len(compared),
    "n_disagree": len(disagreements),
    "disagree_ok": bool(
        (disagreements["classifier_theme"] != disagreements["topic_theme"]).all()
    ),
    "confusion_total": int(confusion.to_numpy().sum()),
    "confusion_labels": [list(confusion.index), list(confusion.columns)],
}))
"""


def _kernel_manager(spec_dir: Path) -> KernelManager:
    """A ``python3`` kernel manager whose kernel runs on this very interpreter."""
    kernel_dir = spec_dir / "python3"
    kernel_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (test)",
        "language": "python",
    }
    (kernel_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    specs = KernelSpecManager(kernel_dirs=[str(spec_dir)], ensure_native_kernel=False)
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of ``experiments/default.toml`` (without figures) for notebooks 02 and 03."""
    config_path = ROOT / "experiments" / "default.toml"
    config, corpus_path = topickit.load_config(config_path)
    config = config.model_copy(
        update={"outputs": config.outputs.model_copy(update={"figures": "none"})}
    )
    started = time.perf_counter()
    result = topickit.run_experiment(
        config,
        corpus_path=corpus_path,
        out=tmp_path_factory.mktemp("notebook-run") / "default",
        config_path=config_path,
        progress=False,
    )
    logger.info("default experiment for the notebooks: %.1f s", time.perf_counter() - started)
    return result.path


@pytest.fixture
def execute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run a notebook with a check cell appended; return (notebook, facts, seconds)."""
    monkeypatch.setenv("MPLBACKEND", "Agg")
    package_parent = str(Path(topickit.__file__).resolve().parents[1])
    paths = [package_parent, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    # Absolute: a relative PYTHONPATH=src would not resolve from the kernel's notebooks/ cwd.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(str(Path(p).resolve()) for p in paths))

    def run(name: str, check: str, run_path: Path | None = None):
        if run_path is None:
            monkeypatch.delenv("TOPICKIT_RUN", raising=False)
        else:
            monkeypatch.setenv("TOPICKIT_RUN", str(run_path))
        notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        assert all(
            not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"
        ), f"{name}.ipynb is committed with outputs"
        notebook.cells.append(nbformat.v4.new_code_cell(check.strip()))
        client = NotebookClient(
            notebook,
            km=_kernel_manager(tmp_path / "kernels"),
            timeout=CELL_TIMEOUT,
            allow_errors=False,
            resources={"metadata": {"path": str(NOTEBOOKS)}},
        )
        started = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - started
        logger.info("%s executed in %.1f s", name, seconds)
        facts = json.loads(_stream_text(notebook.cells[-1]).strip().splitlines()[-1])
        return notebook, facts, seconds

    return run


def _stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _tagged(notebook, tag: str):
    cells = [c for c in notebook.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


def _result_text(cell) -> str:
    return "".join(
        o["data"].get("text/plain", "") for o in cell.outputs if o.output_type == "execute_result"
    )


def _n_images(notebook) -> int:
    return sum(
        "image/png" in o.get("data", {})
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )


def test_corpus_tour_shows_the_seed_corpus_step_by_step(execute) -> None:
    notebook, facts, seconds = execute("01_corpus_tour", _CHECK_01)

    assert facts["n_articles"] == 5
    assert facts["unit_totals"] == {"article": 5, "paragraph": 44, "sentence": 103}
    assert {"advertisement", "byline", "date_header"} <= set(facts["audit_rules"])
    assert facts["offsets_ok"] is True
    assert facts["step_names"][-1] == "final"
    assert "phrases" in facts["step_names"]
    assert facts["n_phrases"] >= 10
    assert facts["terms_after"] < facts["terms_before"]
    assert facts["n_dropped"] == facts["terms_before"] - facts["terms_after"]
    # What the reader sees: every unit's slice matches, the final tokens hold phrases.
    assert "paragraph: 44 of 44 units equal their slice" in _stream_text(
        _tagged(notebook, "offsets")
    )
    assert "supreme_leader" in _stream_text(_tagged(notebook, "steps"))
    assert "no_below" in _result_text(_tagged(notebook, "dropped"))
    assert seconds < NOTEBOOK_BUDGET


def test_compare_topics_matches_lda_and_nmf(execute, shared_run: Path) -> None:
    notebook, facts, seconds = execute("02_compare_topics", _CHECK_02, shared_run)

    assert facts["columns"] == ["pair", "similarity", "terms A", "terms B"]
    n_a, n_b = facts["lda_nmf_shape"]
    assert facts["lda_nmf_pairs"] == min(n_a, n_b) >= 3
    similarities = facts["lda_nmf_similarity"]
    assert similarities == sorted(similarities, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in similarities)
    # LDA and NMF on the same paragraph tokens find largely the same topics.
    assert similarities[0] > 0.5
    assert facts["level_pairs"] == min(facts["level_shape"])

    table = _result_text(_tagged(notebook, "lda-vs-nmf-table"))
    assert "similarity" in table
    assert table.count("↔") >= 3
    assert "matched pairs" in _stream_text(_tagged(notebook, "lda-vs-nmf-table"))
    assert _n_images(notebook) >= 3  # two alignment heatmaps and the top-term grid
    assert seconds < NOTEBOOK_BUDGET


def test_themes_notebook_applies_a_bundle_to_new_text(execute, shared_run: Path) -> None:
    notebook, facts, seconds = execute("03_themes", _CHECK_03, shared_run)

    themes = facts["themes"]
    assert len(themes) >= 2
    assert len(facts["new_predicted"]) == 3
    assert set(facts["new_predicted"]) <= set(themes)
    assert facts["new_topic_sums"] == pytest.approx([1.0, 1.0, 1.0], abs=1e-4)
    assert facts["n_compared"] == 44  # every seed paragraph has a theme and a topic
    assert 0 < facts["n_disagree"] < facts["n_compared"]
    assert facts["disagree_ok"] is True
    rows, columns = facts["confusion_labels"]
    assert rows == columns == themes
    assert facts["confusion_total"] > 0
    assert "agree on" in _stream_text(_tagged(notebook, "agreement"))
    # Prevalence by article and by date, and the confusion matrix.
    assert _n_images(notebook) >= 3
    assert seconds < NOTEBOOK_BUDGET
