"""One shared representation of tokenised units for every model and metric.

A :class:`TokenCorpus` holds the units' token lists and builds, once and on demand, the
gensim :class:`~gensim.corpora.Dictionary`, the bag-of-words corpus and the sparse
document-term count matrix. Models and coherence scoring take the same object, so TF-IDF and
LDA see identical tokens and nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from gensim.corpora import Dictionary
from gensim.matutils import corpus2csc
from sklearn.feature_extraction.text import CountVectorizer

from topickit.vectorize.dictionary import build_dictionary, dictionary_terms

__all__ = ["TokenCorpus", "as_token_corpus", "bow_to_csr", "count_matrix"]


class TokenCorpus:
    """Token lists of units with lazily built, cached bag-of-words views.

    Parameters
    ----------
    docs : sequence of sequence of str
        One token list per unit, as produced by :class:`topickit.text.pipeline.TextPipeline`.
    dictionary : gensim.corpora.Dictionary, optional
        A fixed vocabulary. By default one is built from ``docs`` with no filtering
        (filtering is the pipeline's job, and it reports what it drops).

    Examples
    --------
    >>> corpus = TokenCorpus([["gaza", "strike"], ["gaza", "talks", "talks"]])
    >>> corpus.terms
    ['gaza', 'strike', 'talks']
    >>> corpus.counts.toarray().tolist()
    [[1, 1, 0], [1, 0, 2]]
    """

    def __init__(
        self, docs: Iterable[Sequence[str]], *, dictionary: Dictionary | None = None
    ) -> None:
        self.docs: list[list[str]] = [list(d) for d in docs]
        self._dictionary = dictionary

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)

    def __getitem__(self, index: int) -> list[str]:
        return self.docs[index]

    @property
    def dictionary(self) -> Dictionary:
        """The gensim dictionary (term ids in :attr:`terms` order)."""
        if self._dictionary is None:
            self._dictionary = build_dictionary(self.docs)
        return self._dictionary

    @cached_property
    def terms(self) -> list[str]:
        """Vocabulary in column order of :attr:`counts`."""
        return dictionary_terms(self.dictionary)

    @cached_property
    def bow(self) -> list[list[tuple[int, int]]]:
        """Bag-of-words corpus in gensim's format (out-of-vocabulary tokens dropped)."""
        return [self.dictionary.doc2bow(doc) for doc in self.docs]

    @cached_property
    def counts(self) -> sp.csr_matrix:
        """Sparse ``(n_docs, n_terms)`` matrix of term counts (int64)."""
        return bow_to_csr(self.bow, len(self.dictionary))

    def has_vocabulary(self, vocabulary: Sequence[str]) -> bool:
        """Whether this corpus already has a fixed vocabulary equal to ``vocabulary``."""
        return self._dictionary is not None and self.terms == list(vocabulary)

    def with_docs(self, docs: Iterable[Sequence[str]]) -> TokenCorpus:
        """A new corpus of ``docs`` that shares this corpus's vocabulary."""
        return TokenCorpus(docs, dictionary=self.dictionary)


def bow_to_csr(bow: Sequence[Sequence[tuple[int, int]]], n_terms: int) -> sp.csr_matrix:
    """Convert a gensim bag-of-words corpus to a CSR count matrix (gensim's ``corpus2csc``).

    Parameters
    ----------
    bow : sequence of sequence of (int, int)
        Documents as ``(term_id, count)`` pairs.
    n_terms : int
        Number of columns.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (len(bow), n_terms), int64
    """
    csc = corpus2csc(bow, num_terms=n_terms, num_docs=len(bow), dtype=np.int64)
    matrix = sp.csr_matrix(csc.T)
    matrix.sort_indices()
    return matrix


def as_token_corpus(X: TokenCorpus | Iterable[Sequence[str]]) -> TokenCorpus:
    """Return ``X`` as a :class:`TokenCorpus` (wrapping plain token lists).

    Raises
    ------
    TypeError
        When ``X`` is a string or holds strings instead of token lists.
    """
    if isinstance(X, TokenCorpus):
        return X
    if isinstance(X, str):
        raise TypeError("expected a sequence of token lists, got a single string")
    docs = []
    for d in X:
        if isinstance(d, str):
            raise TypeError("expected token lists, got a string where a token list belongs")
        docs.append(list(d))
    return TokenCorpus(docs)


def count_matrix(
    X: TokenCorpus | Iterable[Sequence[str]], vocabulary: Sequence[str]
) -> sp.csr_matrix:
    """Count matrix of ``X`` over a fixed ``vocabulary`` (unknown tokens ignored).

    Reuses ``X.counts`` when ``X`` already has exactly this vocabulary.

    Parameters
    ----------
    X : TokenCorpus or iterable of token lists
    vocabulary : sequence of str
        Column order of the result.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_docs, len(vocabulary))
    """
    corpus = as_token_corpus(X)
    if corpus.has_vocabulary(vocabulary):
        return corpus.counts
    counter = CountVectorizer(analyzer=list, vocabulary=list(vocabulary), dtype=np.int64)
    matrix = sp.csr_matrix(counter.transform(corpus.docs))
    matrix.sort_indices()
    return matrix
