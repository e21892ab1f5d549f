"""Map the topics of any fitted topic model to the themes of a codebook.

Two kinds of evidence are available:

* **seed terms** — how much of a topic's weight falls on each theme's seed terms, once the
  seeds are lemmatised and matched to the model's vocabulary (:func:`seed_matches`);
* **annotations** — which primary themes the hand-annotated units that use the topic carry.

:func:`map_topics_to_themes` turns either (or their average) into a topic x theme matrix and
one best theme per topic with a confidence.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from topickit.exceptions import ConfigError
from topickit.text.phrases import PHRASE_DELIMITER
from topickit.text.pipeline import TextPipeline
from topickit.text.stopwords import build_stopwords
from topickit.themes.codebook import Codebook, load_codebook

__all__ = [
    "METHODS",
    "NO_THEME",
    "PARTIAL_MATCH",
    "TopicThemeMap",
    "as_codebook",
    "map_topics_to_themes",
    "seed_matches",
    "seed_term_weights",
]

logger = logging.getLogger(__name__)

#: Strength of a partial seed match: one content word of a multi-word seed whose phrase is
#: not in the vocabulary, or a vocabulary phrase that contains a one-word seed.
PARTIAL_MATCH = 0.5
#: Theme name given to a topic without any evidence for a theme.
NO_THEME = "none"
#: Mapping methods of :func:`map_topics_to_themes`.
METHODS = ("seed_terms", "annotations", "both")


def as_codebook(value: Codebook | Mapping[str, Any] | str | Path) -> Codebook:
    """A :class:`Codebook` from a codebook, its ``to_dict()`` data, or a TOML path.

    Raises
    ------
    ConfigError
        When the value is none of these or is not a valid codebook.
    """
    if isinstance(value, Codebook):
        return value
    if isinstance(value, Mapping):
        return Codebook.from_dict(dict(value))
    if isinstance(value, str | Path):
        return load_codebook(value)
    raise ConfigError(f"codebook: expected a Codebook, a table or a TOML path, got {value!r}")


# ---------------------------------------------------------------------- seed matching
def _forms(seed: str, lemmatised: TextPipeline, plain: TextPipeline) -> tuple[list[str], list[str]]:
    """Lower-cased lemma tokens and plain tokens of a seed, numbers left out."""
    lemmas = [t.lower() for t in lemmatised.base_tokens(seed) if not t[:1].isdigit()]
    words = [t.lower() for t in plain.base_tokens(seed) if not t[:1].isdigit()]
    return lemmas, words


def seed_matches(codebook: Codebook, vocabulary: Sequence[str]) -> pd.DataFrame:
    """How each seed term of ``codebook`` matches the terms of ``vocabulary``.

    Seeds are tokenised and lemmatised as :meth:`TextPipeline.base_tokens` does (then
    lower-cased). A one-word seed matches its lemma (or, failing that, its plain form) with
    strength 1, and any vocabulary phrase (``"a_b"``) containing it with strength
    :data:`PARTIAL_MATCH`. A multi-word seed matches its joined phrase token with strength 1;
    when the phrase is not in the vocabulary, each of its content words (an acronym, or a word
    of at least two characters that is not a stop word) matches with strength :data:`PARTIAL_MATCH`.

    Parameters
    ----------
    codebook : Codebook
    vocabulary : sequence of str
        The model's terms in column order.

    Returns
    -------
    pandas.DataFrame
        One row per (theme, seed, matched term): ``theme, seed, term, index, strength``.
        Seeds that match nothing are left out (compare with the codebook to list them).
    """
    index = {term: j for j, term in enumerate(vocabulary)}
    phrases_with: dict[str, list[str]] = {}
    for term in vocabulary:
        if PHRASE_DELIMITER in term:
            for part in set(term.split(PHRASE_DELIMITER)):
                phrases_with.setdefault(part, []).append(term)
    stop = build_stopwords()
    lemmatised, plain = TextPipeline(), TextPipeline(lemmatize=False)
    rows: list[tuple[str, str, str, int, float]] = []

    def first_known(*candidates: str) -> str | None:
        return next((c for c in candidates if c in index), None)

    for theme in codebook.themes:
        for seed in theme.seed_terms:
            lemmas, words = _forms(seed, lemmatised, plain)
            acronyms = {t for t in plain.base_tokens(seed) if len(t) > 1 and t.isupper()}
            if not lemmas:
                continue
            found: dict[str, float] = {}
            if len(lemmas) == 1:
                hit = first_known(lemmas[0], *words[:1])
                if hit is not None:
                    found[hit] = 1.0
                for term in phrases_with.get(hit or lemmas[0], []):
                    found.setdefault(term, PARTIAL_MATCH)
            else:
                hit = first_known(PHRASE_DELIMITER.join(lemmas), PHRASE_DELIMITER.join(words))
                if hit is not None:
                    found[hit] = 1.0
                else:
                    for lemma, word in zip(lemmas, words, strict=False):
                        acronym = word.upper() in acronyms
                        if not acronym and (lemma in stop or len(lemma) < 2):
                            continue
                        part = first_known(lemma, word)
                        if part is not None:
                            found.setdefault(part, PARTIAL_MATCH)
            rows.extend((theme.name, seed, t, index[t], s) for t, s in found.items())
    return pd.DataFrame(rows, columns=["theme", "seed", "term", "index", "strength"])


def seed_term_weights(codebook: Codebook, vocabulary: Sequence[str]) -> np.ndarray:
    """Matrix of seed-match strengths, shape ``(n_themes, n_terms)``.

    Entry ``[h, j]`` is the strongest match of any seed of theme ``h`` to term ``j``
    (1 exact, :data:`PARTIAL_MATCH` partial, 0 none); see :func:`seed_matches`.
    """
    weights = np.zeros((len(codebook.themes), len(vocabulary)))
    matches = seed_matches(codebook, vocabulary)
    row = {name: h for h, name in enumerate(codebook.names)}
    for theme, j, strength in zip(matches.theme, matches["index"], matches.strength, strict=True):
        weights[row[theme], j] = max(weights[row[theme], j], strength)
    return weights


# ---------------------------------------------------------------------- the mapping
@dataclass(frozen=True)
class TopicThemeMap:
    """Topics matched to themes.

    Attributes
    ----------
    method : str
        ``"seed_terms"``, ``"annotations"`` or ``"both"``.
    matrix : pandas.DataFrame
        Topics (index ``topic``) x themes (codebook order): the share of each topic's theme
        evidence that points to each theme. Rows sum to 1, or are all 0 for a topic with no
        evidence at all.
    assignment : pandas.DataFrame
        One row per topic: ``topic, theme, confidence, second_theme, margin, coverage``.
        ``confidence`` is the top share of the ``matrix`` row (in [0, 1]; 1 means all the
        evidence points to one theme; ``1 / n_themes`` means none is preferred);
        ``margin`` is the top share minus the second; ``theme`` is :data:`NO_THEME` (and
        ``confidence`` 0) when the topic has no evidence. ``coverage`` says how much
        evidence there was: for seed terms, the share of the topic's (top-N) weight that
        lies on seed terms of any theme; for annotations, the share of the topic's weight
        over all units that lies on annotated units; for both, the mean of the two.
    """

    method: str
    matrix: pd.DataFrame
    assignment: pd.DataFrame

    def labels(self, *, digits: int = 2) -> dict[int, str]:
        """Short labels for plots and summaries, e.g. ``{0: "humanitarian (0.62)"}``.

        A topic without evidence is labelled ``"none"``.
        """
        out = {}
        for row in self.assignment.itertuples(index=False):
            if row.theme == NO_THEME:
                out[int(row.topic)] = NO_THEME
            else:
                out[int(row.topic)] = f"{row.theme} ({row.confidence:.{digits}f})"
        return out


def _row_normalise(scores: np.ndarray) -> np.ndarray:
    totals = scores.sum(axis=1, keepdims=True)
    return np.divide(scores, totals, out=np.zeros_like(scores), where=totals > 0)


def _seed_scores(
    components: np.ndarray, weights: np.ndarray, topn: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Theme shares of each topic's (top-N) weight, and the topic's seed coverage."""
    comp = np.clip(components, 0.0, None)
    if topn is not None and topn < comp.shape[1]:
        keep = np.argsort(-comp, axis=1, kind="stable")[:, :topn]
        mask = np.zeros_like(comp, dtype=bool)
        np.put_along_axis(mask, keep, True, axis=1)
        comp = np.where(mask, comp, 0.0)
    comp = _row_normalise(comp)
    scores = comp @ weights.T
    on_seeds = (weights > 0).any(axis=0)
    coverage = comp[:, on_seeds].sum(axis=1)
    return _row_normalise(scores), coverage


