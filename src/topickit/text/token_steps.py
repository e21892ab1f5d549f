"""The per-text steps of :class:`~topickit.text.pipeline.TextPipeline`.

Base tokens (normalised, tokenised, lemmatised words), then the steps after them: phrase
joining, aliases, numbers, short tokens and stop words. They are the pipeline's own methods,
kept here so that the pipeline module holds its fitting and transforming; the streaming
engine and the theme classifiers call them through these public names.
"""

from __future__ import annotations

from typing import Any

from topickit._validation import check_fitted
from topickit.cleaning import normalize_text
from topickit.text.finishing import TokenFinisher
from topickit.text.phrases import apply_phrases, cached_phrase_index
from topickit.text.stopwords import build_stopwords
from topickit.text.word_forms import word_forms

__all__ = ["TokenSteps"]


class TokenSteps:
    """Per-text token steps, mixed into :class:`~topickit.text.pipeline.TextPipeline`.

    They read the pipeline's parameters (``lemmatize``, ``stopwords``, ``aliases``, ...) and,
    for :meth:`final_tokens` without a phrase table, its fitted phrases and stop words.
    """

    def stopword_set(self) -> frozenset[str]:
        """The stop words these settings drop (English, news and the user's own)."""
        return build_stopwords(
            english=self.stopwords, news=self.news_stopwords, extra=tuple(self.extra_stopwords)
        )

    def base_tokens(self, text: str) -> list[str]:
        """Tokens before phrase joining and filtering: normalised, lower-cased, lemmatised.

        Acronyms written in capitals (``US``, ``U.N.``) stay upper-case here, so that they
        are told apart from stop words ("US" is not "us"); they are lower-cased at the end.
        """
        return word_forms(normalize_text(text), lemmatize_words=self.lemmatize)

    def final_tokens(self, text: str, phrases: dict[str, float] | None = None) -> list[str]:
        """Tokens of ``text`` after every step but the vocabulary filters.

        Parameters
        ----------
        text : str
        phrases : dict of str to float, optional
            A phrase table to join instead of the fitted one (a theme classifier keeps its
            own). Without it the pipeline must be fitted.

        Returns
        -------
        list of str
        """
        if phrases is None:
            check_fitted(self, "dictionary_")
            return self.finish_tokens(self.base_tokens(text), self.phrases_, self._stop_)
        return self.finish_tokens(self.base_tokens(text), phrases, self.stopword_set())

    def finish_tokens(
        self, base: list[str], phrases: dict[str, float], stop: frozenset[str]
    ) -> list[str]:
        """The steps after :meth:`base_tokens`: phrases, aliases, numbers, stop words.

        Parameters
        ----------
        base : list of str
            :meth:`base_tokens` of one text.
        phrases : dict of str to float
            The phrase table to join.
        stop : frozenset of str
            The stop words to drop (usually :meth:`stopword_set`).

        Returns
        -------
        list of str
        """
        joined = apply_phrases(base, phrases, cached_phrase_index(phrases)) if phrases else base
        return self._finisher(stop)(joined)

    def _finisher(self, stop: frozenset[str]) -> TokenFinisher:
        """The finisher of the current settings, kept while they stay the same.

        Settings are compared by value: a worker process gets an equal but new stop-word set
        with every task; the finisher is then rebound to the new object, so that later calls
        with it match at once.
        """
        settings = (stop, self.aliases, self.keep_numbers, self.min_token_length)
        cached = self.__dict__.get("_finisher_cache")
        if cached is None or cached.settings() != settings:  # called once per text: no new
            cached = TokenFinisher(*settings)  # finisher unless the settings changed
        elif cached.stopwords is not stop:
            cached.stopwords = stop
        self._finisher_cache = cached
        return cached

    def __getstate__(self) -> dict[str, Any]:
        # The finisher is rebuilt on demand; it is not part of the pipeline's state.
        state = super().__getstate__()
        state.pop("_finisher_cache", None)
        return state
