"""Killed commands clean up: signals unwind, and stale temporary files of dead owners go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from topickit._signals import Terminated, signals_raise
from topickit._stale import TEMP_PREFIX, owner_alive, owner_tag, remove_stale, stale_paths


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_owner_tag_names_a_live_process_and_a_dead_one():
    assert owner_alive(f"{TEMP_PREFIX}run.{owner_tag()}.abc") is True
    dead = _dead_pid()
    assert owner_alive(f"{TEMP_PREFIX}run.pid{dead}-1.abc") is False
    assert owner_alive(f"{TEMP_PREFIX}run-without-tag") is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc start times")
def test_a_reused_pid_with_another_start_time_counts_as_dead():
    pid, start = owner_tag().removeprefix("pid").split("-")
    assert owner_alive(f"{TEMP_PREFIX}x.pid{pid}-{int(start) + 1}.y") is False


def test_remove_stale_takes_only_what_dead_owners_left(tmp_path):
    experiment = tmp_path / "default"
    experiment.mkdir()
    dead = _dead_pid()
    stale_dir = experiment / f"{TEMP_PREFIX}run-1.pid{dead}-1.q1"
    stale_dir.mkdir()
    (stale_dir / "metrics.json").write_text("{}")
    stale_file = tmp_path / f"{TEMP_PREFIX}preds.csv.pid{dead}-1.q2"
    stale_file.write_text("x")
    live = experiment / f"{TEMP_PREFIX}run-2.{owner_tag()}.q3"
    live.mkdir()
    untagged = experiment / f"{TEMP_PREFIX}run-3"
    untagged.mkdir()
    finished = experiment / "run-0"
    finished.mkdir()
    assert stale_paths(tmp_path) == sorted([stale_file, stale_dir])
    removed = remove_stale(tmp_path, system_temp=False)
    assert sorted(removed) == sorted([stale_file, stale_dir])
    assert not stale_dir.exists() and not stale_file.exists()
    assert live.exists() and untagged.exists() and finished.exists()


def test_signals_raise_turns_sigterm_into_terminated_and_restores_the_handler():
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated) as caught, signals_raise():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this at once
    assert caught.value.signum == signal.SIGTERM
    assert isinstance(caught.value, KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) is before


ROOT = Path(__file__).resolve().parents[1]


def _descendants(pid: int) -> list[int]:
    """Live descendants of ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _start_run(out: Path) -> subprocess.Popen:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.Popen(
        [sys.executable, "-m", "topickit", "run", "--out", str(out), "--quiet"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # a background job may inherit SIGINT as ignored; a user's run would not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _wait_for_temp(parent: Path, run: subprocess.Popen) -> list[Path]:
    deadline = time.time() + 60
    while time.time() < deadline and run.poll() is None:
        temps = list(parent.glob(f"{TEMP_PREFIX}*"))
        if temps:
            time.sleep(1.5)  # well inside the run
            return temps
        time.sleep(0.05)
    pytest.fail("the run never created its temporary folder")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_run_ended_by_a_signal_removes_its_temporary_folder(tmp_path, sig):
    out = tmp_path / "run"
    run = _start_run(out)
    try:
        _wait_for_temp(tmp_path, run)
        run.send_signal(sig)
        _, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == (130 if sig == signal.SIGINT else 128 + sig)
    assert len(err.strip().splitlines()) == 1 and "temporary files removed" in err
    assert list(tmp_path.iterdir()) == []  # no run folder, no temporary folder
    assert _descendants(run.pid) == []


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_what_a_killed_run_leaves_is_cleaned_by_the_next_clean(tmp_path):
    out = tmp_path / "run"
    run = _start_run(out)
    try:
        temps = _wait_for_temp(tmp_path, run)
        workers = _descendants(run.pid)
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=10)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    deadline = time.time() + 5
    while time.time() < deadline and [p for p in workers if Path(f"/proc/{p}").exists()]:
        time.sleep(0.1)
    assert not [p for p in workers if Path(f"/proc/{p}").exists()], "workers outlived the run"
    assert all(t.exists() for t in temps)  # SIGKILL cannot clean up ...
    done = subprocess.run(
        [sys.executable, "-m", "topickit", "clean", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not any(t.exists() for t in temps)  # ... the next clean does
    assert list(tmp_path.iterdir()) == []
