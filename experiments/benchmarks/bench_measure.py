"""Run a benchmark task in a fresh process and measure the peak memory of its process tree.

Method: the parent starts ``python run_benchmarks.py --worker`` and polls, every
``interval`` seconds, the worker and all its descendants (tokenising pool workers) with
psutil. Each poll sums the resident set size (RSS) over the tree, and also the proportional
set size (PSS: shared pages split between the processes sharing them, so that pages a forked
worker still shares with its parent are not counted twice). The peaks of both sums are
reported. The worker itself also reports ``ru_maxrss`` of itself and of its waited-for
children (``getrusage``): exact, but each is the peak of a *single* process, not of the tree.
For a single-process run (``n_jobs=1``) the figure to read is ``maxrss_self_mb``.

Polling costs CPU (listing the tree, reading each process's page maps for PSS), which on two
cores competes with the workers being timed. Runs that are only timed pass
``measure_memory=False``: the parent then just waits, and the peaks are not reported.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import psutil

__all__ = ["machine_info", "run_measured"]

#: BLAS/OpenMP threads per process: 1, so that timings compare like with like on 2 cores.
THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return [proc]


def _sample(proc: psutil.Process, with_pss: bool) -> tuple[int, int, int]:
    rss = pss = 0
    procs = _tree(proc)
    for p in procs:
        try:
            if with_pss:
                info = p.memory_full_info()
                rss += info.rss
                pss += info.pss
            else:
                rss += p.memory_info().rss
        except psutil.Error:
            continue
    return rss, pss, len(procs)


def run_measured(
    script: Path,
    tasks: list[tuple[str, dict[str, Any]]],
    *,
    src: Path,
    interval: float = 0.05,
    timeout: float = 3600.0,
    measure_memory: bool = True,
) -> dict[str, Any]:
    """Run ``tasks`` (name, params) in one fresh worker process; return results and peaks.

    Returns
    -------
    dict
        ``results`` (one dict per task), ``peak_tree_rss_mb``, ``peak_tree_pss_mb``,
        ``max_procs`` (None without ``measure_memory``), ``wall_s`` and ``load_before``
        (1-minute load average).
    """
    env = dict(os.environ, **THREAD_ENV)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH", "")]))
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, str(script), "--worker", json.dumps(tasks)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    proc = psutil.Process(child.pid)
    peak_rss = peak_pss = max_procs = 0
    polls = 0
    while measure_memory and child.poll() is None:
        rss, pss, n = _sample(proc, with_pss=polls % 4 == 0)
        peak_rss, peak_pss, max_procs = max(peak_rss, rss), max(peak_pss, pss), max(max_procs, n)
        polls += 1
        if time.perf_counter() - start > timeout:
            child.kill()
            raise TimeoutError(f"benchmark worker exceeded {timeout:.0f} s: {tasks}")
        time.sleep(interval)
    try:
        out, _ = child.communicate(timeout=None if measure_memory else timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        raise TimeoutError(f"benchmark worker exceeded {timeout:.0f} s: {tasks}") from None
    if child.returncode != 0:
        raise RuntimeError(f"benchmark worker failed (exit {child.returncode}): {tasks}")
    lines = [line for line in out.splitlines() if line.startswith("{")]
    return {
        "results": [json.loads(line) for line in lines],
        "peak_tree_rss_mb": peak_rss / 2**20 if measure_memory else None,
        "peak_tree_pss_mb": peak_pss / 2**20 if measure_memory else None,
        "max_procs": max_procs if measure_memory else None,
        "wall_s": time.perf_counter() - start,
        "load_before": load_before,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, str]:
    """Cores, RAM, CPU model, OS, Python and package versions."""
    packages = {}
    for name in ("gensim", "scikit-learn", "numpy", "scipy", "pandas", "simplemma", "psutil"):
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = "-"
    return {
        "cores": str(os.cpu_count()),
        "ram_gb": f"{psutil.virtual_memory().total / 2**30:.1f}",
        "cpu": _cpu_model(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": ", ".join(f"{k} {v}" for k, v in packages.items()),
    }
