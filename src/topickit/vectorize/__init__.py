"""Vectorising: vocabularies, bags of words, count and TF-IDF matrices, streamed corpora.

Every model and metric sees units through :class:`TokenCorpus` (token lists with a gensim
``Dictionary``, bag of words and count matrix built once) or its on-disk twin
:class:`~topickit.streaming.corpus.StreamedCorpus`.
"""

from topickit.vectorize.dictionary import (
    build_dictionary,
    dictionary_from_frequencies,
    dictionary_terms,
    filter_vocabulary,
)
from topickit.vectorize.token_corpus import TokenCorpus, as_token_corpus, bow_to_csr, count_matrix
from topickit.vectorize.weighting import fit_idf, tfidf_weights

__all__ = [
    "TokenCorpus",
    "as_token_corpus",
    "bow_to_csr",
    "build_dictionary",
    "count_matrix",
    "dictionary_from_frequencies",
    "dictionary_terms",
    "filter_vocabulary",
    "fit_idf",
    "tfidf_weights",
]
