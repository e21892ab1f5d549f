"""Sentence splitting on news text."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from topickit.text.sentences import split_sentences


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_and_decimals_do_not_end_sentences():
    text = (
        "The U.S. sent 2,000 Marines. Gen. Kurilla arrived on Oct. 17 with 1.1 million "
        "dollars. Talks resume."
    )
    assert _split(text) == [
        "The U.S. sent 2,000 Marines.",
        "Gen. Kurilla arrived on Oct. 17 with 1.1 million dollars.",
        "Talks resume.",
    ]


def test_quotes_close_sentences():
    text = '"The bombardment of Gaza must stop immediately." Students chanted. "No," he said.'
    assert _split(text) == [
        '"The bombardment of Gaza must stop immediately."',
        "Students chanted.",
        '"No," he said.',
    ]


def test_question_and_exclamation_marks():
    assert _split("Is it over? No! It goes on.") == ["Is it over?", "No!", "It goes on."]


def test_text_without_final_punctuation_is_one_sentence():
    assert _split("a fragment without a stop") == ["a fragment without a stop"]
    assert _split("   ") == []


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_offsets_slice_back_and_cover_all_words(text):
    spans = split_sentences(text)
    for s, e in spans:
        piece = text[s:e]
        assert piece == piece.strip() and piece
    covered = "".join(text[s:e] for s, e in spans)
    assert "".join(covered.split()) == "".join(text.split())
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
