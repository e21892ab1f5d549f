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
    assert owner_alive(f"{TEMP_PREFIX}run.{dead}-1.abc") is False
    assert owner_alive(f"{TEMP_PREFIX}run-without-tag") is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc start times")
def test_a_reused_pid_with_another_start_time_counts_as_dead():
    pid, start = owner_tag().split("-")
    assert owner_alive(f"{TEMP_PREFIX}x.{pid}-{int(start) + 1}.y") is False


def test_remove_stale_takes_only_what_dead_owners_left(tmp_path):
    experiment = tmp_path / "default"
    experiment.mkdir()
    dead = _dead_pid()
    stale_dir = experiment / f"{TEMP_PREFIX}run-1.{dead}-1.q1"
    stale_dir.mkdir()
    (stale_dir / "metrics.json").write_text("{}")
    stale_file = tmp_path / f"{TEMP_PREFIX}preds.csv.{dead}-1.q2"
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
