"""Benchmarks of topickit's streaming path, parallel tokenising, lemmatisation and overhead.

Each measurement runs in a fresh worker process (this script with ``--worker``), so that its
peak memory is its own; see ``bench_measure.py`` for how the peak is measured.

1. ``memory``: peak memory of the streaming path (``build_streamed_corpus`` + ``GensimLDA``,
   K=20, passes=1) on the corpus and on the corpus repeated ``--scale`` times (distinct ids);
   the in-memory path (``load_corpus`` + ``TextPipeline.fit_transform`` + ``GensimLDA``) for
   contrast. Target: streaming peak at 16x <= 1.3 x the peak at 1x.
2. ``parallel``: preprocessing time with ``n_jobs=2`` vs ``n_jobs=1``. Target: >= 1.6x faster.
   Each repeat first measures the machine's own ceiling: equal pure-Python work units in one
   process vs two (``cpu_ceiling``), since a VM's second core is not always a whole core.
3. ``lemma``: preprocessing with ``lemmatize=True`` (cached) vs ``False``. Target: <= 1.3x.
4. ``overhead``: ``GensimLDA.fit`` vs gensim ``LdaModel`` (K=20, passes=2) and ``TfidfNMF.fit``
   vs scikit-learn ``NMF`` on identical inputs: wall time and peak memory (target <= 1.10x),
   and c_npmi coherence of both.

Run from the project root::

    PYTHONPATH=src python experiments/benchmarks/run_benchmarks.py --quick
    PYTHONPATH=src python experiments/benchmarks/run_benchmarks.py \\
        --csv .cache/topickit/newsarticles.csv --out experiments/benchmarks/results.csv \\
        --report experiments/benchmarks/results.md

``--quick`` is a CI smoke run on the seed paragraphs (all tasks in one worker, so its memory
figures are not per task). The full run takes about 45 minutes on 2 cores, most of it the
two 16x memory runs.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from bench_measure import machine_info, run_measured  # noqa: E402
from bench_report import render_markdown, render_table, summarise  # noqa: E402

from topickit.datasets import default_cache_dir, get_dataset  # noqa: E402

logger = logging.getLogger("benchmarks")

BENCHMARKS = ("memory", "parallel", "lemma", "overhead")
#: Where ``topickit data fetch newsarticles`` writes the corpus (``$TOPICKIT_DATA`` if set).
DEFAULT_CSV = default_cache_dir() / get_dataset("newsarticles").file_name
NEWS_COLUMNS = {
    "text_column": "text",
    "id_column": "article_id",
    "title_column": "title",
    "date_column": "publish_date",
}


@dataclass
class Run:
    """One measured task."""

    benchmark: str
    label: str
    task: str
    params: dict[str, Any]
    scale: int = 1
    n_jobs: int = 1
    lemmatize: bool = True
    repeat: int = 0
    measured: dict[str, Any] = field(default_factory=dict)

    @property
    def measures_memory(self) -> bool:
        """Whether the run's peak memory is measured (timing-only runs are not polled)."""
        return self.benchmark in ("memory", "overhead")

    def row(self) -> dict[str, Any]:
        result = self.measured.get("result", {})
        return {
            "benchmark": self.benchmark,
            "run": self.label,
            "repeat": self.repeat,
            "scale": self.scale,
            "n_jobs": self.n_jobs,
            "lemmatize": self.lemmatize,
            "units": result.get("units"),
            "terms": result.get("terms"),
            "pre_s": result.get("pre_s"),
            "fit_s": result.get("fit_s"),
            "total_s": result.get("total_s"),
            "maxrss_self_mb": result.get("maxrss_self_mb"),
            "maxrss_children_mb": result.get("maxrss_children_mb"),
            "maxrss_after_fit_mb": result.get("maxrss_after_fit_mb"),
            "maxrss_before_fit_mb": result.get("maxrss_before_fit_mb"),
            "peak_tree_rss_mb": self.measured.get("peak_tree_rss_mb"),
            "peak_tree_pss_mb": self.measured.get("peak_tree_pss_mb"),
            "max_procs": self.measured.get("max_procs"),
            "c_npmi": result.get("c_npmi"),
            "load_before": self.measured.get("load_before"),
        }


