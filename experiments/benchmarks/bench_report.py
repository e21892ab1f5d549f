"""Targets, plain-text tables and the Markdown report of run_benchmarks.py."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

__all__ = ["render_markdown", "render_table", "summarise"]


def _pick(rows: Sequence[dict[str, Any]], label: str, key: str, how=min) -> float:
    """Best (min by default) value of ``key`` over the repeats of run ``label``."""
    values = [r[key] for r in rows if r["run"] == label and r.get(key) is not None]
    return float(how(values)) if values else math.nan


def _paired_ratios(rows: Sequence[dict[str, Any]], one: str, two: str) -> list[float]:
    """``pre_s`` of run ``one`` over that of run ``two`` in each repeat that has both."""
    times = {(r["run"], r["repeat"]): r["pre_s"] for r in rows if r.get("pre_s") is not None}
    repeats = sorted({rep for run, rep in times if run == one})
    return [times[one, rep] / times[two, rep] for rep in repeats if (two, rep) in times]


def _target(
    benchmark: str, metric: str, value: float, target: str, ok: bool | None, detail: str
) -> dict[str, Any]:
    met = "n/a" if ok is None or math.isnan(value) else ("yes" if ok else "NO")
    return {
        "benchmark": benchmark,
        "metric": metric,
        "value": round(value, 3),
        "target": target,
        "met": met,
        "detail": detail,
    }


def summarise(rows: Sequence[dict[str, Any]], *, scale: int, quick: bool) -> list[dict[str, Any]]:
    """One row per target: the measured ratio, the target and whether it is met."""
    out = []
    labels = {r["run"] for r in rows}
    topics = 5 if quick else 20
    mem_key = "peak_tree_rss_mb" if quick else "maxrss_self_mb"
    for task in ("stream", "in_memory"):
        small, big = f"{task} 1x K={topics}", f"{task} {scale}x K={topics}"
        if small in labels and big in labels:
            a, b = _pick(rows, small, mem_key, max), _pick(rows, big, mem_key, max)
            ratio = b / a
            out.append(
                _target(
                    "memory",
                    f"{task}: peak {scale}x / peak 1x",
                    ratio,
                    "<= 1.3" if task == "stream" else "(contrast)",
                    None if quick or task != "stream" else ratio <= 1.3,
                    f"{a:.0f} MB -> {b:.0f} MB ({mem_key})",
                )
            )
    for task in ("ceiling", "stream", "in_memory"):
        one, two = f"{task} n_jobs=1", f"{task} n_jobs=2"
        if task != "ceiling":
            one, two = f"{one} lemmatize=True", f"{two} lemmatize=True"
        if one in labels and two in labels:
            a, b = _pick(rows, one, "pre_s"), _pick(rows, two, "pre_s")
            paired = _paired_ratios(rows, one, two)
            out.append(
                _target(
                    "parallel",
                    f"{task}: time n_jobs=1 / n_jobs=2",
                    a / b,
                    "(machine)" if task == "ceiling" else ">= 1.6",
                    None if task == "ceiling" else a / b >= 1.6,
                    f"{a:.1f} s -> {b:.1f} s (fastest of each); per repeat "
                    + ", ".join(f"{x:.2f}" for x in paired),
                )
            )
    for task in ("stream", "in_memory"):
        lem, raw = f"{task} n_jobs=1 lemmatize=True", f"{task} n_jobs=1 lemmatize=False"
        if lem in labels and raw in labels:
            a, b = _pick(rows, lem, "pre_s"), _pick(rows, raw, "pre_s")
            out.append(
                _target(
                    "lemma",
                    f"{task}: time lemmatize / no lemmatize",
                    a / b,
                    "<= 1.3",
                    a / b <= 1.3,
                    f"{b:.1f} s -> {a:.1f} s",
                )
            )
    for model in ("lda", "nmf"):
        kit, raw = f"{model}_kit", f"{model}_raw"
        if kit in labels and raw in labels:
            a, b = _pick(rows, kit, "fit_s"), _pick(rows, raw, "fit_s")
            out.append(
                _target(
                    "overhead",
                    f"{model}: time kit / library",
                    a / b,
                    "<= 1.10",
                    a / b <= 1.10,
                    f"{b:.1f} s (library) vs {a:.1f} s (kit)",
                )
            )
            key = "peak_tree_rss_mb" if quick else "maxrss_after_fit_mb"
            a, b = _pick(rows, kit, key, max), _pick(rows, raw, key, max)
            out.append(
                _target(
                    "overhead",
                    f"{model}: peak memory kit / library",
                    a / b,
                    "<= 1.10",
                    None if quick else a / b <= 1.10,
                    f"{b:.0f} MB vs {a:.0f} MB ({key})",
                )
            )
            a, b = _pick(rows, kit, "c_npmi"), _pick(rows, raw, "c_npmi")
            out.append(
                _target(
                    "overhead",
                    f"{model}: c_npmi kit - library",
                    a - b,
                    "~ 0",
                    abs(a - b) < 1e-6,
                    f"library {b:.4f}, kit {a:.4f}",
                )
            )
    if quick:  # a smoke run on a few paragraphs: the figures say nothing about the targets
        for row in out:
            row["met"] = "n/a (quick)"
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return "-" if value is None else str(value)


def render_table(rows: Sequence[dict[str, Any]], *, markdown: bool = False) -> str:
    """Rows as an aligned plain-text (or Markdown) table."""
    if not rows:
        return "(no rows)"
    keys = list(rows[0])
    cells = [[_fmt(r.get(k)) for k in keys] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(keys) + " |", "|" + "|".join("---" for _ in keys) + "|"]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
        return "\n".join(lines)
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def render_markdown(
    rows: Sequence[dict[str, Any]],
    summary: Sequence[dict[str, Any]],
    machine: dict[str, str],
    started: dt.datetime | None,
    argv: Sequence[str],
) -> str:
    """The generated results section: machine, command, targets and every run."""
    loads = [r["load_before"] for r in rows if r.get("load_before") is not None]
    when = f"Run started {started:%Y-%m-%d %H:%M} UTC" if started else "Summarised"
    lines = [
        f"{when} with `python experiments/benchmarks/run_benchmarks.py {' '.join(argv)}`.",
        "",
        f"Machine: {machine['cores']} cores, {machine['ram_gb']} GB RAM, CPU {machine['cpu']}; "
        f"{machine['os']}; Python {machine['python']}; {machine['packages']}.",
        "",
        f"1-minute load average before the runs: min {min(loads):.2f}, max {max(loads):.2f}."
        if loads
        else "",
        "",
        "### Targets",
        "",
        render_table(summary, markdown=True),
        "",
        "### Every run",
        "",
        render_table(rows, markdown=True),
        "",
    ]
    return "\n".join(lines)