def _missing(label: Any) -> bool:
    if label is None:
        return True
    if isinstance(label, float) and math.isnan(label):
        return True
    return isinstance(label, str) and not label.strip()


def _annotation_scores(
    doc_topic: np.ndarray, unit_labels: Sequence[Any], names: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Per topic, the distribution of primary themes over units weighted by topic weight."""
    doc_topic = np.clip(np.asarray(doc_topic, dtype=np.float64), 0.0, None)
    labels = list(unit_labels)
    if doc_topic.ndim != 2 or doc_topic.shape[0] != len(labels):
        raise ConfigError(
            f"unit_labels has {len(labels)} entries but doc_topic has shape {doc_topic.shape}; "
            "they must be aligned row by row"
        )
    column = {name: h for h, name in enumerate(names)}
    onehot = np.zeros((len(labels), len(names)))
    for i, label in enumerate(labels):
        if _missing(label):
            continue
        if label not in column:
            raise ConfigError(
                f"unit_labels: unknown theme {label!r} (row {i}); codebook themes: "
                f"{', '.join(names)}"
            )
        onehot[i, column[label]] = 1.0
    scores = doc_topic.T @ onehot
    totals = doc_topic.sum(axis=0)
    coverage = np.divide(scores.sum(axis=1), totals, out=np.zeros_like(totals), where=totals > 0)
    return _row_normalise(scores), coverage


def _assign(matrix: np.ndarray, names: list[str], coverage: np.ndarray) -> pd.DataFrame:
    rows = []
    for k, shares in enumerate(matrix):
        order = np.argsort(-shares, kind="stable")
        top = float(shares[order[0]])
        second = float(shares[order[1]]) if len(order) > 1 else 0.0
        if top <= 0:
            rows.append((k, NO_THEME, 0.0, NO_THEME, 0.0, float(coverage[k])))
            continue
        second_name = names[order[1]] if len(order) > 1 and second > 0 else NO_THEME
        rows.append((k, names[order[0]], top, second_name, top - second, float(coverage[k])))
    return pd.DataFrame(
        rows, columns=["topic", "theme", "confidence", "second_theme", "margin", "coverage"]
    )


def map_topics_to_themes(
    components: np.ndarray,
    vocabulary: Sequence[str],
    codebook: Codebook | Mapping[str, Any] | str | Path,
    *,
    method: str = "seed_terms",
    doc_topic: np.ndarray | None = None,
    unit_labels: Sequence[Any] | None = None,
    topn: int | None = 30,
) -> TopicThemeMap:
    """Match each topic of a fitted topic model to the codebook's themes.

    Parameters
    ----------
    components : ndarray of shape (n_topics, n_terms)
        Topic-term weights of any topickit model (``model.components_``); negative weights
        (LSA) are treated as 0.
    vocabulary : sequence of str
        Terms in column order (``model.vocabulary_``).
    codebook : Codebook, dict or path
        The themes and their seed terms.
    method : {"seed_terms", "annotations", "both"}, default="seed_terms"
        ``"seed_terms"``: the share of each topic's top-``topn`` weight (renormalised) that
        lies on each theme's matched seed terms, weighted by match strength.
        ``"annotations"``: for each topic, the primary themes of the annotated units,
        each unit weighted by its weight on the topic.
        ``"both"``: the mean of the two rows (a topic with evidence of one kind only keeps
        that row).
    doc_topic : ndarray of shape (n_units, n_topics), optional
        Topic weights of the units (``model.transform``); needed for annotations.
    unit_labels : sequence, optional
        The annotated primary theme of each row of ``doc_topic``; ``None``, NaN or ``""``
        for a unit that is not annotated.
    topn : int or None, default=30
        Top terms per topic used by the seed-term evidence; ``None`` uses the full
        distribution.

    Returns
    -------
    TopicThemeMap

    Raises
    ------
    ConfigError
        For an unknown method, missing or misaligned annotations, or an unknown theme label.
    """
    if method not in METHODS:
        raise ConfigError(f"unknown mapping method {method!r}; choose one of: {', '.join(METHODS)}")
    if topn is not None and (isinstance(topn, bool) or not isinstance(topn, Integral) or topn < 1):
        raise ConfigError(f"topn must be a positive int or None, got {topn!r}")
    book = as_codebook(codebook)
    names = book.names
    components = np.asarray(components, dtype=np.float64)
    if components.ndim != 2 or components.shape[1] != len(vocabulary):
        raise ConfigError(
            f"components has shape {components.shape} but the vocabulary has "
            f"{len(vocabulary)} terms"
        )
    if method in ("annotations", "both"):
        if doc_topic is None or unit_labels is None:
            raise ConfigError(f"method={method!r} needs doc_topic and unit_labels")
        if np.asarray(doc_topic).shape[1:] != (components.shape[0],):
            raise ConfigError(
                f"doc_topic has shape {np.asarray(doc_topic).shape}; expected "
                f"{components.shape[0]} topic columns"
            )
    if method == "seed_terms":
        matrix, coverage = _seed_scores(components, seed_term_weights(book, vocabulary), topn)
    elif method == "annotations":
        matrix, coverage = _annotation_scores(doc_topic, unit_labels, names)
    else:
        seeds, seed_cov = _seed_scores(components, seed_term_weights(book, vocabulary), topn)
        notes, note_cov = _annotation_scores(doc_topic, unit_labels, names)
        has_seed = seeds.sum(axis=1, keepdims=True) > 0
        has_note = notes.sum(axis=1, keepdims=True) > 0
        both = has_seed & has_note
        matrix = np.where(both, (seeds + notes) / 2, np.where(has_seed, seeds, notes))
        coverage = (seed_cov + note_cov) / 2
    frame = pd.DataFrame(matrix, columns=names)
    frame.index.name = "topic"
    return TopicThemeMap(method, frame, _assign(matrix, names, coverage))
