"""The one worker-pool helper: results in order, and no worker outlives its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from topickit._workers import WorkerPool, run_jobs


def _scaled(state: int, task: int) -> tuple[int, int]:
    return state * task, os.getpid()


def test_results_come_back_in_task_order_from_every_worker():
    tasks = list(range(40))
    with WorkerPool(2, state=3) as pool:
        results = list(pool.map(_scaled, tasks, in_flight=5))
    assert [value for value, _ in results] == [3 * t for t in tasks]
    assert os.getpid() not in {pid for _, pid in results}
    with WorkerPool(1, state=3) as pool:
        assert [v for v, _ in pool.map(_scaled, tasks)] == [3 * t for t in tasks]


def test_run_jobs_sends_a_closure_to_forked_workers():
    offset = 7  # a closure over local data: not picklable, inherited by fork
    assert list(run_jobs(lambda x: x + offset, range(10), n_jobs=2)) == list(range(7, 17))


_PARENT = textwrap.dedent(
    """
    import os, sys, time
    from topickit._workers import WorkerPool

    def hold(state, task):
        time.sleep(600)

    with WorkerPool(2) as pool:
        results = pool.map(hold, range(2), in_flight=2)
        # start the tasks, then report the workers' pids and wait to be killed
        pending = iter(results)
        import threading
        threading.Thread(target=lambda: next(pending, None), daemon=True).start()
        deadline = time.time() + 30
        while len(pool._pool._processes or {}) < 2 and time.time() < deadline:
            time.sleep(0.05)
        print(" ".join(str(p) for p in pool._pool._processes), flush=True)
        time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waiting for its reaper counts as gone
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


@pytest.mark.skipif(sys.platform != "linux", reason="checks Linux process state in /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_within_seconds_when_the_parent_is_killed(sig):
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        line = parent.stdout.readline()
        workers = [int(p) for p in line.split()]
        assert len(workers) == 2 and all(_alive(p) for p in workers)
        parent.send_signal(sig)
        parent.wait(timeout=10)
        deadline = time.time() + 5
        while any(_alive(p) for p in workers) and time.time() < deadline:
            time.sleep(0.1)
        assert not [p for p in workers if _alive(p)], "workers outlived their parent"
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
