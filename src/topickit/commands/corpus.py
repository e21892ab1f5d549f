"""``topickit corpus``: load, summarise and export a corpus's units."""

from __future__ import annotations

import argparse
import sys
import warnings

import pandas as pd

from topickit._atomic import atomic_open
from topickit.commands.outputs import check_output_file, table_options
from topickit.corpus import cleaning_audit, load_corpus, skipped_sources
from topickit.exceptions import CorpusWarning
from topickit.segment import segment
from topickit.text.pipeline import TextPipeline

__all__ = ["corpus_command", "summarise_corpus"]


def summarise_corpus(
    articles: pd.DataFrame, units: pd.DataFrame, pipeline: TextPipeline, level: str
) -> list[str]:
    """Lines of the corpus summary printed by ``topickit corpus``."""
    dates = articles["date"].dropna()
    report = pipeline.vocabulary_report_
    lines = [
        f"articles: {len(articles)}",
        f"units ({level}): {len(units)}",
        f"tokens: {report['n_tokens_after']:,}",
        f"vocabulary: {report['n_terms_after']:,} terms, {report['n_phrases']} learned phrases",
    ]
    if len(dates):
        lines.append(
            f"dates: {dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d} "
            f"({len(dates)} of {len(articles)} articles dated)"
        )
    else:
        lines.append("dates: none found")
    titled = articles["title"].notna().sum()
    lines.append(f"titles: {titled} of {len(articles)} articles")
    audit = cleaning_audit(articles)
    if len(audit):
        counts = audit["rule"].value_counts().sort_index()
        lines.append("removed by cleaning: " + ", ".join(f"{r} {n}" for r, n in counts.items()))
    skipped = skipped_sources(articles)
    if len(skipped):
        lines.append(f"skipped: {len(skipped)}")
        lines += [f"  {r.source}: {r.reason}" for r in skipped.itertuples()]
    else:
        lines.append("skipped: none")
    return lines


def corpus_command(args: argparse.Namespace) -> int:
    """Run ``topickit corpus`` with parsed arguments; returns the exit status."""
    if args.out:
        check_output_file(args.out, [args.path], force=args.force)
    with warnings.catch_warnings():
        warnings.simplefilter("always", CorpusWarning)
        articles = load_corpus(args.path, **table_options(args))
    units = segment(articles, args.level)
    pipeline = TextPipeline()
    tokens = pipeline.fit_transform(units["text"].tolist())
    units = units.assign(tokens=[" ".join(t) for t in tokens])
    for line in summarise_corpus(articles, units, pipeline, args.level):
        print(line)
    if args.audit:
        audit = cleaning_audit(articles)
        print("\ncleaning audit (doc_id, line, rule: text):")
        for row in audit.itertuples():
            print(f"  {row.doc_id} l.{row.line} {row.rule}: {row.text}")
    if args.show:
        print()
        for row in units.head(args.show).itertuples():
            print(f"[{row.unit_id}] {row.text}")
            print(f"  tokens: {row.tokens}")
    if args.out:
        with atomic_open(args.out, "w", newline="") as out:
            units.to_csv(out, index=False, lineterminator="\n")
        print(f"\nwrote {len(units)} units to {args.out}", file=sys.stderr)
    return 0
