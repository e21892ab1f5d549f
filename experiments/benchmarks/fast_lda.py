"""Benchmark: gensim LDA against the tomotopy (collapsed Gibbs) backend at equal wall time.

Preprocesses a news CSV with topickit's :class:`~topickit.text.pipeline.TextPipeline`, then, on
one core, fits gensim's ``LdaModel`` (``passes=5``) and :class:`TomotopyLDA` at several
iteration counts. For every fit it records the training wall and CPU time and the mean ``c_npmi``
coherence of the top-10 terms (:class:`~topickit.evaluation.CoherenceScorer`, scored against
the training tokens). It then fits tomotopy once more at the largest iteration count (a
multiple of 10) that its measured CPU seconds per iteration predict to fit in gensim's CPU
time, and marks that row ``equal_time``. Both fits run on one thread, so CPU time equals wall
time on an idle machine and, unlike wall time, is not inflated by other processes.

Run from the project root (the default CSV is what ``topickit data fetch newsarticles``
writes)::

    PYTHONPATH=src python experiments/benchmarks/fast_lda.py --out fast_lda.md
    PYTHONPATH=src python experiments/benchmarks/fast_lda.py --csv NewsArticles.csv \\
        --iterations 100,250,500 --out fast_lda.csv

The table goes to stdout and, with ``--out``, to a Markdown (``.md``) or CSV file.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from topickit.datasets import default_cache_dir, get_dataset
from topickit.evaluation import CoherenceScorer
from topickit.exceptions import CorpusError, TopickitError
from topickit.models import GensimLDA, TopicModel
from topickit.models.lda_tomotopy import TomotopyLDA
from topickit.text.pipeline import TextPipeline
from topickit.vectorize import TokenCorpus

__all__ = ["Row", "load_texts", "main", "prepare", "run"]

logger = logging.getLogger("fast_lda")

#: Where ``topickit data fetch newsarticles`` writes the corpus (``$TOPICKIT_DATA`` if set).
DEFAULT_CSV = default_cache_dir() / get_dataset("newsarticles").file_name


@dataclass
class Row:
    """One fitted model of the benchmark."""

    model: str
    setting: str
    seed: int
    seconds: float
    cpu_seconds: float
    c_npmi: float
    fold_in_gap: float
    equal_time: bool = False


def load_texts(path: Path, text_column: str, title_column: str | None) -> list[str]:
    """Texts of a CSV: ``title + "\\n\\n" + text`` per row (rows with no text are skipped).

    Raises
    ------
    CorpusError
        When the file or a named column is missing.
    """
    if not path.is_file():
        raise CorpusError(
            f"{path}: no such file; run `topickit data fetch newsarticles` or pass --csv"
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in (text_column, title_column):
        if column and column not in frame.columns:
            raise CorpusError(
                f"{path}: no column {column!r}; columns are {', '.join(frame.columns)}"
            )
    texts = []
    for _, row in frame.iterrows():
        body = row[text_column].strip()
        if not body:
            continue
        title = row[title_column].strip() if title_column else ""
        texts.append(f"{title}\n\n{body}" if title else body)
    return texts


def _timed_fit(model: TopicModel, corpus: TokenCorpus) -> tuple[float, float]:
    """Wall and CPU seconds of ``model.fit(corpus)`` (the process's CPU time, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(corpus)
    return time.perf_counter() - wall, time.process_time() - cpu


def _top_terms(model: TopicModel, topn: int) -> list[list[str]]:
    return [[term for term, _ in topic] for topic in model.topic_terms(topn)]


def prepare(texts: Sequence[str], *, no_below: int, no_above: float) -> tuple[TokenCorpus, dict]:
    """Tokenise ``texts`` with :class:`TextPipeline` and report the corpus size.

    Returns
    -------
    corpus : TokenCorpus
    info : dict
        Documents, terms, tokens, terms before filtering and preprocessing seconds.
    """
    start = time.perf_counter()
    pipe = TextPipeline(no_below=no_below, no_above=no_above).fit(texts)
    corpus = pipe.to_corpus(pipe.transform(texts))
    info = {
        "documents": len(corpus),
        "terms": len(corpus.terms),
        "tokens": int(corpus.counts.sum()),
        "terms_before_filter": pipe.vocabulary_report_["n_terms_before"],
        "preprocess_seconds": round(time.perf_counter() - start, 1),
    }
    logger.info("corpus: %s", info)
    return corpus, info


def run(
    corpus: TokenCorpus,
    *,
    n_topics: int,
    passes: int,
    iterations: Sequence[int],
    seed: int,
    topn: int = 10,
) -> list[Row]:
    """Fit gensim and tomotopy on one core with one seed, and score their coherence.

    Returns
    -------
    list of Row
        gensim first, then tomotopy by iteration count; the equal-time fit is flagged (and
        appended when its iteration count is not in ``iterations``).
    """
    # warm up (imports, first-call costs) so that no timed fit pays for them
    warm = corpus.docs[:50]
    GensimLDA(2, passes=1, random_state=seed).fit(warm)
    # 20 sweeps, so that alpha is optimised (every 10): its first optimisation costs ~0.2 s
    TomotopyLDA(n_topics, iterations=20, random_state=seed).fit(corpus)

    fitted: list[TopicModel] = []
    rows: list[Row] = []

    def fit(model: TopicModel, name: str, setting: str) -> Row:
        seconds, cpu = _timed_fit(model, corpus)
        logger.info("seed %d %s %s: %.1f s (cpu %.1f s)", seed, name, setting, seconds, cpu)
        fitted.append(model)
        rows.append(Row(name, setting, seed, seconds, cpu, math.nan, math.nan))
        return rows[-1]

    budget = fit(
        GensimLDA(n_topics, passes=passes, random_state=seed), "gensim", f"passes={passes}"
    )
    timings = []
    for count in iterations:
        model = TomotopyLDA(n_topics, iterations=count, random_state=seed)
        timings.append((count, fit(model, "tomotopy", f"iterations={count}").cpu_seconds))
    matched = _equal_time_iterations(timings, budget.cpu_seconds)
    if matched in iterations:
        rows[1 + list(iterations).index(matched)].equal_time = True
    elif matched is not None:
        model = TomotopyLDA(n_topics, iterations=matched, random_state=seed)
        fit(model, "tomotopy", f"iterations={matched}").equal_time = True

    scorer = CoherenceScorer(corpus, measures=("c_npmi",), topn=topn)
    names = [str(i) for i in range(len(fitted))]
    scores = scorer.score_many({n: _top_terms(m, topn) for n, m in zip(names, fitted, strict=True)})
    for row, name, model in zip(rows, names, fitted, strict=True):
        row.c_npmi = scores[name]["c_npmi"].mean
        if isinstance(model, TomotopyLDA):
            gap = np.abs(model.transform(corpus) - model.train_doc_topic_)
            row.fold_in_gap = float(gap.mean())
    return rows


def _equal_time_iterations(timings: Sequence[tuple[int, float]], budget: float) -> int | None:
    """Largest multiple of 10 iterations a linear time model predicts to fit in ``budget``."""
    if len(timings) < 2:
        return None
    counts, seconds = np.asarray(timings, dtype=np.float64).T
    slope, intercept = np.polyfit(counts, seconds, 1)
    if slope <= 0:
        return None
    matched = int((budget - max(intercept, 0.0)) / slope) // 10 * 10
    return matched if matched >= 10 else None


def _table(rows: Sequence[Row], fmt: str) -> str:
    frame = pd.DataFrame([asdict(r) for r in rows])
    frame["seconds"] = frame["seconds"].round(2)
    frame["cpu_seconds"] = frame["cpu_seconds"].round(2)
    frame["c_npmi"] = frame["c_npmi"].round(4)
    frame["fold_in_gap"] = frame["fold_in_gap"].round(4)
    if fmt == "csv":
        return frame.to_csv(index=False)
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    lines = [header, rule]
    for values in frame.itertuples(index=False):
        cells = ["" if isinstance(v, float) and math.isnan(v) else str(v) for v in values]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="news CSV file")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--title-column", default="title", help="'' to use the text alone")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N rows")
    parser.add_argument("--n-topics", type=int, default=20)
    parser.add_argument("--passes", type=int, default=5, help="gensim passes")
    parser.add_argument(
        "--iterations", default="100,200,300,500", help="tomotopy iteration counts (commas)"
    )
    parser.add_argument("--no-below", type=int, default=5)
    parser.add_argument("--no-above", type=float, default=0.5)
    parser.add_argument("--seeds", default="0", help="random seeds (commas)")
    parser.add_argument("--out", type=Path, default=None, help="write the table (.md or .csv)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("gensim").setLevel(logging.WARNING)
    try:
        iterations = [int(v) for v in args.iterations.split(",") if v.strip()]
        seeds = [int(v) for v in args.seeds.split(",") if v.strip()]
        texts = load_texts(args.csv, args.text_column, args.title_column or None)
    except (TopickitError, ValueError) as err:
        logger.error("%s", err)
        return 2
    if args.limit is not None:
        texts = texts[: args.limit]
    with threadpool_limits(limits=1):
        corpus, info = prepare(texts, no_below=args.no_below, no_above=args.no_above)
        rows = []
        for seed in seeds:
            rows.extend(
                run(
                    corpus,
                    n_topics=args.n_topics,
                    passes=args.passes,
                    iterations=iterations,
                    seed=seed,
                )
            )
    summary = (
        f"{info['documents']} documents, {info['terms']} terms "
        f"(of {info['terms_before_filter']}; no_below={args.no_below}, "
        f"no_above={args.no_above}), {info['tokens']} tokens, K={args.n_topics}, "
        f"seeds {args.seeds}, one core; preprocessing {info['preprocess_seconds']} s\n"
    )
    fmt = "csv" if args.out is not None and args.out.suffix == ".csv" else "md"
    sys.stdout.write(summary + "\n" + _table(rows, "md"))
    if args.out is not None:
        text = _table(rows, fmt) if fmt == "csv" else summary + "\n" + _table(rows, fmt)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
