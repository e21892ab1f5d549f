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

__all__ = ["TokenCorpus", "as_token_corpus", "count_matrix"]


class TokenCorpus:
    """Token lists of units with lazily built, cached bag-of-words views.

    Parameters
    ----------
    docs : sequence of sequence of str
        One token list per unit, as produced by :class:`topickit.pipeline.TextPipeline`.
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
        d = self.dictionary
        return [d[i] for i in range(len(d))]

    @cached_property
    def bow(self) -> list[list[tuple[int, int]]]:
        """Bag-of-words corpus in gensim's format (out-of-vocabulary tokens dropped)."""
        return [self.dictionary.doc2bow(doc) for doc in self.docs]

    @cached_property
    def counts(self) -> sp.csr_matrix:
        """Sparse ``(n_docs, n_terms)`` matrix of term counts (int64)."""
        return bow_to_csr(self.bow, len(self.dictionary))

    def with_docs(self, docs: Iterable[Sequence[str]]) -> TokenCorpus:
        """A new corpus of ``docs`` that shares this corpus's vocabulary."""
        return TokenCorpus(docs, dictionary=self.dictionary)


def build_dictionary(docs: Iterable[Sequence[str]]) -> Dictionary:
    """Build a gensim dictionary whose ids follow sorted term order (deterministic).

    Parameters
    ----------
    docs : iterable of sequence of str
        Token lists.

    Returns
    -------
    gensim.corpora.Dictionary
    """
    docs = [list(d) for d in docs]
    vocab = sorted({t for d in docs for t in d})
    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(vocab)}
    dictionary.id2token = {}
    dfs: dict[int, int] = {}
    cfs: dict[int, int] = {}
    num_pos = 0
    for doc in docs:
        num_pos += len(doc)
        seen = set()
        for t in doc:
            i = dictionary.token2id[t]
            cfs[i] = cfs.get(i, 0) + 1
            if i not in seen:
                dfs[i] = dfs.get(i, 0) + 1
                seen.add(i)
    dictionary.dfs = dfs
    dictionary.cfs = cfs
    dictionary.num_docs = len(docs)
    dictionary.num_pos = num_pos
    dictionary.num_nnz = sum(dfs.values())
    return dictionary


def bow_to_csr(bow: Sequence[Sequence[tuple[int, int]]], n_terms: int) -> sp.csr_matrix:
    """Convert a gensim bag-of-words corpus to a CSR count matrix.

    Parameters
    ----------
    bow : sequence of sequence of (int, int)
        Documents as ``(term_id, count)`` pairs.
    n_terms : int
        Number of columns.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (len(bow), n_terms)
    """
    indptr = np.zeros(len(bow) + 1, dtype=np.int64)
    for i, doc in enumerate(bow):
        indptr[i + 1] = indptr[i] + len(doc)
    indices = np.fromiter((t for doc in bow for t, _ in doc), dtype=np.int64, count=indptr[-1])
    data = np.fromiter((c for doc in bow for _, c in doc), dtype=np.int64, count=indptr[-1])
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(bow), n_terms))
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
    if corpus._dictionary is not None and corpus.terms == list(vocabulary):
        return corpus.counts
    index = {t: i for i, t in enumerate(vocabulary)}
    rows, cols, vals = [], [], []
    for r, doc in enumerate(corpus.docs):
        counts: dict[int, int] = {}
        for t in doc:
            j = index.get(t)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        for j, c in sorted(counts.items()):
            rows.append(r)
            cols.append(j)
            vals.append(c)
    return sp.csr_matrix(
        (np.asarray(vals, dtype=np.int64), (rows, cols)), shape=(len(corpus), len(vocabulary))
    )
