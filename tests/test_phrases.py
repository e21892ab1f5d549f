"""Phrase counting agrees with gensim's Phrases, with and without pruning."""

from __future__ import annotations

import os

import pytest
from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from hypothesis import given, settings
from hypothesis import strategies as st

from topickit.corpus import load_corpus
from topickit.segment import segment
from topickit.text.phrases import (
    apply_phrases,
    count_phrase_candidates,
    learn_phrases,
    phrase_index,
    score_phrases,
    split_phrase_counts,
)
from topickit.text.pipeline import TextPipeline

CONNECTORS = {"connectors": ENGLISH_CONNECTOR_WORDS, "none": frozenset()}


@pytest.fixture(scope="module")
def base_tokens(seeds_dir) -> list[list[str]]:
    """Base tokens (lemmas, stop words still in) of the seed paragraphs."""
    pipe = TextPipeline()
    return [pipe.base_tokens(t) for t in segment(load_corpus(seeds_dir), "paragraph")["text"]]


@pytest.mark.parametrize("connectors", sorted(CONNECTORS))
def test_counts_are_gensims_vocabulary(base_tokens, connectors):
    words = CONNECTORS[connectors]
    model = Phrases(base_tokens, min_count=1, connector_words=words, delimiter="_")
    vocab, n_words = count_phrase_candidates(base_tokens, connector_words=words)
    assert vocab == dict(model.vocab)
    assert n_words == model.corpus_word_count


@pytest.mark.parametrize("connectors", sorted(CONNECTORS))
def test_pruned_counts_score_the_same_phrases(base_tokens, connectors):
    words = CONNECTORS[connectors]
    stop = TextPipeline().stopword_set()
    model = Phrases(base_tokens, min_count=1, connector_words=words, delimiter="_")
    pruned = count_phrase_candidates(base_tokens, connector_words=words, stopwords=stop)
    # nothing that could not end a phrase is counted, and much less is counted
    assert not any(word in stop or not word.isalpha() for word in pruned[0] if "_" not in word)
    assert len(pruned[0]) < 0.75 * len(model.vocab)
    assert pruned[1] == model.corpus_word_count
    options = {"min_count": 2, "threshold": 0.6, "connector_words": words, "stopwords": stop}
    from_gensim = score_phrases((dict(model.vocab), model.corpus_word_count), **options)
    assert len(from_gensim) >= 20
    assert score_phrases(pruned, **options) == from_gensim
    assert learn_phrases(base_tokens, **options) == from_gensim


@pytest.mark.parametrize("n_shards", [2, 3, 8])
def test_phrase_shards_of_corpus_parts_score_to_the_whole_table(base_tokens, n_shards):
    stop = TextPipeline().stopword_set()
    count = {"connector_words": ENGLISH_CONNECTOR_WORDS, "stopwords": stop}
    options = {"min_count": 2, "threshold": 0.6, **count}
    whole_vocab, n_words = count_phrase_candidates(base_tokens, **count)
    thirds = [count_phrase_candidates(base_tokens[i::3], **count)[0] for i in range(3)]
    parts = [split_phrase_counts(vocab, n_shards) for vocab in thirds]
    words: dict[str, int] = {}
    for part_words, _ in parts:
        for word, n in part_words.items():
            words[word] = words.get(word, 0) + n
    assert words == {k: v for k, v in whole_vocab.items() if "_" not in k}
    table: dict[str, float] = {}
    for k in range(n_shards):
        shard: dict[str, int] = {}
        for _, shards in parts:
            for key, n in shards[k].items():
                shard[key] = shard.get(key, 0) + n
        assert all("_" in key for key in shard)
        assert not table.keys() & shard.keys()
        table.update(score_phrases(({**shard, **words}, n_words), **options))
    assert len(table) >= 20
    assert dict(sorted(table.items())) == learn_phrases(base_tokens, **options)


def test_phrase_shards_do_not_depend_on_the_string_hash_seed(base_tokens, tmp_path):
    # worker processes that are not forked from one parent hash strings differently
    import json
    import subprocess
    import sys

    vocab = count_phrase_candidates(base_tokens, stopwords=TextPipeline().stopword_set())[0]
    (tmp_path / "vocab.json").write_text(json.dumps(vocab))
    script = (
        "import json, sys; from topickit.text.phrases import split_phrase_counts; "
        "v = json.load(open(sys.argv[1])); print(json.dumps(split_phrase_counts(v, 4)))"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "vocab.json")],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    words, shards = json.loads(runs[0])
    assert words == {k: v for k, v in vocab.items() if "_" not in k}
    assert sum(len(s) for s in shards) == len(vocab) - len(words)
    assert min(len(s) for s in shards) > 0.8 * max(len(s) for s in shards)
    assert split_phrase_counts(vocab, 1) == ({}, [vocab])


def test_default_scoring_counts_the_whole_vocabulary(base_tokens):
    # Mikolov's score divides by the vocabulary size, so learn_phrases must not prune for it
    stop = TextPipeline().stopword_set()
    model = Phrases(base_tokens, min_count=1, connector_words=frozenset(), delimiter="_")
    options = {"min_count": 2, "threshold": 1.0, "connector_words": frozenset(), "stopwords": stop}
    from_gensim = score_phrases(
        (dict(model.vocab), model.corpus_word_count), scoring="default", **options
    )
    assert from_gensim
    assert learn_phrases(base_tokens, scoring="default", **options) == from_gensim


def _join_by_definition(tokens: list[str], table: dict[str, float]) -> list[str]:
    """Every span that is a phrase, best score first (then leftmost, then longest), greedily."""
    spans = sorted(
        (-table[key], i, -size)
        for i in range(len(tokens))
        for size in range(2, len(tokens) - i + 1)
        if (key := "_".join(tokens[i : i + size])) in table
    )
    taken: dict[int, int] = {}
    used: set[int] = set()
    for _, i, neg_size in spans:
        cover = set(range(i, i - neg_size))
        if not cover & used:
            used |= cover
            taken[i] = -neg_size
    out, i = [], 0
    while i < len(tokens):
        size = taken.get(i, 1)
        out.append("_".join(tokens[i : i + size]))
        i += size
    return out


WORDS = st.sampled_from(["iran", "supreme", "leader", "of", "the", "gaza", "strip"])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(WORDS, max_size=14),
    st.dictionaries(
        st.lists(WORDS, min_size=2, max_size=4).map("_".join),
        st.floats(0.0, 1.0, allow_nan=False),
        max_size=6,
    ),
)
def test_phrases_join_as_defined(tokens, table):
    assert apply_phrases(tokens, table) == _join_by_definition(tokens, table)
    assert apply_phrases(tokens, table, phrase_index(table)) == _join_by_definition(tokens, table)
