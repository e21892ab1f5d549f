"""Benchmark workloads; each runs inside a fresh worker process started by run_benchmarks.py.

Every task takes a plain ``dict`` of parameters and returns a ``dict`` of measurements
(seconds of the timed section, sizes, coherence...). Peak memory is measured from outside
(see ``bench_measure.py``); tasks add ``ru_maxrss`` snapshots taken right after the timed
section, so that later scoring (coherence) does not count towards the fit's peak.
"""

from __future__ import annotations

import json
import logging
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["TASKS", "prepare_data", "run_task"]

logger = logging.getLogger(__name__)

#: Columns of the prepared (cleaned) article tables.
ID_COLUMN, TEXT_COLUMN = "doc_id", "text"


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(who).ru_maxrss / 1024.0


def _unit_texts(csv: str) -> Callable[[], Any]:
    from topickit.streaming.corpus import iter_unit_texts

    return lambda: iter_unit_texts(
        csv, "article", clean=False, id_column=ID_COLUMN, text_column=TEXT_COLUMN
    )


def _top_terms(scores: np.ndarray, vocabulary: Sequence[str], n: int = 10) -> list[list[str]]:
    """The ``n`` best terms of each row, ties in vocabulary order (as topickit ranks)."""
    return [[vocabulary[j] for j in np.argsort(-row, kind="stable")[:n]] for row in scores]


def _npmi(docs: list[list[str]], topics: list[list[str]]) -> float:
    from topickit.evaluation import CoherenceScorer

    scorer = CoherenceScorer(docs, measures=("c_npmi",), topn=10)
    return float(scorer.score(topics)["c_npmi"].mean)


# ---------------------------------------------------------------------- preparation
def prepare_data(params: dict[str, Any]) -> dict[str, Any]:
    """Write the cleaned 1x table, the replicated table and the 1x token lists.

    ``params``: ``source`` (NewsArticles CSV, or a folder of text files for --quick),
    ``out`` (folder), ``scale`` (replication factor of the large table), ``source_options``.
    """
    import pandas as pd

    from topickit.corpus import load_corpus
    from topickit.segment import segment
    from topickit.text.pipeline import TextPipeline

    out = Path(params["out"])
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    articles = load_corpus(params["source"], **params.get("source_options", {}))
    if params.get("level", "article") != "article":
        units = segment(articles, params["level"])
        table = pd.DataFrame({ID_COLUMN: units["unit_id"], TEXT_COLUMN: units["text"]})
    else:
        table = pd.DataFrame({ID_COLUMN: articles["doc_id"], TEXT_COLUMN: articles["text"]})
    table.to_csv(out / "corpus_1x.csv", index=False)
    scale = int(params["scale"])
    with open(out / f"corpus_{scale}x.csv", "w", encoding="utf-8", newline="") as f:
        for k in range(scale):
            copy = table.assign(**{ID_COLUMN: table[ID_COLUMN].astype(str) + f"-r{k}"})
            copy.to_csv(f, index=False, header=k == 0)
    texts = table[TEXT_COLUMN].tolist()
    docs = TextPipeline().fit_transform(texts)
    with open(out / "tokens_1x.jsonl", "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return {
        "units": len(table),
        "units_large": len(table) * scale,
        "seconds": time.perf_counter() - start,
    }


# ---------------------------------------------------------------------- pipelines
def stream(params: dict[str, Any]) -> dict[str, Any]:
    """build_streamed_corpus (+ GensimLDA when ``topics`` > 0) from a table on disk."""
    from topickit.models import GensimLDA
    from topickit.streaming.corpus import build_streamed_corpus
    from topickit.text.pipeline import TextPipeline

    start = time.perf_counter()
    corpus = build_streamed_corpus(
        _unit_texts(params["csv"]),
        TextPipeline(lemmatize=params.get("lemmatize", True)),
        params["folder"],
        batch_size=params.get("batch_size", 1000),
        n_jobs=params.get("n_jobs", 1),
        overwrite=True,
    )
    pre = time.perf_counter() - start
    result = {"units": len(corpus), "terms": len(corpus.terms), "pre_s": pre}
    if params.get("topics"):
        model = GensimLDA(
            params["topics"],
            passes=params.get("passes", 1),
            iterations=params.get("iterations", 50),
            chunksize=params.get("chunksize", 2000),
            random_state=0,
        )
        model.fit(corpus)
        result["fit_s"] = time.perf_counter() - start - pre
    result["total_s"] = time.perf_counter() - start
    mm = Path(params["folder"]) / "corpus.mm"
    result["disk_mb"] = mm.stat().st_size / 2**20
    return result


