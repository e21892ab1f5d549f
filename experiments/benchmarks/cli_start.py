"""Start-up time of the command line: ``topickit --help`` and each subcommand's ``--help``.

Each command runs as a whole new process (``python -m topickit ... --help``), as a user
would start it, so the figure includes the interpreter's own start. The table gives the
median, fastest and slowest of ``--runs`` runs per command, after one warm-up run (which
fills the file cache), and the interpreter's bare start (``python -c pass``) for contrast.
Target: every median under 0.5 s.

Run from the project root::

    PYTHONPATH=src python experiments/benchmarks/cli_start.py --runs 15
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

COMMANDS: list[list[str]] = [
    [],
    ["corpus"],
    ["run"],
    ["infer"],
    ["data"],
    ["data", "fetch"],
    ["data", "list"],
    ["clean"],
]
TARGET_SECONDS = 0.5


def _time_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return time.perf_counter() - start


def measure(runs: int) -> list[tuple[str, list[float]]]:
    """Wall times of each command's ``--help`` (and of a bare interpreter start)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    cases = [("python -c pass", [sys.executable, "-c", "pass"])]
    for words in COMMANDS:
        label = " ".join(["topickit", *words, "--help"])
        cases.append((label, [sys.executable, "-m", "topickit", *words, "--help"]))
    results = []
    for label, argv in cases:
        _time_once(argv, env)  # warm-up
        results.append((label, [_time_once(argv, env) for _ in range(runs)]))
    return results


def table(results: list[tuple[str, list[float]]]) -> str:
    """A Markdown table: command, median, min, max (seconds)."""
    width = max(len(label) for label, _ in results)
    lines = [
        f"| {'command':<{width}} | median s | min s | max s |",
        f"|{'-' * (width + 2)}|---------:|------:|------:|",
    ]
    for label, times in results:
        lines.append(
            f"| {label:<{width}} | {statistics.median(times):8.3f} | {min(times):5.3f} "
            f"| {max(times):5.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="runs per command (default 11)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    results = measure(args.runs)
    print(table(results))
    slow = [label for label, times in results[1:] if statistics.median(times) >= TARGET_SECONDS]
    print(
        f"\n{args.runs} runs each; target median < {TARGET_SECONDS} s: "
        + ("met" if not slow else "missed by " + ", ".join(slow))
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
