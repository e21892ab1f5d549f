"""Segmentation into articles, paragraphs and sentences with offsets."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topickit.corpus import load_corpus
from topickit.exceptions import TopickitError
from topickit.segment import segment


@pytest.fixture(scope="module")
def seed_articles(seeds_dir):
    return load_corpus(seeds_dir)


def test_unit_ids_are_stable_and_hierarchical():
    arts = pd.DataFrame({"doc_id": ["x"], "text": ["One. Two.\n\nThree."]})
    units = segment(arts, ["article", "paragraph", "sentence"])
    assert units["unit_id"].tolist() == ["x", "x:p1", "x:p2", "x:p1:s1", "x:p1:s2", "x:p2:s1"]
    sentences = units[units.level == "sentence"]
    assert sentences["paragraph"].tolist() == [1, 1, 2]
    assert sentences["position"].tolist() == [1, 2, 1]


def test_offsets_slice_back_to_unit_text_on_the_seeds(seed_articles):
    texts = dict(zip(seed_articles.doc_id, seed_articles.text, strict=True))
    units = segment(seed_articles, ["article", "paragraph", "sentence"])
    for row in units.itertuples():
        assert texts[row.doc_id][row.char_start : row.char_end] == row.text
    assert set(units.level) == {"article", "paragraph", "sentence"}


def test_seed_paragraph_ids(seed_articles):
    units = segment(seed_articles, "paragraph")
    assert "002:p3" in set(units.unit_id)
    assert units.groupby("doc_id").size().min() >= 5
    sentences = segment(seed_articles, "sentence")
    # every sentence of 000's first paragraph, the date header gone
    first = sentences[sentences.unit_id.str.startswith("000:p1:")]
    assert first.text.iloc[0].startswith("Iran's Supreme Leader Ayatollah Ali Khamenei")
    assert len(first) == 3


def test_unknown_level_is_a_clear_error(seed_articles):
    with pytest.raises(TopickitError, match="unknown level 'chapter'"):
        segment(seed_articles, "chapter")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=60), min_size=1, max_size=6))
def test_offsets_always_slice_back(paragraphs):
    text = "\n\n".join(p.strip() for p in paragraphs)
    arts = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    units = segment(arts, ["paragraph", "sentence"])
    for row in units.itertuples():
        assert text[row.char_start : row.char_end] == row.text
        assert row.text.strip() == row.text and row.text
