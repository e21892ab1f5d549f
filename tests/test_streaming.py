"""The streaming path gives the same vocabulary, corpus and topics as the in-memory path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from topickit._workers import WorkerPool
from topickit.corpus import load_corpus
from topickit.exceptions import CorpusError
from topickit.models import GensimLDA, TfidfNMF
from topickit.segment import segment
from topickit.streaming.corpus import StreamedCorpus, build_streamed_corpus, iter_unit_texts
from topickit.text._spool import _learn_phrase_table, _spool_base_tokens
from topickit.text.phrases import (
    count_phrase_candidates,
    learn_phrases,
    phrase_document_frequency,
)
from topickit.text.pipeline import TextPipeline
from topickit.text.unit_texts import iter_id_texts
from topickit.vectorize import build_dictionary, filter_vocabulary

CONFIGS = {
    "default": {},
    "filters": {"no_below": 6, "no_above": 0.3, "keep_n": 100},
    "no_phrases": {"phrases": False, "lemmatize": False},
}


@pytest.fixture(scope="module")
def paragraphs(seeds_dir) -> list[str]:
    """The seed paragraphs three times over (so that phrases repeat across units)."""
    texts = segment(load_corpus(seeds_dir), "paragraph")["text"].tolist()
    return texts * 3


def _same_dictionary(a, b) -> None:
    assert a.token2id == b.token2id
    assert a.dfs == b.dfs
    assert a.cfs == b.cfs
    assert (a.num_docs, a.num_pos, a.num_nnz) == (b.num_docs, b.num_pos, b.num_nnz)


def _reference_fit(params: dict, texts: list[str]):
    """The pipeline's fit written out by its definition, every text held in memory.

    Tokenise, learn phrases, keep those joined in ``phrase_min_docs`` units, finish the
    tokens, count the vocabulary and filter it. An oracle for both fits.

    Returns
    -------
    (phrases, report, dictionary, tokens)
    """
    pipe = TextPipeline(**params)
    stop = pipe.stopword_set()
    base = [pipe.base_tokens(t) for t in texts]
    table = learn_phrases(
        base,
        min_count=pipe.phrase_min_count,
        threshold=pipe.phrase_threshold,
        connector_words=frozenset(),
        stopwords=stop,
    )
    doc_freq = phrase_document_frequency(base, table)
    phrases = {p: s for p, s in table.items() if doc_freq[p] >= pipe.phrase_min_docs}
    if not pipe.phrases:
        phrases = {}
    docs = [pipe.finish_tokens(b, phrases, stop) for b in base]
    dictionary, report = filter_vocabulary(
        build_dictionary(docs), no_below=pipe.no_below, no_above=pipe.no_above, keep_n=pipe.keep_n
    )
    report["n_phrases"] = len(phrases)
    vocab = dictionary.token2id
    return phrases, report, dictionary, [[t for t in doc if t in vocab] for doc in docs]


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_fit_and_fit_stream_learn_what_the_definition_gives(paragraphs, config):
    phrases, report, dictionary, reference_tokens = _reference_fit(CONFIGS[config], paragraphs)
    fitted = TextPipeline(**CONFIGS[config])
    tokens = fitted.fit_transform(paragraphs)
    streamed = TextPipeline(**CONFIGS[config]).fit_stream(
        lambda: (t for t in paragraphs), batch_size=17
    )
    for pipe in (fitted, streamed):
        assert pipe.phrases_ == phrases
        assert pipe.vocabulary_report_ == report
        _same_dictionary(pipe.dictionary_, dictionary)
    assert tokens == reference_tokens
    assert fitted.transform(paragraphs) == reference_tokens
    assert streamed.transform(paragraphs[:5]) == reference_tokens[:5]
    if config == "default":
        assert {"supreme_leader", "gaza_strip", "west_bank"} <= set(streamed.phrases_)
    if config == "filters":
        assert len(streamed.dictionary_) == 100
        assert all(streamed.vocabulary_report_["dropped"].values())


def test_two_workers_fit_transform_like_one(paragraphs):
    texts = paragraphs * 2  # enough texts for the worker processes to start
    one = TextPipeline()
    two = TextPipeline(n_jobs=2)
    assert two.fit_transform(texts) == one.fit_transform(texts)
    assert two.phrases_ == one.phrases_
    _same_dictionary(two.dictionary_, one.dictionary_)


def test_fit_stream_reads_a_one_shot_generator_once(paragraphs):
    calls = []

    def texts():
        calls.append(1)
        yield from paragraphs

    pipe = TextPipeline().fit_stream(texts, batch_size=50)
    assert calls == [1]
    assert pipe.vocabulary_report_["n_units"] == len(paragraphs)
    one_shot = TextPipeline().fit_stream(iter(paragraphs), batch_size=1000)
    _same_dictionary(one_shot.dictionary_, pipe.dictionary_)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_phrase_counts_are_added_up_without_holding_each_batch(paragraphs, tmp_path, n_jobs):
    pipe = TextPipeline()
    phrase_words = (frozenset(), pipe.stopword_set())
    with WorkerPool(n_jobs, pipe) as mapper:
        segments, counts = _spool_base_tokens(
            mapper, paragraphs, tmp_path, batch_size=20, phrase_words=phrase_words, on_ids=None
        )
        words, n_words, shard_parts = counts
        assert len(shard_parts) == n_jobs
        if n_jobs == 1:  # one running total in this process, not a dict per batch
            assert len(segments) >= 5
            assert len(shard_parts[0]) == 1
        else:  # a file per shard and task, each read once and then deleted
            assert all(len(parts) == len(segments) for parts in shard_parts)
            assert all(part.is_file() for parts in shard_parts for part in parts)
        table = _learn_phrase_table(mapper, counts, phrase_words)
    assert not list(tmp_path.glob("*.phrases*"))
    base = [pipe.base_tokens(text) for text in paragraphs]
    whole, whole_n = count_phrase_candidates(
        base, connector_words=frozenset(), stopwords=phrase_words[1]
    )
    assert n_words == whole_n
    if n_jobs == 1:
        assert shard_parts[0][0] == whole
    else:
        assert words == {k: v for k, v in whole.items() if "_" not in k}
    options = {"min_count": pipe.phrase_min_count, "threshold": pipe.phrase_threshold}
    expected = learn_phrases(
        base, connector_words=frozenset(), stopwords=phrase_words[1], **options
    )
    assert len(table) >= 10
    assert table == expected


def test_two_worker_processes_give_the_same_fit(paragraphs):
    one = TextPipeline().fit_stream(paragraphs, batch_size=40)
    two = TextPipeline(n_jobs=2).fit_stream(paragraphs, batch_size=40)
    assert two.phrases_ == one.phrases_
    _same_dictionary(two.dictionary_, one.dictionary_)


@pytest.fixture(scope="module")
def both(paragraphs, tmp_path_factory):
    """The in-memory TokenCorpus and the streamed corpus of the same paragraphs."""
    eager = TextPipeline(no_below=2)
    tokens = eager.to_corpus(eager.fit_transform(paragraphs))
    folder = tmp_path_factory.mktemp("streamed") / "corpus"
    ids = [f"u{i}" for i in range(len(paragraphs))]
    streamed = build_streamed_corpus(
        list(zip(ids, paragraphs, strict=True)), TextPipeline(no_below=2), folder, batch_size=23
    )
    return tokens, streamed


def test_streamed_corpus_matches_the_token_corpus(both, paragraphs):
    tokens, streamed = both
    assert len(streamed) == len(tokens) == len(paragraphs)
    _same_dictionary(streamed.dictionary, tokens.dictionary)
    assert streamed.terms == tokens.terms
    assert streamed.n_tokens == int(tokens.counts.sum())
    assert streamed.counts.dtype == tokens.counts.dtype == np.int64
    assert (streamed.counts != tokens.counts).nnz == 0
    first = next(iter(streamed))
    assert first == [(i, float(c)) for i, c in tokens.bow[0]]
    assert streamed[7] == [(i, float(c)) for i, c in tokens.bow[7]]


def test_gensim_lda_from_disk_equals_lda_in_memory(both):
    tokens, streamed = both
    params = {"passes": 2, "chunksize": 64, "iterations": 50, "random_state": 7}
    eager = GensimLDA(4, **params).fit(tokens)
    lazy = GensimLDA(4, **params).fit(streamed)
    assert lazy.vocabulary_ == eager.vocabulary_
    np.testing.assert_array_equal(lazy.components_, eager.components_)
    np.testing.assert_allclose(lazy.transform(tokens), eager.transform(tokens))
    np.testing.assert_allclose(lazy.transform(streamed), eager.transform(tokens))
    assert lazy.topic_terms(5) == eager.topic_terms(5)


def test_matrix_models_fit_a_streamed_corpus_through_its_counts(both):
    tokens, streamed = both
    eager = TfidfNMF(3, random_state=0).fit(tokens)
    lazy = TfidfNMF(3, random_state=0).fit(streamed)
    np.testing.assert_allclose(lazy.components_, eager.components_)


def test_streamed_corpus_round_trips_from_disk(both, paragraphs):
    _, built = both
    reopened = StreamedCorpus(built.folder)
    assert len(reopened) == len(paragraphs)
    assert reopened.unit_ids[:2] == ["u0", "u1"]
    assert reopened.unit_ids[-1] == f"u{len(paragraphs) - 1}"
    assert reopened.terms == built.terms
    assert list(reopened) == list(built)
    assert reopened[len(paragraphs) - 1] == list(built)[-1]
    names = sorted(p.name for p in built.folder.iterdir())
    assert names == [
        "corpus.mm",
        "corpus.offsets.npy",
        "dictionary.json",
        "meta.json",
        "pipeline.json",
        "units.json",
    ]
    pipe = reopened.pipeline()
    fresh = TextPipeline(no_below=2).fit(paragraphs)
    assert pipe.transform(paragraphs[:3]) == fresh.transform(paragraphs[:3])
    meta = json.loads((built.folder / "meta.json").read_text())
    assert meta["n_docs"] == len(paragraphs) and meta["n_terms"] == len(built.terms)


def test_empty_units_keep_their_rows(tmp_path):
    texts = ["Israel struck Gaza.", "the and of", "Gaza talks in Cairo.", "", "Israel talks."]
    corpus = build_streamed_corpus(texts, TextPipeline(phrases=False), tmp_path / "c")
    bows = list(corpus)
    assert len(corpus) == len(bows) == 5
    assert bows[1] == [] and bows[3] == []
    assert corpus[3] == [] and corpus[4] == bows[4]
    assert corpus.counts.shape == (5, len(corpus.terms))
    assert corpus.unit_ids == ["0", "1", "2", "3", "4"]


def test_unit_rows_and_iter_unit_texts(seeds_dir, tmp_path):
    units = list(iter_unit_texts(seeds_dir, "paragraph"))
    assert units[0][0] == "000:p1" and all(isinstance(t, str) for _, t in units)
    table = segment(load_corpus(seeds_dir), "paragraph")
    assert [u for u, _ in units] == table["unit_id"].tolist()
    rows = table.to_dict("records")
    corpus = build_streamed_corpus(rows, TextPipeline(), tmp_path / "c", batch_size=10)
    assert corpus.unit_ids == table["unit_id"].tolist()


def test_user_mistakes_raise_corpus_errors(tmp_path, both):
    _, streamed = both
    with pytest.raises(CorpusError, match="not a streamed corpus"):
        StreamedCorpus(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(CorpusError, match="not empty"):
        build_streamed_corpus(["Gaza talks."], TextPipeline(), tmp_path)
    with pytest.raises(CorpusError, match="unit 1"):
        list(iter_id_texts(["fine", 3]))
    with pytest.raises(CorpusError, match="'b'"):
        list(iter_id_texts([("a", "text"), ("b", None)]))
    with pytest.raises(CorpusError, match="token lists"):
        _ = streamed.docs
    empty = build_streamed_corpus(["the of and"], TextPipeline(), tmp_path / "empty")
    with pytest.raises(CorpusError, match="empty vocabulary"):
        GensimLDA(2).fit(empty)


def test_overwrite_replaces_a_streamed_corpus(tmp_path):
    folder = tmp_path / "c"
    build_streamed_corpus(["Israel struck Gaza.", "Gaza talks."], TextPipeline(), folder)
    with pytest.raises(CorpusError, match="overwrite=True"):
        build_streamed_corpus(["Oil prices rose."], TextPipeline(), folder)
    corpus = build_streamed_corpus(["Oil prices rose."], TextPipeline(), folder, overwrite=True)
    assert len(corpus) == 1 and "oil" in corpus.terms and "gaza" not in corpus.terms


def test_two_workers_write_the_same_corpus_files(paragraphs, tmp_path):
    one = build_streamed_corpus(paragraphs, TextPipeline(), tmp_path / "one", batch_size=30)
    two = build_streamed_corpus(
        paragraphs, TextPipeline(), tmp_path / "two", batch_size=30, n_jobs=2
    )
    for name in ("corpus.mm", "corpus.offsets.npy", "dictionary.json", "units.json"):
        assert (one.folder / name).read_bytes() == (two.folder / name).read_bytes()
    assert not any(p.name.startswith(".spool") for p in two.folder.iterdir())