def in_memory(params: dict[str, Any]) -> dict[str, Any]:
    """load_corpus + TextPipeline.fit_transform (+ GensimLDA) with everything in memory."""
    from topickit.corpus import load_corpus
    from topickit.models import GensimLDA
    from topickit.text.pipeline import TextPipeline

    start = time.perf_counter()
    table = load_corpus(params["csv"], clean=False, id_column=ID_COLUMN, text_column=TEXT_COLUMN)
    texts = table["text"].tolist()
    del table
    pipe = TextPipeline(lemmatize=params.get("lemmatize", True), n_jobs=params.get("n_jobs", 1))
    tokens = pipe.to_corpus(pipe.fit_transform(texts))
    pre = time.perf_counter() - start
    result = {"units": len(tokens), "terms": len(tokens.terms), "pre_s": pre}
    if params.get("topics"):
        model = GensimLDA(
            params["topics"],
            passes=params.get("passes", 1),
            iterations=params.get("iterations", 50),
            chunksize=params.get("chunksize", 2000),
            random_state=0,
        )
        model.fit(tokens)
        result["fit_s"] = time.perf_counter() - start - pre
    result["total_s"] = time.perf_counter() - start
    return result


# ---------------------------------------------------------------------- machine ceiling
def _count_words(tokens_path: str) -> int:
    """A fixed pure-Python workload: count the words of a token file, three times over."""
    counts: dict[str, int] = {}
    for _ in range(3):
        with open(tokens_path, encoding="utf-8") as f:
            for line in f:
                for word in line.split('", "'):
                    key = word.strip('[]"\n')
                    counts[key] = counts.get(key, 0) + 1
    return len(counts)


def cpu_ceiling(params: dict[str, Any]) -> dict[str, Any]:
    """How much faster this machine runs ``units`` equal work units in 2 processes than in 1.

    The same units of :func:`_count_words` run one after another (``n_jobs=1``) or in a
    pool of ``n_jobs`` forked processes; no data travels between them. The ratio of the two
    times is the most any ``n_jobs`` speed-up can reach on the machine at that moment.
    """
    import multiprocessing

    units = [params["tokens"]] * params.get("units", 8)
    start = time.perf_counter()
    if params["n_jobs"] == 1:
        sizes = [_count_words(path) for path in units]
    else:
        with multiprocessing.get_context("fork").Pool(params["n_jobs"]) as pool:
            sizes = pool.map(_count_words, units, chunksize=1)
    elapsed = time.perf_counter() - start
    return {"units": len(sizes), "terms": sizes[0], "pre_s": elapsed, "total_s": elapsed}