def plan(args: argparse.Namespace, data: Path) -> list[Run]:
    """The runs the selected benchmarks need (duplicates shared between benchmarks)."""
    big = f"corpus_{args.scale}x.csv"
    topics = 5 if args.quick else 20
    runs: list[Run] = []

    def pre(benchmark: str, task: str, r: int, *, n_jobs: int = 1, lemmatize: bool = True) -> None:
        params = {"csv": str(data / "corpus_1x.csv"), "n_jobs": n_jobs, "lemmatize": lemmatize}
        if task == "stream":
            params["folder"] = str(data / f"stream_{n_jobs}_{int(lemmatize)}")
        label = f"{task} n_jobs={n_jobs} lemmatize={lemmatize}"
        if not any(x.label == label and x.repeat == r for x in runs):
            runs.append(Run(benchmark, label, task, params, 1, n_jobs, lemmatize, r))

    selected = args.only
    if "memory" in selected:
        for task in ("stream", "in_memory"):
            for scale, name in ((1, "corpus_1x.csv"), (args.scale, big)):
                params = {"csv": str(data / name), "topics": topics, "passes": 1}
                if task == "stream":
                    params["folder"] = str(data / f"stream_mem_{scale}x")
                runs.append(Run("memory", f"{task} {scale}x K={topics}", task, params, scale))
    for r in range(args.repeat):  # interleave the repeats of the timing runs
        if "parallel" in selected:
            for n_jobs in (1, 2):  # what the machine gives two processes at this moment
                params = {"tokens": str(data / "tokens_1x.jsonl"), "n_jobs": n_jobs}
                label = f"ceiling n_jobs={n_jobs}"
                runs.append(Run("parallel", label, "cpu_ceiling", params, n_jobs=n_jobs, repeat=r))
            for task in ("stream", "in_memory"):
                for n_jobs in (1, 2):
                    pre("parallel", task, r, n_jobs=n_jobs)
        if "lemma" in selected:
            for task in ("stream", "in_memory"):
                for lemmatize in (True, False):
                    pre("lemma", task, r, lemmatize=lemmatize)
        if "overhead" in selected:
            for task in ("lda_kit", "lda_raw", "nmf_kit", "nmf_raw"):
                params = {
                    "tokens": str(data / "tokens_1x.jsonl"),
                    "topics": topics,
                    "passes": 2,
                    "coherence": r == 0,
                }
                runs.append(Run("overhead", task, task, params, repeat=r))
    runs.sort(key=lambda x: (BENCHMARKS.index(x.benchmark), x.repeat))
    if args.match:
        wanted = [m.strip() for m in args.match.split(",") if m.strip()]
        runs = [x for x in runs if any(m in x.label for m in wanted)]
    return runs


