"""The seed annotations and the codebook stay in step with the segmenter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from topickit.corpus import load_corpus
from topickit.exceptions import CorpusError
from topickit.segment import segment
from topickit.themes import load_annotations, load_codebook, text_hash

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def paragraphs(seeds_dir):
    return segment(load_corpus(seeds_dir), "paragraph")


@pytest.fixture(scope="module")
def codebook():
    return load_codebook(ROOT / "experiments" / "codebook.toml")


def test_every_seed_paragraph_is_annotated_with_a_matching_hash(paragraphs, codebook):
    table = load_annotations(
        ROOT / "seeds" / "annotations.csv", units=paragraphs, themes=codebook.names
    )
    assert table.unit_id.tolist() == paragraphs.unit_id.tolist()
    assert set(table.primary) == set(codebook.names)  # every theme is somebody's primary


def test_codebook_has_the_five_themes_with_rules(codebook):
    assert codebook.names == ["threat", "diplomacy", "humanitarian", "military", "alliances"]
    assert all(len(t.seed_terms) >= 30 and t.definition for t in codebook.themes)
    assert len(codebook.rules) >= 8


def test_a_stale_label_is_detected(paragraphs, codebook, tmp_path):
    table = pd.read_csv(ROOT / "seeds" / "annotations.csv", dtype=str)
    table.loc[0, "text_hash"] = text_hash("a different paragraph")
    stale = tmp_path / "annotations.csv"
    table.to_csv(stale, index=False)
    with pytest.raises(CorpusError, match=r"row 2 \(000:p1\): text hash does not match"):
        load_annotations(stale, units=paragraphs, themes=codebook.names)


def test_an_unknown_theme_is_named(paragraphs, codebook, tmp_path):
    table = pd.read_csv(ROOT / "seeds" / "annotations.csv", dtype=str)
    table.loc[3, "primary"] = "economy"
    bad = tmp_path / "annotations.csv"
    table.to_csv(bad, index=False)
    with pytest.raises(CorpusError, match="unknown theme 'economy'"):
        load_annotations(bad, units=paragraphs, themes=codebook.names)
