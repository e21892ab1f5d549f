"""The memoised base word forms equal their definition: tokenize, then lemmatise."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topickit.cleaning import normalize as normalize_module
from topickit.cleaning import normalize_text
from topickit.corpus import load_corpus
from topickit.text import word_forms as word_forms_module
from topickit.text.lemmatize import lemmatize
from topickit.text.tokenize import tokenize
from topickit.text.word_forms import word_forms

# Letters of both cases, apostrophes, dots, digits and separators, so that acronyms,
# possessives, numbers and words all turn up in short random texts.
TEXT = st.text(alphabet="aAbBsSUNé'.,0123 \n\t-ßİ’", max_size=60)


def _by_definition(text: str, lemmatize_words: bool) -> list[str]:
    out = []
    for tok in tokenize(text):
        if tok.is_acronym:
            out.append(tok.text.upper())
        elif tok.is_number or not lemmatize_words:
            out.append(tok.text)
        else:
            out.append(lemmatize(tok.text))
    return out


@pytest.mark.parametrize("lemmatize_words", [True, False])
def test_seed_articles_give_the_defined_forms(seeds_dir, lemmatize_words):
    texts = [normalize_text(t) for t in load_corpus(seeds_dir)["text"]]
    for text in texts:
        assert word_forms(text, lemmatize_words=lemmatize_words) == _by_definition(
            text, lemmatize_words
        )
    forms = word_forms(texts[0], lemmatize_words=lemmatize_words)
    assert len(forms) > 300


@settings(max_examples=300, deadline=None)
@given(TEXT, st.booleans())
def test_any_text_gives_the_defined_forms(text, lemmatize_words):
    text = normalize_text(text)
    assert word_forms(text, lemmatize_words=lemmatize_words) == _by_definition(
        text, lemmatize_words
    )


def test_acronyms_numbers_and_possessives():
    text = "Iran's U.S. envoys met 2,750 IRGC officers; the US told us"
    assert word_forms(text) == [
        "iran", "US", "envoy", "meet", "2,750", "IRGC", "officer", "the", "US", "tell", "us",
    ]  # fmt: skip
    assert word_forms(text, lemmatize_words=False)[3] == "met"


def test_the_memo_is_emptied_when_full(monkeypatch):
    monkeypatch.setattr(word_forms_module, "_MEMO_SIZE", 3)
    memo = word_forms_module._MEMOS[True]
    memo.clear()
    word_forms("alpha beta gamma delta epsilon")
    assert len(memo) == 5  # checked before each text, not each word
    assert word_forms("zeta") == ["zeta"]
    assert set(memo) == {"zeta"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \n\t\u00a0\u2009\u3000\u1680ab\r\x0b", max_size=30))
def test_space_runs_become_one_space(text):
    # the pattern skips lone spaces; it must give what replacing every run gives
    assert normalize_module._SPACE_RUN_RE.sub(" ", text) == re.sub(r"[^\S\n]+", " ", text)