# ---------------------------------------------------------------------- kit vs library
def _load_tokens(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _lda_params(params: dict[str, Any]) -> dict[str, Any]:
    return {
        "passes": params.get("passes", 2),
        "iterations": params.get("iterations", 50),
        "chunksize": params.get("chunksize", 2000),
    }


def _finish_overhead(
    result: dict[str, Any],
    elapsed: float,
    docs: list[list[str]],
    topics: list[list[str]],
    params: dict[str, Any],
) -> dict[str, Any]:
    result["fit_s"] = result["total_s"] = elapsed
    result["maxrss_after_fit_mb"] = _maxrss_mb()
    if params.get("coherence", True):
        result["c_npmi"] = _npmi(docs, topics)
    return result


def lda_kit(params: dict[str, Any]) -> dict[str, Any]:
    """topickit GensimLDA.fit on a TokenCorpus (bag of words built inside the timing)."""
    from topickit.models import GensimLDA
    from topickit.vectorize import TokenCorpus, build_dictionary

    docs = _load_tokens(params["tokens"])
    dictionary = build_dictionary(docs)
    result = {"units": len(docs), "terms": len(dictionary), "maxrss_before_fit_mb": _maxrss_mb()}
    start = time.perf_counter()
    corpus = TokenCorpus(docs, dictionary=dictionary)
    model = GensimLDA(params["topics"], random_state=0, **_lda_params(params)).fit(corpus)
    elapsed = time.perf_counter() - start
    topics = [[t for t, _ in tt] for tt in model.topic_terms()]
    return _finish_overhead(result, elapsed, docs, topics, params)


def lda_raw(params: dict[str, Any]) -> dict[str, Any]:
    """gensim LdaModel on the same bag of words, with the same parameters."""
    from gensim.models import LdaModel

    from topickit.vectorize import build_dictionary

    docs = _load_tokens(params["tokens"])
    dictionary = build_dictionary(docs)
    dictionary.id2token = {i: t for t, i in dictionary.token2id.items()}
    result = {"units": len(docs), "terms": len(dictionary), "maxrss_before_fit_mb": _maxrss_mb()}
    start = time.perf_counter()
    bow = [dictionary.doc2bow(d) for d in docs]
    model = LdaModel(
        corpus=bow,
        id2word=dictionary,
        num_topics=params["topics"],
        alpha="symmetric",
        eta="symmetric",
        decay=0.5,
        offset=1.0,
        eval_every=None,
        gamma_threshold=0.001,
        minimum_probability=0.0,
        random_state=0,
        dtype=np.float32,
        **_lda_params(params),
    )
    elapsed = time.perf_counter() - start
    topics = model.get_topics().astype(np.float64)
    topics /= topics.sum(axis=1, keepdims=True)
    vocabulary = [dictionary[i] for i in range(len(dictionary))]
    return _finish_overhead(result, elapsed, docs, _top_terms(topics, vocabulary), params)


def nmf_kit(params: dict[str, Any]) -> dict[str, Any]:
    """topickit TfidfNMF.fit on a TokenCorpus (counts and TF-IDF built inside the timing)."""
    from topickit.models import TfidfNMF
    from topickit.vectorize import TokenCorpus, build_dictionary

    docs = _load_tokens(params["tokens"])
    dictionary = build_dictionary(docs)
    result = {"units": len(docs), "terms": len(dictionary), "maxrss_before_fit_mb": _maxrss_mb()}
    start = time.perf_counter()
    corpus = TokenCorpus(docs, dictionary=dictionary)
    model = TfidfNMF(params["topics"], random_state=0).fit(corpus)
    elapsed = time.perf_counter() - start
    result["n_iter"] = int(model.model_.n_iter_)
    topics = [[t for t, _ in tt] for tt in model.topic_terms()]
    return _finish_overhead(result, elapsed, docs, topics, params)


def nmf_raw(params: dict[str, Any]) -> dict[str, Any]:
    """scikit-learn NMF on the same sublinear, l2-normalised TF-IDF matrix."""
    import scipy.sparse as sp
    from gensim.matutils import corpus2csc
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    from topickit.vectorize import build_dictionary

    docs = _load_tokens(params["tokens"])
    dictionary = build_dictionary(docs)
    result = {"units": len(docs), "terms": len(dictionary), "maxrss_before_fit_mb": _maxrss_mb()}
    start = time.perf_counter()
    bow = [dictionary.doc2bow(d) for d in docs]
    counts = sp.csr_matrix(corpus2csc(bow, num_terms=len(dictionary), dtype=np.float64).T)
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    model = NMF(
        params["topics"], init="nndsvda", solver="cd", max_iter=400, tol=1e-4, random_state=0
    ).fit(tfidf)
    elapsed = time.perf_counter() - start
    result["n_iter"] = int(model.n_iter_)
    vocabulary = [t for t, _ in sorted(dictionary.token2id.items(), key=lambda kv: kv[1])]
    return _finish_overhead(
        result, elapsed, docs, _top_terms(model.components_, vocabulary), params
    )


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "prepare": prepare_data,
    "stream": stream,
    "in_memory": in_memory,
    "cpu_ceiling": cpu_ceiling,
    "lda_kit": lda_kit,
    "lda_raw": lda_raw,
    "nmf_kit": nmf_kit,
    "nmf_raw": nmf_raw,
}


def run_task(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run one task and add the process's own ``ru_maxrss`` figures."""
    result = TASKS[name](params)
    result["maxrss_self_mb"] = _maxrss_mb()
    result["maxrss_children_mb"] = _maxrss_mb(resource.RUSAGE_CHILDREN)
    return result
