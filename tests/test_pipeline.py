"""The preprocessing pipeline on the seeds and on small hand-made texts."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topickit.corpus import load_corpus
from topickit.segment import segment
from topickit.text.phrases import apply_phrases, cached_phrase_index
from topickit.text.pipeline import TextPipeline
from topickit.text.tokenize import tokenize
from topickit.vectorize import TokenCorpus


@pytest.fixture(scope="module")
def seed_paragraphs(seeds_dir):
    return segment(load_corpus(seeds_dir), "paragraph")["text"].tolist()


@pytest.fixture(scope="module")
def fitted(seed_paragraphs):
    pipe = TextPipeline()
    return pipe, pipe.fit_transform(seed_paragraphs)


def test_phrases_learned_from_the_seeds(fitted):
    pipe, docs = fitted
    for phrase in ("supreme_leader", "al_aqsa", "gaza_strip", "zionist_regime", "west_bank"):
        assert phrase in pipe.phrases_
    assert any("supreme_leader" in d for d in docs)
    # connector fragments are not phrases by default
    assert not any(p.count("_") > 1 for p in pipe.phrases_)


def test_news_stopwords_and_lemmas(fitted):
    _, docs = fitted
    vocab = {t for d in docs for t in d}
    assert not vocab & {"said", "say", "according", "tuesday", "monday", "the", "and"}
    assert {"civilian", "kill", "hostage", "warn", "israel", "iran", "hamas"} <= vocab
    assert "civilians" not in vocab and "killed" not in vocab


def test_curly_and_straight_apostrophes_tokenise_alike():
    texts = ["Iran’s leader warned", "Iran's leader warned"]
    a, b = TextPipeline(phrases=False).fit_transform(texts)
    assert a == b == ["iran", "leader", "warn"]


def test_acronyms_survive_stop_words():
    assert [t.text for t in tokenize("the US and U.N. told us")] == [
        "the",
        "us",
        "and",
        "un",
        "told",
        "us",
    ]
    pipe = TextPipeline(phrases=False).fit(["The US told us about the U.N. vote."])
    assert pipe.transform(["The US told us."]) == [["us"]]


def test_numbers_are_dropped_unless_kept():
    text = ["At least 2,750 people died in 2023."]
    assert "2,750" not in TextPipeline(phrases=False).fit(text).transform(text)[0]
    assert "2,750" in TextPipeline(phrases=False, keep_numbers=True).fit(text).transform(text)[0]


def test_document_frequency_filters_are_explicit_and_reported(seed_paragraphs):
    pipe = TextPipeline(no_below=2, no_above=0.5).fit(seed_paragraphs)
    report = pipe.vocabulary_report_
    assert report["n_terms_after"] == len(pipe.dictionary_)
    assert report["n_terms_before"] - report["n_terms_after"] == sum(
        len(v) for v in report["dropped"].values()
    )
    assert "israel" in report["dropped"]["no_above"]
    # the default drops nothing: israel, iran and hamas stay
    default = TextPipeline().fit(seed_paragraphs)
    assert not any(default.vocabulary_report_["dropped"].values())
    assert {"israel", "iran", "hamas"} <= set(default.dictionary_.token2id)


def test_aliases_map_names_after_phrases(seed_paragraphs):
    pipe = TextPipeline(aliases={"zionist_regime": "israel"}).fit(seed_paragraphs)
    docs = pipe.transform(seed_paragraphs)
    assert not any("zionist_regime" in d for d in docs)


def test_gensim_and_sklearn_see_the_same_tokens(fitted):
    pipe, docs = fitted
    corpus = pipe.to_corpus(docs)
    assert isinstance(corpus, TokenCorpus)
    assert corpus.terms == sorted(pipe.dictionary_.token2id)
    assert int(corpus.counts.sum()) == sum(len(d) for d in docs)
    assert corpus.counts.shape == (len(docs), len(pipe.dictionary_))


def test_parallel_tokenising_matches_serial(seed_paragraphs):
    texts = seed_paragraphs * 6  # above the threshold where workers start
    serial = TextPipeline(n_jobs=1).fit_transform(texts)
    parallel_pipe = TextPipeline(n_jobs=2)
    parallel = parallel_pipe.fit_transform(texts)
    assert serial == parallel
    # transform spreads the texts over workers too, and gives the same tokens
    assert parallel_pipe.transform(texts) == serial


def test_caches_are_reused_for_equal_settings_and_not_pickled(seed_paragraphs):
    pipe = TextPipeline().fit(seed_paragraphs)
    pipe.transform(seed_paragraphs[:3])
    # a worker gets equal but new copies of the phrase table and the stop words per task
    table, stop = dict(pipe.phrases_), pipe.stopword_set()
    assert cached_phrase_index(table) is cached_phrase_index(pipe.phrases_)
    assert pipe._finisher(stop) is pipe._finisher(pipe.stopword_set())
    assert pipe._finisher(stop - {"the"}) is not pipe._finisher(stop)
    state = pipe.__getstate__()
    assert "_finisher_cache" not in state
    restored = pickle.loads(pickle.dumps(pipe))
    assert restored.transform(seed_paragraphs) == pipe.transform(seed_paragraphs)


def test_steps_show_each_stage(fitted):
    pipe, _ = fitted
    names = [name for name, _ in pipe.steps("Iran’s Supreme Leader warned Israel.")]
    assert names == ["normalised", "tokens", "lemmas", "phrases", "final"]
    assert pipe.steps("Iran’s Supreme Leader warned Israel.")[-1][1] == [
        "iran",
        "supreme_leader",
        "warn",
        "israel",
    ]


def test_invalid_parameters_are_named():
    with pytest.raises(ValueError, match="The 'no_above' parameter of TextPipeline"):
        TextPipeline(no_above=2.0).fit(["text"])


def test_overlapping_phrases_take_the_higher_score():
    table = {"iran_supreme": 0.6, "supreme_leader": 0.9}
    assert apply_phrases(["iran", "supreme", "leader"], table) == ["iran", "supreme_leader"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=5))
def test_pipeline_never_crashes_on_arbitrary_text(texts):
    pipe = TextPipeline().fit(texts)
    docs = pipe.transform(texts)
    assert len(docs) == len(texts)
    assert all(isinstance(t, str) and t for d in docs for t in d)


def test_finishing_follows_changed_settings(seed_paragraphs):
    # the memo of final token forms must not outlive the settings it was made with
    pipe = TextPipeline(phrases=False).fit(seed_paragraphs)
    stop = pipe.stopword_set()
    base = ["IRGC", "2,750", "iranian", "the", "force"]
    assert pipe.finish_tokens(base, {}, stop) == ["irgc", "iranian", "force"]
    pipe.set_params(keep_numbers=True, aliases={"iranian": "iran"})
    assert pipe.finish_tokens(base, {}, stop) == ["irgc", "2,750", "iran", "force"]
    pipe.set_params(min_token_length=5)
    assert pipe.finish_tokens(base, {}, stop) == ["2,750", "force"]
    text = ["The IRGC said 2,750 Iranian forces were ready."]
    assert "2,750" in pipe.fit(seed_paragraphs).transform(text)[0]
