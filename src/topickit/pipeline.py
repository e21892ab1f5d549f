"""The preprocessing pipeline: from unit texts to the token lists every model sees.

Steps, in order: normalise Unicode, tokenise, lemmatise, join learned phrases, map aliases,
drop stop words, short tokens and (by default) numbers, then apply explicit
document-frequency filters. Everything a filter drops is reported in
:attr:`TextPipeline.vocabulary_report_`.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
from gensim.corpora import Dictionary
from sklearn.base import BaseEstimator, TransformerMixin

from topickit._validation import Interval, check_fitted, validate_params
from topickit.cleaning import normalize_text
from topickit.features import TokenCorpus
from topickit.pipeline_state import pipeline_from_state, pipeline_get_state
from topickit.streaming_fit import BatchMapper, fit_pipeline_stream, stream_fit
from topickit.text.phrases import PHRASE_DELIMITER, PhraseIndex, apply_phrases, phrase_index
from topickit.text.stopwords import build_stopwords
from topickit.text.tokenize import tokenize
from topickit.text.word_forms import word_forms

__all__ = ["TextPipeline"]

#: Fewer texts than this are tokenised in this process: starting workers would cost more.
_MIN_TEXTS_FOR_WORKERS = 200
#: Tokens whose final form :meth:`TextPipeline._finish_tokens` remembers, per settings.
_FINISH_MEMO_SIZE = 500_000
_UNSEEN = object()


def _finish_texts(pipeline: TextPipeline, texts: Sequence[str]) -> list[list[str]]:
    """Final tokens of some texts with a fitted pipeline (run in :class:`BatchMapper` workers)."""
    return [pipeline._finish(text, pipeline.phrases_, pipeline._stop_) for text in texts]


def _restrict_dictionary(full: Dictionary, kept: list[str]) -> Dictionary:
    """The dictionary of ``full``'s documents with only the sorted terms ``kept``.

    Equal to rebuilding it from the documents with the other terms removed: a term's
    document and collection frequencies do not depend on the other terms.
    """
    if list(full.token2id) == kept and list(full.token2id.values()) == list(range(len(kept))):
        return full  # nothing dropped, and the ids are already in sorted term order
    out = Dictionary()
    out.token2id = {t: i for i, t in enumerate(kept)}
    out.id2token = {}
    old_ids = [full.token2id[t] for t in kept]
    out.dfs = {i: full.dfs[j] for i, j in enumerate(old_ids)}
    out.cfs = {i: full.cfs[j] for i, j in enumerate(old_ids)}
    out.num_docs = full.num_docs
    out.num_pos = sum(out.cfs.values())
    out.num_nnz = sum(out.dfs.values())
    return out


def _is_str_mapping(value: object) -> bool:
    """a dict of str to str"""
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _is_str_list(value: object) -> bool:
    """a list of str"""
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


class TextPipeline(TransformerMixin, BaseEstimator):
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
        "extra_stopwords": [_is_str_list],
        "min_token_length": [Interval(Integral, 1, None)],
        "keep_numbers": [bool],
        "phrases": [bool],
        "phrase_min_count": [Interval(Integral, 1, None)],
        "phrase_threshold": [Interval(Real, -1.0, 1.0, closed="right")],
        "phrase_min_docs": [Interval(Integral, 1, None)],
        "phrase_connectors": [bool],
        "aliases": [None, _is_str_mapping],
        "no_below": [Interval(Integral, 1, None)],
        "no_above": [Interval(Real, 0.0, 1.0, closed="right")],
        "keep_n": [None, Interval(Integral, 1, None)],
        "n_jobs": [Interval(Integral, 1, None)],
    }

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
    def _stop_set(self) -> frozenset[str]:
        return build_stopwords(
            english=self.stopwords, news=self.news_stopwords, extra=tuple(self.extra_stopwords)
        )

    def base_tokens(self, text: str) -> list[str]:
        """Tokens before phrase joining and filtering: normalised, lower-cased, lemmatised.

        Acronyms written in capitals (``US``, ``U.N.``) stay upper-case here, so that they
        are told apart from stop words ("US" is not "us"); they are lower-cased at the end.
        """
        return word_forms(normalize_text(text), lemmatize_words=self.lemmatize)

    def _finish(self, text: str, phrases: dict[str, float], stop: frozenset[str]) -> list[str]:
        return self._finish_tokens(self.base_tokens(text), phrases, stop)

    def _finish_tokens(
        self, base: list[str], phrases: dict[str, float], stop: frozenset[str]
    ) -> list[str]:
        """The steps after :meth:`base_tokens`: phrases, aliases, numbers, stop words."""
        joined = apply_phrases(base, phrases, self._phrase_index(phrases)) if phrases else base
        memo = self._finish_memo(stop)
        out = []
        append = out.append
        for tok in joined:
            final = memo.get(tok, _UNSEEN)
            if final is _UNSEEN:
                final = memo[tok] = self._finish_token(tok, stop)
            if final is not None:
                append(final)
        return out

    def _finish_token(self, tok: str, stop: frozenset[str]) -> str | None:
        """The final form of one token after phrase joining, or None when it is dropped."""
        aliases = self.aliases or {}
        if PHRASE_DELIMITER in tok:
            tok = tok.lower()
            return aliases.get(tok, tok)
        if tok[:1].isdigit():
            return tok if self.keep_numbers else None
        acronym = tok.isupper()
        tok = aliases.get(tok.lower(), tok.lower())
        if len(tok) < self.min_token_length or (tok in stop and not acronym):
            return None
        return tok

    # The two caches below compare their keys by value, not identity: a worker process gets
    # an equal but new stop-word set and phrase table with every task. The key is then
    # rebound to the new object, so that later calls with it match at once.
    def _finish_memo(self, stop: frozenset[str]) -> dict[str, str | None]:
        """Memo of :meth:`_finish_token` for the current settings (emptied when they change)."""
        settings = (stop, self.aliases, self.keep_numbers, self.min_token_length)
        cached = self.__dict__.get("_finish_memo_cache")
        # a tuple compares its items by identity first, so this is fast for the same objects
        if cached is None or cached[0] != settings or len(cached[1]) > _FINISH_MEMO_SIZE:
            cached = (settings, {})
        elif cached[0][0] is not stop:
            cached = (settings, cached[1])
        self._finish_memo_cache = cached
        return cached[1]

    def _phrase_index(self, phrases: dict[str, float]) -> PhraseIndex:
        """``phrase_index(phrases)``, computed once per phrase table."""
        cached = self.__dict__.get("_phrase_index_cache")
        if cached is None or (cached[0] is not phrases and cached[0] != phrases):
            cached = (phrases, phrase_index(phrases))
        elif cached[0] is not phrases:
            cached = (phrases, cached[1])
        self._phrase_index_cache = cached
        return cached[1]

    def __getstate__(self) -> dict[str, Any]:
        # The caches are rebuilt on demand; they are not part of the pipeline's state.
        state = super().__getstate__()
        state.pop("_finish_memo_cache", None)
        state.pop("_phrase_index_cache", None)
        return state

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

        Runs the same passes as :meth:`fit_stream` (tokens spooled to a temporary file,
        ``n_jobs`` worker processes once there are at least 200 texts), so the two learn
        the same state.

        Parameters
        ----------
        texts : iterable of str
            Unit texts, read once.

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

        Returns
        -------
        list of list of str
            One token list per text, restricted to the fitted vocabulary.
        """
        return self._fit_tokens(texts, keep_tokens=True)

    def _fit_tokens(self, texts: Iterable[str], *, keep_tokens: bool) -> list[list[str]]:
        validate_params(self.get_params(deep=False), self._parameter_constraints, "TextPipeline")
        if isinstance(texts, str):
            raise TypeError("TextPipeline.fit expects an iterable of texts, not a single string")
        texts = texts if isinstance(texts, Sequence) else list(texts)
        n_jobs = self.n_jobs if len(texts) >= _MIN_TEXTS_FOR_WORKERS else 1
        with tempfile.TemporaryDirectory(prefix="topickit-fit-") as workdir:
            result = stream_fit(
                self,
                texts,
                workdir=workdir,
                n_jobs=n_jobs,
                keep_final_tokens=keep_tokens,
            )
            docs = (doc for segment in result.final_segments for doc in segment.read())
            report = self.vocabulary_report_
            if report["n_terms_after"] == report["n_terms_before"]:  # no term was filtered out
                return list(docs)
            vocab = self.dictionary_.token2id
            return [[t for t in doc if t in vocab] for doc in docs]

    def fit_stream(
        self, texts: Iterable[str] | Callable[[], Iterable[str]], *, batch_size: int = 1000
    ) -> TextPipeline:
        """Learn phrases and the vocabulary like :meth:`fit`, without holding the corpus.

        The texts are read once, ``batch_size`` at a time (tokenised by ``n_jobs``
        processes); their base tokens go to a temporary file that the later passes
        (phrase document frequencies, vocabulary) read back one batch at a time. Memory
        grows with the vocabulary, not with the number of texts. The fitted state equals
        what :meth:`fit` learns from the same texts.

        Parameters
        ----------
        texts : iterable of str, or a zero-argument callable returning one
            Unit texts (a one-shot generator is fine).
        batch_size : int, default=1000
            Texts tokenised per batch.

        Returns
        -------
        self
        """
        return fit_pipeline_stream(self, texts, batch_size=batch_size)

    def _filter_dictionary(self, full: Dictionary) -> tuple[Dictionary, dict]:
        """Apply the document-frequency filters to the unfiltered vocabulary ``full``."""
        n_docs = max(full.num_docs, 1)
        dfs = {term: full.dfs[i] for term, i in full.token2id.items() if i in full.dfs}
        dropped: dict[str, list[str]] = {"no_below": [], "no_above": [], "keep_n": []}
        kept = []
        for term in sorted(dfs):
            if dfs[term] < self.no_below:
                dropped["no_below"].append(term)
            elif dfs[term] / n_docs > self.no_above:
                dropped["no_above"].append(term)
            else:
                kept.append(term)
        if self.keep_n is not None and len(kept) > self.keep_n:
            ranked = sorted(kept, key=lambda t: (-dfs[t], t))
            dropped["keep_n"] = sorted(ranked[self.keep_n :])
            kept = sorted(ranked[: self.keep_n])
        filtered = _restrict_dictionary(full, kept)
        report = {
            "n_units": full.num_docs,
            "n_terms_before": len(full),
            "n_terms_after": len(filtered),
            "n_tokens_before": full.num_pos,
            "n_tokens_after": filtered.num_pos,
            "filters": {
                "no_below": self.no_below,
                "no_above": self.no_above,
                "keep_n": self.keep_n,
            },
            "dropped": dropped,
            "n_phrases": len(self.phrases_),
        }
        return filtered, report

    # -- transforming --------------------------------------------------------------------
    def _finish_all(self, texts: Sequence[str]) -> list[list[str]]:
        """Final tokens of each text, in ``n_jobs`` processes once there are enough texts."""
        n_jobs = self.n_jobs if len(texts) >= _MIN_TEXTS_FOR_WORKERS else 1
        size = max(1, -(-len(texts) // (8 * n_jobs)))
        parts = (texts[i : i + size] for i in range(0, len(texts), size))
        with BatchMapper(n_jobs, self) as mapper:
            return [doc for done in mapper.map_tasks(_finish_texts, parts) for doc in done]

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
            raise TypeError("TextPipeline.transform expects an iterable of texts, not a string")
        texts = texts if isinstance(texts, Sequence) else list(texts)
        vocab = self.dictionary_.token2id
        return [[t for t in doc if t in vocab] for doc in self._finish_all(texts)]

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

    # -- persistence ---------------------------------------------------------------------
    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Everything needed to rebuild the fitted pipeline, without pickle.

        Returns
        -------
        meta : dict
            JSON-able params, phrase table, stop-word set, vocabulary and report.
        arrays : dict of str to ndarray
            Document and collection frequency of each term (int64, in id order).
        """
        return pipeline_get_state(self)

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> TextPipeline:
        """Rebuild a fitted pipeline from :meth:`get_state` output.

        Raises
        ------
        BundleError
            When the state is of another format or incomplete.
        """
        return pipeline_from_state(cls, meta, arrays)
