"""Shared fixtures: the real seed articles and small synthetic corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The bundled seed corpus folder."""
    return SEEDS


@pytest.fixture(scope="session")
def seed_texts() -> dict[str, str]:
    """Raw text of each seed file, keyed by the file's three-digit prefix."""
    return {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture(scope="session")
def labelled_seed_paragraphs():
    """The codebook, the seed paragraphs' tokens (``no_below=2``) and their primary themes."""
    import warnings

    from topickit.corpus.loading import load_corpus
    from topickit.segment import segment
    from topickit.text.pipeline import TextPipeline
    from topickit.themes.annotations import load_annotations
    from topickit.themes.codebook import load_codebook

    codebook = load_codebook(ROOT / "experiments" / "codebook.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        units = segment(load_corpus(SEEDS), "paragraph").reset_index(drop=True)
    notes = load_annotations(SEEDS / "annotations.csv", units=units, themes=codebook.names)
    pipe = TextPipeline(no_below=2)
    corpus = pipe.to_corpus(pipe.fit_transform(units.text.tolist()))
    primary = dict(zip(notes.unit_id, notes.primary, strict=True))
    return codebook, corpus, [primary.get(u) for u in units.unit_id]
