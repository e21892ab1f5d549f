"""Progress bars of `topickit run`: on stderr for every long phase, none with --quiet."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from topickit.cli import main
from topickit.experiment.progress import CountedTexts, progress, progress_bar

ROOT = Path(__file__).resolve().parents[1]

#: One level, one model, K = 2, one seed; themes by the lexicon scorer only.
TINY = f"""
name = "tiny"
seed = 0
levels = ["paragraph"]

[corpus]
path = "{(ROOT / "seeds").as_posix()}"

[preprocess]
no_below = 2

[sweep]
k = [2]
seeds = 1

[[models]]
name = "nmf"
kind = "nmf"

[themes]
codebook = "{(ROOT / "experiments" / "codebook.toml").as_posix()}"
annotations = "{(ROOT / "seeds" / "annotations.csv").as_posix()}"
level = "paragraph"
classifiers = ["lexicon"]
use = "lexicon"

[evaluation]
coherence = ["c_npmi"]

[outputs]
figures = "best"
prevalence_boot = 20
"""

#: What each long phase of the tiny run writes on stderr.
PHASES = [
    "loading and cleaning corpus",
    "preprocessing paragraph",
    "fitting models",
    "scoring coherence",
    "held-out perplexity",
    "cross-validating themes",
    "bootstrapping prevalence",
    "saving bundles",
    "writing figures",
]


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


def _run(config: Path, out: Path, capsys, *extra: str) -> tuple[str, str]:
    assert main(["run", str(config), "--out", str(out), *extra]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_progress_names_every_phase_on_stderr_and_stdout_holds_only_the_folder(
    tiny_config, tmp_path, capsys
):
    out = tmp_path / "run"
    stdout, stderr = _run(tiny_config, out, capsys)
    assert stdout == f"{out}\n"
    for phase in PHASES:
        assert f"{phase}:" in stderr, phase
    # the bars count what the run read: five seed articles, then every paragraph
    n_units = len((out / "doc_topics.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert "loading and cleaning corpus: 5article [" in stderr
    assert "preprocessing paragraph: 100%" in stderr and f"{n_units}/{n_units} [" in stderr
    # bars appear in the order the run reaches the phases
    positions = [stderr.index(f"{phase}:") for phase in PHASES]
    assert positions == sorted(positions)


def test_quiet_hides_every_bar_and_changes_no_output(tiny_config, tmp_path, capsys):
    loud = tmp_path / "loud"
    quiet = tmp_path / "quiet"
    _run(tiny_config, loud, capsys)
    stdout, stderr = _run(tiny_config, quiet, capsys, "--quiet")
    assert stdout == f"{quiet}\n"
    for phase in PHASES:
        assert phase not in stderr
    assert "\r" not in stderr and "it/s" not in stderr
    for name in ("metrics.json", "topics.csv", "doc_topics.csv", "themes.csv", "prevalence.csv"):
        assert (loud / name).read_bytes() == (quiet / name).read_bytes(), name


def test_progress_passes_items_through_and_counts_them(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    items = [3, 1, 2]
    assert list(progress(iter(items), "counting", enabled=True, total=3, unit="x")) == items
    text = stream.getvalue()
    assert "counting: 100%" in text and "3/3" in text


def test_disabled_progress_writes_nothing(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    assert list(progress(range(4), "counting", enabled=False)) == [0, 1, 2, 3]
    with progress_bar("by hand", enabled=False, total=2) as bar:
        bar.update()
    assert stream.getvalue() == ""


def test_counted_texts_advance_the_bar_as_they_are_read(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    texts = ["Iran warned Israel.", "Aid reached Gaza.", "Talks resumed."]
    with progress_bar("reading", enabled=True, total=3) as bar:
        counted = CountedTexts(texts, bar)
        assert len(counted) == 3 and counted[1] == texts[1] and list(counted[1:]) == texts[1:]
        assert bar.n == 0  # indexing is not reading
        reader = iter(counted)
        assert next(reader) == texts[0] and bar.n == 1
        assert list(reader) == texts[1:] and bar.n == 3
