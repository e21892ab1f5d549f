"""The reliability contract at the command line: nothing the user had is lost or overwritten,
two runs never share a folder, and a bad config value is one line naming the file and key."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def topickit(*args: str, cwd: Path = ROOT, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "topickit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def no_temporary_files(folder: Path) -> bool:
    return not [p for p in folder.rglob("*") if p.name.startswith(".topickit-tmp-")]


def tiny_config(folder: Path, name: str = "tiny", sweep: str = "k = [2]\nseeds = 1") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\nlevels = ["article"]\n[corpus]\npath = "{SEEDS}"\n'
        f'[sweep]\n{sweep}\n[[models]]\nname = "nmf"\nkind = "nmf"\n'
    )
    return path


# ------------------------------------------------------------------ never lose the user's data
def test_corpus_out_refuses_an_existing_file_unless_forced(tmp_path):
    out = tmp_path / "units.csv"
    out.write_text("my own notes\n")
    line = one_error_line(topickit("corpus", str(SEEDS), "--out", str(out), "--show", "0"))
    assert str(out) in line and "--force" in line
    assert out.read_text() == "my own notes\n"
    forced = topickit("corpus", str(SEEDS), "--out", str(out), "--show", "0", "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_text().startswith("unit_id,")
    assert no_temporary_files(tmp_path)


def test_no_writer_writes_onto_its_own_input_even_with_force(tmp_path):
    table = tmp_path / "news.csv"
    table.write_text("doc_id,text\na,Israel struck Gaza overnight.\nb,Talks resumed in Doha.\n")
    before = table.read_bytes()
    line = one_error_line(topickit("corpus", str(table), "--out", str(table), "--force"))
    assert "input" in line
    assert table.read_bytes() == before
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Israel struck Gaza overnight.\n")
    inside = folder / "units.csv"
    line = one_error_line(topickit("corpus", str(folder), "--out", str(inside), "--force"))
    assert "inside the input folder" in line and not inside.exists()


def test_infer_out_never_replaces_a_file_or_writes_into_the_model(tmp_path):
    run = topickit("run", str(tiny_config(tmp_path)), "--out", str(tmp_path / "run"), "--quiet")
    assert run.returncode == 0, run.stderr
    bundle = next((tmp_path / "run" / "models").iterdir())
    preds = tmp_path / "preds.csv"
    preds.write_text("keep me\n")
    line = one_error_line(topickit("infer", str(bundle), str(SEEDS), "--out", str(preds)))
    assert "--force" in line and preds.read_text() == "keep me\n"
    into_model = bundle / "preds.csv"
    line = one_error_line(
        topickit("infer", str(bundle), str(SEEDS), "--out", str(into_model), "--force")
    )
    assert "inside the input folder" in line and not into_model.exists()
    ok = topickit("infer", str(bundle), str(SEEDS), "--out", str(preds), "--force")
    assert ok.returncode == 0, ok.stderr
    assert preds.read_text().startswith("unit_id,")


def test_writing_into_a_folder_or_a_missing_place_is_one_line(tmp_path):
    line = one_error_line(topickit("corpus", str(SEEDS), "--out", str(tmp_path)))
    assert "folder" in line
    blocked = tmp_path / "file"
    blocked.write_text("x")
    one_error_line(topickit("corpus", str(SEEDS), "--out", str(blocked / "units.csv")))
    assert no_temporary_files(tmp_path)


# ------------------------------------------------------------------ runs never share a folder
def _wait_for_claim(parent: Path, process: subprocess.Popen) -> None:
    deadline = time.time() + 60
    while time.time() < deadline and process.poll() is None:
        if list(parent.glob(".topickit-tmp-*.claim")):
            return
        time.sleep(0.02)
    pytest.fail("the first run never claimed its folder")


@pytest.mark.slow
def test_a_second_run_with_the_same_out_is_refused_at_start(tmp_path):
    # long enough (paragraph level, 8 K values x 5 seeds) to be running when the second starts
    config = tiny_config(tmp_path, sweep="k = [2, 3, 4, 5, 6, 7, 8, 9]\nseeds = 5")
    config.write_text(config.read_text().replace('["article"]', '["paragraph"]'))
    out = tmp_path / "runs" / "shared"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    first = subprocess.Popen(
        [sys.executable, "-m", "topickit", "run", str(config), "--out", str(out), "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_claim(out.parent, first)
        started = time.time()
        second = topickit("run", str(config), "--out", str(out), "--quiet")
        line = one_error_line(second)
        assert "being written" in line and time.time() - started < 30
        _, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert (out / "metrics.json").is_file()
    assert no_temporary_files(out.parent)


@pytest.mark.slow
def test_two_default_runs_started_together_get_their_own_folders(tmp_path):
    config = tiny_config(tmp_path)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "topickit", "run", str(config), "--quiet"]
    runs = [
        subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outs = [Path(run.communicate(timeout=180)[0].strip().splitlines()[-1]) for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    assert outs[0] != outs[1]
    assert all((tmp_path / out / "metrics.json").is_file() for out in outs)
    assert no_temporary_files(tmp_path / "results")


# ------------------------------------------------------------------ configs checked when read
@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("[sweep]\nk = [-3]", "sweep.k"),
        ("[sweep]\nk = [1]", "sweep.k"),
        ("seed = 4294967296", "seed"),
        ("[sweep]\nseeds = true", "sweep.seeds"),
        ("[sweep]\nseeds = 2.5", "sweep.seeds"),
        ('levels = []\n[[models]]\nname = "x"\nkind = "nmf"', "levels"),
        ("[evaluation]\ntopn = true", "evaluation.topn"),
        ("[outputs]\nprevalence_boot = -1", "outputs.prevalence_boot"),
        ("[preprocess]\nno_above = 1.5", "preprocess.no_above"),
    ],
)
def test_every_numeric_setting_is_range_checked_when_the_config_is_read(tmp_path, setting, key):
    path = tmp_path / "bad.toml"
    path.write_text(f'name = "bad"\n{setting}\n[[models]]\nname = "nmf"\nkind = "nmf"\n')
    line = one_error_line(topickit("run", str(path), "--out", str(tmp_path / "run")))
    assert str(path) in line and key in line
    assert not (tmp_path / "run").exists() and no_temporary_files(tmp_path)


def test_a_seed_beyond_32_bits_on_the_command_line_is_one_line(tmp_path):
    config = tiny_config(tmp_path)
    line = one_error_line(
        topickit("run", str(config), "--seed", str(2**32), "--out", str(tmp_path / "r"))
    )
    assert "seed" in line


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_the_run_summary_lists_every_skipped_input(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        (corpus / seed.name).write_bytes(seed.read_bytes())
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    config = tiny_config(tmp_path)
    config.write_text(config.read_text().replace(str(SEEDS), str(corpus)))
    run = topickit("run", str(config), "--out", str(tmp_path / "run"), "--quiet")
    assert run.returncode == 0, run.stderr
    assert "pipe.txt" in run.stderr and "broken.txt" in run.stderr  # warned ...
    summary = (tmp_path / "run" / "summary.md").read_text()
    assert "Skipped while loading: 2 file(s)" in summary  # ... and listed
    assert "`pipe.txt`: not a regular file" in summary and "`broken.txt`: broken" in summary