def prepare(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    """Parameters of the data-preparation task (cleaned 1x table, replicated table, tokens)."""
    if args.quick:
        return {
            "source": str(ROOT / "seeds"),
            "level": "paragraph",
            "out": str(data),
            "scale": args.scale,
        }
    if not args.csv.is_file():
        raise SystemExit(
            f"{args.csv}: not found; run `topickit data fetch newsarticles` or pass --csv"
        )
    return {
        "source": str(args.csv),
        "source_options": NEWS_COLUMNS,
        "out": str(data),
        "scale": args.scale,
    }


def execute(args: argparse.Namespace, runs: list[Run], data: Path) -> None:
    """Run the data preparation (cached) and every run, saving the CSV after each run."""
    script = Path(__file__).resolve()
    src = ROOT / "src"
    prep = ("prepare", prepare(args, data))
    stamp = data / "prepared.json"
    if args.quick:
        measured = run_measured(script, [prep, *[(r.task, r.params) for r in runs]], src=src)
        for run, result in zip(runs, measured["results"][1:], strict=True):
            run.measured = {**measured, "result": result}
        return
    if not (stamp.is_file() and json.loads(stamp.read_text()) == prep[1]):
        logger.info("preparing data in %s", data)
        info = run_measured(script, [prep], src=src)["results"][0]
        logger.info("prepared %s", info)
        stamp.write_text(json.dumps(prep[1]))
    for i, run in enumerate(runs, 1):
        logger.info("[%d/%d] %s: %s", i, len(runs), run.benchmark, run.label)
        measured = run_measured(
            script, [(run.task, run.params)], src=src, measure_memory=run.measures_memory
        )
        run.measured = {**measured, "result": measured["results"][0]}
        logger.info("  -> %s", json.dumps(run.row()))
        if args.out:
            write_csv(args.out, [r.row() for r in runs[:i]])


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write one row per run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def read_csv(paths: list[Path]) -> list[dict[str, Any]]:
    """Rows of earlier runs (``--summarise``), with numbers and booleans restored."""

    def value(text: str) -> Any:
        if text in ("", "None"):
            return None
        if text in ("True", "False"):
            return text == "True"
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and "." not in text else number

    rows = []
    for path in paths:
        with open(path, newline="", encoding="utf-8") as f:
            rows += [{k: value(v) for k, v in row.items()} for row in csv.DictReader(f)]
    return rows


def worker(spec: str) -> None:
    """Run tasks in this (fresh) process; print one JSON line of results per task."""
    from bench_tasks import run_task

    for name, params in json.loads(spec):
        print(json.dumps(run_task(name, params)), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI smoke run on the seeds")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="NewsArticles CSV")
    parser.add_argument("--scale", type=int, default=None, help="replication (16; quick: 4)")
    parser.add_argument("--repeat", type=int, default=None, help="timing repeats (3; quick: 1)")
    parser.add_argument(
        "--only", default=",".join(BENCHMARKS), help=f"comma list of {', '.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--match", default=None, help="comma list: keep only runs whose label contains one"
    )
    parser.add_argument("--out", type=Path, default=None, help="CSV of every run")
    parser.add_argument("--report", type=Path, default=None, help="Markdown summary")
    parser.add_argument("--workdir", type=Path, default=None, help="data and corpus folders")
    parser.add_argument(
        "--summarise",
        type=Path,
        nargs="+",
        default=None,
        help="only re-render tables/report from CSVs of earlier runs",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        worker(args.worker)
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    args.only = [b.strip() for b in args.only.split(",") if b.strip()]
    unknown = sorted(set(args.only) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    args.scale = args.scale or (4 if args.quick else 16)
    args.repeat = args.repeat or (1 if args.quick else 3)
    if args.summarise:
        rows = read_csv(args.summarise)
        report(args, rows, None)
        return 0
    with tempfile.TemporaryDirectory(prefix="topickit-bench-") as tmp:
        default_work = Path(tmp) if args.quick else ROOT / ".cache" / "topickit" / "bench"
        data = args.workdir or default_work
        data.mkdir(parents=True, exist_ok=True)
        runs = plan(args, data)
        started = dt.datetime.now(dt.UTC)
        execute(args, runs, data)
    rows = [run.row() for run in runs]
    if args.out:
        write_csv(args.out, rows)
    report(args, rows, started)
    return 0


def report(args: argparse.Namespace, rows: list[dict[str, Any]], started: Any) -> None:
    """Print the tables and write the Markdown report."""
    summary = summarise(rows, scale=args.scale, quick=args.quick)
    print(render_table(rows))
    print()
    print(render_table(summary))
    if args.report:
        args.report.write_text(
            render_markdown(rows, summary, machine_info(), started, sys.argv[1:]),
            encoding="utf-8",
        )


if __name__ == "__main__":
    sys.exit(main())
