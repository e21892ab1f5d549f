"""What the kit's models actually find in the seed paragraphs, robust across seeds."""

from __future__ import annotations

import pytest

from topickit.corpus import load_corpus
from topickit.models import make_model
from topickit.segment import segment
from topickit.text.pipeline import TextPipeline

HUMANITARIAN = {
    "kill",
    "civilian",
    "civilian_casualty",
    "humanitarian",
    "people",
    "death",
    "wound",
    "hostage",
    "displace",
    "evacuate",
    "siege",
    "food",
    "water",
    "medicine",
    "casualty",
    "humanitarian_crisis",
}
THREAT = {"warn", "vow", "retaliate", "threat", "consequence", "rage", "respond"}


@pytest.fixture(scope="module")
def paragraph_tokens(seeds_dir):
    units = segment(load_corpus(seeds_dir), "paragraph")
    pipe = TextPipeline(no_below=2)
    return pipe.to_corpus(pipe.fit_transform(units["text"].tolist()))


@pytest.mark.parametrize(
    ("kind", "params", "n_top", "min_humanitarian"),
    # measured: NMF's humanitarian topic holds 3 of these terms in its top 10 and "warn"
    # leads a Khamenei topic; LDA's holds 2 ("kill", "people") and at K=5 "warn" sits at
    # ranks 11-15 of its Khamenei topic, so LDA is checked on its top 15
    [("nmf", {}, 10, 3), ("gensim_lda", {"passes": 20, "iterations": 400, "init": "nmf"}, 15, 2)],
)
@pytest.mark.parametrize("k", [5, 6])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_humanitarian_and_threat_topics_are_found(
    paragraph_tokens, kind, params, n_top, min_humanitarian, k, seed
):
    model = make_model(kind, n_topics=k, random_state=seed, **params).fit(paragraph_tokens)
    tops = [{t for t, _ in topic} for topic in model.topic_terms(n_top)]
    humanitarian = [len(top & HUMANITARIAN) for top in tops]
    assert max(humanitarian) >= min_humanitarian, tops
    assert "kill" in tops[humanitarian.index(max(humanitarian))], tops
    threat_topics = [i for i, top in enumerate(tops) if top & THREAT]
    assert threat_topics, tops
    # the threat topic is not the humanitarian one
    best_humanitarian = humanitarian.index(max(humanitarian))
    assert any(i != best_humanitarian for i in threat_topics), tops
