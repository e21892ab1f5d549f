"""The preprocessing pipeline: from unit texts to the token lists every model sees.

Steps, in order: normalise Unicode, tokenise, lemmatise, join learned phrases, map aliases,
drop stop words, short tokens and (by default) numbers, then apply explicit
document-frequency filters. Everything a filter drops is reported in
:attr:`TextPipeline.vocabulary_report_`.

The pipeline owns its fitted state: :meth:`~TextPipeline.fit` learns it in one pass over texts
in memory (:mod:`topickit.text.fit_pass`), :meth:`~TextPipeline.fit_stream` batch by batch
with the spool engine (:mod:`topickit.text._spool`); both hand back what they learned and the
pipeline sets its own attributes from it.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from numbers import Integral, Real
from pathlib import Path
from typing import ClassVar

from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import Tags

from topickit._stale import system_temp_prefix
from topickit._tags import text_input_tags
from topickit._validation import (
    Interval,
    check_fitted,
    is_str_list,
    is_str_mapping,
    validate_params,
)
from topickit._workers import WorkerPool
from topickit.cleaning import normalize_text
from topickit.exceptions import DataTypeError
from topickit.text import _spool
from topickit.text.fit_pass import LearnedVocabulary, learn_in_memory
from topickit.text.phrases import apply_phrases
from topickit.text.pipeline_state import PipelineStateMixin
from topickit.text.token_steps import TokenSteps
from topickit.text.tokenize import tokenize
from topickit.vectorize import TokenCorpus, dictionary_from_frequencies, filter_vocabulary

__all__ = ["TextPipeline"]


#: Fewer texts than this are tokenised in this process: starting workers would cost more.
MIN_TEXTS_FOR_WORKERS = 200


def text_ranges(n_texts: int, n_jobs: int) -> list[tuple[int, int]]:
    """Split ``range(n_texts)`` into ``8 * n_jobs`` near-equal ``(start, stop)`` ranges."""
    size = max(1, -(-n_texts // (8 * n_jobs)))
    return [(i, min(i + size, n_texts)) for i in range(0, n_texts, size)]


def _final_texts(pipeline: TextPipeline, span_texts: Sequence[str]) -> list[list[str]]:
    """Final tokens of some texts with a fitted pipeline (run in :class:`WorkerPool` workers)."""
    return [pipeline.final_tokens(text) for text in span_texts]


class TextPipeline(TokenSteps, PipelineStateMixin, TransformerMixin, BaseEstimator):
    """Configurable tokeniser shared by gensim and scikit-learn models.

    Parameters
    ----------
    lemmatize : bool, default=True
        Reduce words to their lemma with simplemma (cached; works offline).
    stopwords : bool, default=True
        Drop English function words.
    news_stopwords : bool, default=True
        Also drop words common in wire copy ("said", "according", weekdays, months).
    extra_stopwords : list of str, default=()
        A user's own stop words.
    min_token_length : int, default=2
        Shorter tokens are dropped.
    keep_numbers : bool, default=False
        Keep number tokens such as ``2,750``.
    phrases : bool, default=True
        Learn collocations from the corpus with gensim ``Phrases`` and join them.
    phrase_min_count : int, default=2
        Minimum occurrences of a phrase.
    phrase_threshold : float, default=0.6
        Minimum normalised PMI of a phrase.
    phrase_connectors : bool, default=False
        Allow English connector words inside phrases ("secretary_of_state"). Off by
        default: on small corpora it mostly yields fragments such as "airstrike_on_gaza".
    phrase_min_docs : int, default=2
        A phrase must be joined in at least this many units, so that one repeated
        sentence cannot make a phrase.
    aliases : dict of str to str or None, default=None
        Optional name mapping applied to tokens and phrases after phrase joining, e.g.
        ``{"zionist_regime": "israel"}``. Off by default.
    no_below : int, default=1
        Drop terms found in fewer units than this.
    no_above : float, default=1.0
        Drop terms found in more than this share of units (1.0 keeps all).
    keep_n : int or None, default=None
        Keep only the ``keep_n`` most frequent terms (by document frequency).
    n_jobs : int, default=1
        Worker processes for tokenising.

    Attributes
    ----------
    phrases_ : dict of str to float
        Learned phrase table.
    dictionary_ : gensim.corpora.Dictionary
        Final vocabulary (ids in sorted term order) with document frequencies.
    vocabulary_report_ : dict
        Term counts before and after filtering, and the terms each filter dropped.

    Examples
    --------
    >>> pipe = TextPipeline(phrases=False).fit(["Khamenei warned Israel.", "Israel struck Gaza."])
    >>> pipe.transform(["Israel warned Gaza."])
    [['israel', 'warn', 'gaza']]
    """

    _parameter_constraints: ClassVar[dict] = {
        "lemmatize": [bool],
        "stopwords": [bool],
        "news_stopwords": [bool],
        "extra_stopwords": [is_str_list],
        "min_token_length": [Interval(Integral, 1, None)],
        "keep_numbers": [bool],
        "phrases": [bool],
        "phrase_min_count": [Interval(Integral, 1, None)],
        "phrase_threshold": [Interval(Real, -1.0, 1.0, closed="right")],
        "phrase_min_docs": [Interval(Integral, 1, None)],
        "phrase_connectors": [bool],
        "aliases": [None, is_str_mapping],
        "no_below": [Interval(Integral, 1, None)],
        "no_above": [Interval(Real, 0.0, 1.0, closed="right")],
        "keep_n": [None, Interval(Integral, 1, None)],
        "n_jobs": [Interval(Integral, 1, None)],
    }

    def __sklearn_tags__(self) -> Tags:
        """Input is a list of raw texts, not a numeric matrix."""
        return text_input_tags(super().__sklearn_tags__())

    def __init__(
        self,
        *,
        lemmatize: bool = True,
        stopwords: bool = True,
        news_stopwords: bool = True,
        extra_stopwords: Sequence[str] = (),
        min_token_length: int = 2,
        keep_numbers: bool = False,
        phrases: bool = True,
        phrase_min_count: int = 2,
        phrase_threshold: float = 0.6,
        phrase_min_docs: int = 2,
        phrase_connectors: bool = False,
        aliases: dict[str, str] | None = None,
        no_below: int = 1,
        no_above: float = 1.0,
        keep_n: int | None = None,
        n_jobs: int = 1,
    ) -> None:
        self.lemmatize = lemmatize
        self.stopwords = stopwords
        self.news_stopwords = news_stopwords
        self.extra_stopwords = extra_stopwords
        self.min_token_length = min_token_length
        self.keep_numbers = keep_numbers
        self.phrases = phrases
        self.phrase_min_count = phrase_min_count
        self.phrase_threshold = phrase_threshold
        self.phrase_min_docs = phrase_min_docs
        self.phrase_connectors = phrase_connectors
        self.aliases = aliases
        self.no_below = no_below
        self.no_above = no_above
        self.keep_n = keep_n
        self.n_jobs = n_jobs

    # -- the per-text steps ------------------------------------------------------------
    def _validate_params(self) -> None:
        validate_params(self.get_params(deep=False), self._parameter_constraints, "TextPipeline")

    def steps(self, text: str) -> list[tuple[str, list[str] | str]]:
        """Show what each step does to one text (for notebooks and debugging).

        Returns
        -------
        list of (str, object)
            ``("normalised", str)``, ``("tokens", list)``, ``("lemmas", list)``,
            ``("phrases", list)``, ``("final", list)``.
        """
        check_fitted(self, "dictionary_")
        normalised = normalize_text(text)
        raw = [t.text for t in tokenize(normalised)]
        base = self.base_tokens(text)
        joined = apply_phrases(base, self.phrases_)
        return [
            ("normalised", normalised),
            ("tokens", raw),
            ("lemmas", [t.lower() for t in base]),
            ("phrases", [t.lower() for t in joined]),
            ("final", self.transform([text])[0]),
        ]

    # -- fitting -------------------------------------------------------------------------
    def fit(self, texts: Iterable[str], y: None = None) -> TextPipeline:
        """Learn phrases and the vocabulary from unit texts.

        One pass in memory; with ``n_jobs > 1`` and at least 200 texts, worker processes run
        the spooled passes of :meth:`fit_stream` instead. Both learn the same state.

        Parameters
        ----------
        texts : iterable of str
            Unit texts, read once.
        y : None
            Ignored.

        Returns
        -------
        self
        """
        self._fit_tokens(texts, keep_tokens=False)
        return self

    def fit_transform(self, texts: Iterable[str], y: None = None) -> list[list[str]]:
        """Fit on unit texts and return their token lists, tokenising each text once.

        Equal to ``fit(texts).transform(texts)``, without the second tokenisation.

        Parameters
        ----------
        texts : iterable of str
            Unit texts, read once.
        y : None
            Ignored.

        Returns
        -------
        list of list of str
            One token list per text, restricted to the fitted vocabulary.
        """
        return self._fit_tokens(texts, keep_tokens=True)

    def _fit_tokens(self, texts: Iterable[str], *, keep_tokens: bool) -> list[list[str]]:
        self._validate_params()
        if isinstance(texts, str):
            raise DataTypeError("TextPipeline.fit expects an iterable of texts, not a string")
        texts = texts if isinstance(texts, Sequence) else list(texts)
        if self.n_jobs > 1 and len(texts) >= MIN_TEXTS_FOR_WORKERS:
            docs = self._fit_in_workers(texts, keep_tokens=keep_tokens)
        else:
            learned = learn_in_memory(self, texts, keep_tokens=keep_tokens)
            self._set_fitted(learned)
            docs = learned.final_tokens or []
        if self.vocabulary_report_["n_terms_after"] == self.vocabulary_report_["n_terms_before"]:
            return docs  # no term was filtered out
        vocab = self.dictionary_.token2id
        return [[t for t in doc if t in vocab] for doc in docs]

    def _fit_in_workers(self, texts: Sequence[str], *, keep_tokens: bool) -> list[list[str]]:
        """Fit through the spooled passes in ``n_jobs`` workers; the final tokens if kept.

        Workers hand tokens over through spool files rather than pipes (the in-memory pass
        with workers was 0.3-0.5 s slower on NewsArticles).
        """
        with tempfile.TemporaryDirectory(prefix=system_temp_prefix("fit")) as workdir:
            spool = _spool.Spool(Path(workdir), keep_final_tokens=keep_tokens)
            self.fit_stream(texts, spool=spool)
            return [doc for segment in spool.final_segments for doc in segment.read()]

    def fit_stream(
        self,
        texts: Iterable[str] | Callable[[], Iterable[str]],
        *,
        batch_size: int = 1000,
        spool: _spool.Spool | None = None,
    ) -> TextPipeline:
        """Learn phrases and the vocabulary like :meth:`fit`, without holding the corpus.

        The texts are read once, ``batch_size`` at a time (tokenised by ``n_jobs``
        processes); their base tokens go to temporary files that the later passes
        (phrase document frequencies, vocabulary) read back one batch at a time. Memory
        grows with the vocabulary, not with the number of texts. The fitted state equals
        what :meth:`fit` learns from the same texts.

        Parameters
        ----------
        texts : iterable of str, or a zero-argument callable returning one
            Unit texts (a one-shot generator is fine), ``(unit_id, text)`` pairs or unit rows.
        batch_size : int, default=1000
            Texts tokenised per batch.
        spool : Spool, optional
            The work folder and options of a caller that writes the corpus too
            (:func:`~topickit.streaming.corpus.build_streamed_corpus`); by default a
            temporary folder.

        Returns
        -------
        self
        """
        self._validate_params()
        if spool is None:
            learned = _spool.fit_with_spool(self, texts, batch_size=batch_size)
        else:
            learned = _spool.spool_fit(self, texts, spool, batch_size=batch_size)
        self._set_fitted(learned)
        return self

    def _set_fitted(self, learned: LearnedVocabulary) -> None:
        """Set the fitted attributes from what a fit learned, then apply the filters."""
        full = dictionary_from_frequencies(
            learned.dfs, learned.cfs, learned.n_units, learned.n_tokens
        )
        dictionary, report = filter_vocabulary(
            full, no_below=self.no_below, no_above=self.no_above, keep_n=self.keep_n
        )
        report["n_phrases"] = len(learned.phrases)
        self.phrases_ = learned.phrases
        self._stop_ = learned.stopwords
        self.dictionary_ = dictionary
        self.vocabulary_report_ = report

    # -- transforming --------------------------------------------------------------------
    def _final_all(self, texts: Sequence[str]) -> list[list[str]]:
        """Final tokens of each text, in ``n_jobs`` processes once there are enough texts."""
        n_jobs = self.n_jobs if len(texts) >= MIN_TEXTS_FOR_WORKERS else 1
        parts = (texts[start:stop] for start, stop in text_ranges(len(texts), n_jobs))
        with WorkerPool(n_jobs, self) as pool:
            return [doc for done in pool.map(_final_texts, parts) for doc in done]

    def transform(self, texts: Iterable[str]) -> list[list[str]]:
        """Token lists for texts, restricted to the fitted vocabulary.

        Parameters
        ----------
        texts : iterable of str

        Returns
        -------
        list of list of str
        """
        check_fitted(self, "dictionary_")
        if isinstance(texts, str):
            raise DataTypeError("TextPipeline.transform expects an iterable of texts, not a string")
        texts = texts if isinstance(texts, Sequence) else list(texts)
        vocab = self.dictionary_.token2id
        return [[t for t in doc if t in vocab] for doc in self._final_all(texts)]

    def iter_transform(
        self, texts: Iterable[str], *, batch_size: int = 1000
    ) -> Iterator[list[str]]:
        """Stream token lists for a large iterable of texts, ``batch_size`` at a time."""
        batch: list[str] = []
        for text in texts:
            batch.append(text)
            if len(batch) >= batch_size:
                yield from self.transform(batch)
                batch = []
        if batch:
            yield from self.transform(batch)

    def to_corpus(self, token_docs: Iterable[Sequence[str]]) -> TokenCorpus:
        """Wrap token lists in a :class:`TokenCorpus` that uses the fitted vocabulary."""
        check_fitted(self, "dictionary_")
        return TokenCorpus(token_docs, dictionary=self.dictionary_)

    def term_frequencies(self) -> Counter:
        """Document frequency of every kept term."""
        check_fitted(self, "dictionary_")
        d = self.dictionary_
        return Counter({d[i]: df for i, df in d.dfs.items()})
