"""Topic coherence against the units' own tokens, with shared co-occurrence statistics.

:class:`CoherenceScorer` wraps gensim's :class:`~gensim.models.coherencemodel.CoherenceModel`.
Counting word occurrences and co-occurrences (sliding windows for ``c_v``/``c_npmi``/``c_uci``,
whole documents for ``u_mass``) is the expensive step; the scorer does it once per measure for
the union of the top terms of every topic set it is given, then reuses those counts for each
set. Because occurrence counts of a word (and the number of windows or documents) do not
depend on which other words are being tracked, the shared scores equal the scores gensim gives
for each set on its own.

Terms that never occur in the reference tokens cannot be scored (gensim silently drops terms
missing from the dictionary, and a term with zero occurrences makes the log ratios divide by
zero). They are dropped from their topic before scoring and listed in
:attr:`CoherenceResult.dropped_terms`; a topic left with fewer than two terms gets NaN and is
excluded from the mean, and :attr:`CoherenceResult.n_excluded` says how many.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from gensim.models.coherencemodel import CoherenceModel

from topickit._validation import Interval, validate_params
from topickit.exceptions import TopickitError
from topickit.vectorize import TokenCorpus, as_token_corpus

__all__ = ["COHERENCE_MEASURES", "CoherenceResult", "CoherenceScorer"]

logger = logging.getLogger(__name__)

#: Coherence measures the scorer accepts (gensim's names).
COHERENCE_MEASURES = ("c_v", "c_npmi", "c_uci", "u_mass")
_DOCUMENT_BASED = frozenset({"u_mass"})


@dataclass(frozen=True)
class CoherenceResult:
    """Coherence of one topic set under one measure.

    Attributes
    ----------
    measure : str
        Gensim measure name (``"c_v"``, ``"c_npmi"``, ``"c_uci"`` or ``"u_mass"``).
    mean : float
        Mean over the scored topics (NaN when no topic could be scored).
    per_topic : list of float
        One value per topic, in input order; NaN for topics that could not be scored.
    n_excluded : int
        Number of topics left out of :attr:`mean` (NaN in :attr:`per_topic`).
    dropped_terms : list of list of str
        Per topic, the top terms that do not occur in the reference tokens and were dropped.
    """

    measure: str
    mean: float
    per_topic: list[float]
    n_excluded: int = 0
    dropped_terms: list[list[str]] = field(default_factory=list)

    @property
    def n_scored(self) -> int:
        """Number of topics that contribute to :attr:`mean`."""
        return len(self.per_topic) - self.n_excluded


@dataclass
class _PreparedSet:
    kept: list[list[str]]
    dropped: list[list[str]]
    scorable: list[int]  # indices of topics with >= 2 kept terms


class CoherenceScorer:
    """Score the coherence of many topic sets against one tokenised corpus.

    Parameters
    ----------
    corpus : TokenCorpus or iterable of token lists
        The reference: usually the very units the models were fitted on. Its ``docs`` are
        the texts for the sliding-window measures, its ``bow`` the documents for ``u_mass``.
    measures : sequence of str, default ("c_v", "c_npmi", "u_mass")
        Measures to compute, any of :data:`COHERENCE_MEASURES`.
    topn : int, default 10
        Number of leading terms of each topic to score (terms are taken in the given order).
    processes : int, default 1
        Processes gensim may use to count sliding windows (1 is deterministic and is
        fastest on small corpora).
    window_size : int, optional
        Sliding-window size; by default gensim's (110 for ``c_v``, 10 for ``c_npmi``/``c_uci``).

    Examples
    --------
    >>> docs = [["gaza", "strike", "hamas"], ["gaza", "hamas"], ["oil", "price"], ["oil", "price"]]
    >>> scorer = CoherenceScorer(docs, measures=("u_mass",), topn=3)
    >>> result = scorer.score([["gaza", "hamas"], ["oil", "price", "unknown"]])["u_mass"]
    >>> [round(v, 6) for v in result.per_topic], result.dropped_terms
    ([0.0, 0.0], [[], ['unknown']])
    """

    def __init__(
        self,
        corpus: TokenCorpus | Sequence[Sequence[str]],
        *,
        measures: Sequence[str] = ("c_v", "c_npmi", "u_mass"),
        topn: int = 10,
        processes: int = 1,
        window_size: int | None = None,
    ) -> None:
        if isinstance(measures, str):
            measures = (measures,)
        measures = tuple(measures)
        validate_params(
            {"topn": topn, "processes": processes, "window_size": window_size},
            {
                "topn": [Interval(Integral, 1, None)],
                "processes": [Interval(Integral, 1, None)],
                "window_size": [None, Interval(Integral, 1, None)],
            },
            type(self).__name__,
        )
        if not measures:
            raise TopickitError("measures is empty: give at least one coherence measure")
        unknown = [m for m in measures if m not in COHERENCE_MEASURES]
        if unknown:
            raise TopickitError(
                f"unknown coherence measure {unknown[0]!r}; "
                f"choose from {', '.join(COHERENCE_MEASURES)}"
            )
        if len(set(measures)) != len(measures):
            raise TopickitError(f"measures lists a measure twice: {list(measures)}")
        self.corpus = as_token_corpus(corpus)
        self.measures = measures
        self.topn = topn
        self.processes = processes
        self.window_size = window_size
        self._vocabulary: frozenset[str] | None = None

    @property
    def vocabulary(self) -> frozenset[str]:
        """Terms that can be scored: in the dictionary and occurring in the reference tokens."""
        if self._vocabulary is None:
            token2id = self.corpus.dictionary.token2id
            seen = {t for doc in self.corpus.docs for t in doc}
            self._vocabulary = frozenset(t for t in seen if t in token2id)
        return self._vocabulary

    def score(self, topics: Sequence[Sequence[str]]) -> dict[str, CoherenceResult]:
        """Score one topic set under every measure.

        Parameters
        ----------
        topics : sequence of sequence of str
            Each topic's terms, best first.

        Returns
        -------
        dict
            Measure name to :class:`CoherenceResult`.
        """
        return self.score_many({"topics": topics})["topics"]

    def score_many(
        self, topic_sets: Mapping[str, Sequence[Sequence[str]]]
    ) -> dict[str, dict[str, CoherenceResult]]:
        """Score several topic sets, counting co-occurrences once per measure.

        Parameters
        ----------
        topic_sets : mapping of str to sequence of sequence of str
            Name (e.g. a model id) to that model's topics, each a list of terms, best first.

        Returns
        -------
        dict
            ``{name: {measure: CoherenceResult}}`` in input order.

        Raises
        ------
        TopickitError
            When ``topic_sets`` is empty or a set has no topics or holds a bare string.
        """
        if not topic_sets:
            raise TopickitError("topic_sets is empty: give at least one named topic set")
        prepared = {name: self._prepare(name, topics) for name, topics in topic_sets.items()}
        union = sorted(
            {t for p in prepared.values() for i in p.scorable for t in p.kept[i]},
            key=self.corpus.dictionary.token2id.__getitem__,
        )
        results: dict[str, dict[str, CoherenceResult]] = {name: {} for name in prepared}
        for measure in self.measures:
            scores = self._score_measure(measure, union, prepared)
            for name, prep in prepared.items():
                results[name][measure] = _result(measure, scores[name], prep)
        return results

    def _prepare(self, name: str, topics: Sequence[Sequence[str]]) -> _PreparedSet:
        if isinstance(topics, str) or not len(topics):
            raise TopickitError(f"topic set {name!r} has no topics (expected a list of term lists)")
        vocabulary = self.vocabulary
        kept, dropped, scorable = [], [], []
        for i, topic in enumerate(topics):
            if isinstance(topic, str):
                raise TopickitError(
                    f"topic {i} of topic set {name!r} is a string; expected a list of terms"
                )
            top = list(dict.fromkeys(topic))[: self.topn]
            kept.append([t for t in top if t in vocabulary])
            dropped.append([t for t in top if t not in vocabulary])
            if len(kept[-1]) >= 2:
                scorable.append(i)
        return _PreparedSet(kept, dropped, scorable)

    def _coherence_model(self, measure: str, topics: list[list[str]]) -> CoherenceModel:
        corpus = self.corpus
        return CoherenceModel(
            topics=topics,
            texts=corpus.docs,
            corpus=corpus.bow if measure in _DOCUMENT_BASED else None,
            dictionary=corpus.dictionary,
            coherence=measure,
            window_size=self.window_size,
            topn=max(len(t) for t in topics),
            processes=self.processes,
        )

    def _score_measure(
        self, measure: str, union: list[str], prepared: dict[str, _PreparedSet]
    ) -> dict[str, list[float]]:
        scores = {name: [] for name in prepared}
        if len(union) < 2:
            return scores
        # Count once, for every scorable term together: a word's occurrence counts (and the
        # number of windows or documents) do not depend on which other words are tracked.
        # Counting only needs the ids a segmentation mentions, so a linear one-id-per-segment
        # segmentation of all the terms avoids gensim's quadratic one over |union| terms.
        token2id = self.corpus.dictionary.token2id
        cm = self._coherence_model(measure, [union])
        accumulator = cm.estimate_probabilities([[(i, np.array([i])) for i in cm.topics[0]]])
        for name, prep in prepared.items():
            if prep.scorable:
                topic_ids = [np.array([token2id[t] for t in prep.kept[i]]) for i in prep.scorable]
                scores[name] = _confirm(measure, cm.measure, topic_ids, accumulator)
        return scores


def _confirm(measure: str, pipeline, topic_ids: list[np.ndarray], accumulator) -> list[float]:
    """Per-topic coherence from shared counts, with gensim's segmentation and confirmation.

    ``pipeline`` is gensim's ``(seg, prob, conf, aggr)`` tuple for ``measure``; the keyword
    arguments are those :meth:`CoherenceModel.get_coherence_per_topic` passes for it.
    """
    segmented = pipeline.seg(topic_ids)
    if measure == "c_v":
        options = {"topics": topic_ids, "measure": "nlr", "gamma": 1}
    elif measure in _DOCUMENT_BASED:
        options = {}
    else:
        options = {"normalize": measure == "c_npmi"}
    return [float(v) for v in pipeline.conf(segmented, accumulator, **options)]


def _result(measure: str, values: list[float], prep: _PreparedSet) -> CoherenceResult:
    per_topic = [math.nan] * len(prep.kept)
    for i, value in zip(prep.scorable, values, strict=True):
        per_topic[i] = value if math.isfinite(value) else math.nan
    finite = [v for v in per_topic if not math.isnan(v)]
    n_excluded = len(per_topic) - len(finite)
    if n_excluded:
        logger.info("%s: %d of %d topics could not be scored", measure, n_excluded, len(per_topic))
    mean = float(np.mean(finite)) if finite else math.nan
    return CoherenceResult(
        measure=measure,
        mean=mean,
        per_topic=per_topic,
        n_excluded=n_excluded,
        dropped_terms=prep.dropped,
    )
