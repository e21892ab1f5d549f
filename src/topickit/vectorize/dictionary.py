"""The vocabulary: gensim ``Dictionary`` objects with ids in sorted term order, and filters.

gensim counts the documents (:class:`~gensim.corpora.Dictionary`) and decides what the
document-frequency filters keep (:meth:`~gensim.corpora.Dictionary.filter_extremes`). topickit
adds one thing gensim does not offer: ids in sorted term order, so that the columns of every
matrix, and every result that depends on column order, are the same whatever order the
documents came in. :func:`dictionary_from_frequencies` is the one place that lays a
``Dictionary`` out from counts; everything else goes through it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gensim.corpora import Dictionary

__all__ = [
    "build_dictionary",
    "dictionary_from_frequencies",
    "dictionary_terms",
    "filter_vocabulary",
]


def dictionary_from_frequencies(
    dfs: Mapping[str, int], cfs: Mapping[str, int], num_docs: int, num_pos: int
) -> Dictionary:
    """A gensim dictionary of the terms of ``cfs``, ids in sorted term order.

    Parameters
    ----------
    dfs, cfs : mapping of str to int
        Document and collection frequency of each term.
    num_docs, num_pos : int
        Number of documents and of tokens.

    Returns
    -------
    gensim.corpora.Dictionary
        ``num_nnz`` is the sum of the document frequencies, as gensim counts it.
    """
    vocab = sorted(cfs)
    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(vocab)}
    dictionary.dfs = {i: int(dfs[t]) for i, t in enumerate(vocab)}
    dictionary.cfs = {i: int(cfs[t]) for i, t in enumerate(vocab)}
    dictionary.num_docs = int(num_docs)
    dictionary.num_pos = int(num_pos)
    dictionary.num_nnz = sum(dictionary.dfs.values())
    return dictionary


def _frequencies(dictionary: Dictionary) -> tuple[dict[str, int], dict[str, int]]:
    dfs = {t: dictionary.dfs.get(i, 0) for t, i in dictionary.token2id.items()}
    cfs = {t: dictionary.cfs.get(i, 0) for t, i in dictionary.token2id.items()}
    return dfs, cfs


def build_dictionary(docs: Iterable[Sequence[str]]) -> Dictionary:
    """gensim's dictionary of token lists, with ids in sorted term order.

    Parameters
    ----------
    docs : iterable of sequence of str
        Token lists (read once).

    Returns
    -------
    gensim.corpora.Dictionary

    Examples
    --------
    >>> d = build_dictionary([["talks", "gaza"], ["gaza"]])
    >>> d.token2id, d.dfs
    ({'gaza': 0, 'talks': 1}, {0: 2, 1: 1})
    """
    counted = Dictionary(docs, prune_at=None)
    dfs, cfs = _frequencies(counted)
    return dictionary_from_frequencies(dfs, cfs, counted.num_docs, counted.num_pos)


def dictionary_terms(dictionary: Dictionary) -> list[str]:
    """The terms of ``dictionary`` in id order."""
    id2term = {i: t for t, i in dictionary.token2id.items()}
    return [id2term[i] for i in range(len(id2term))]


def filter_vocabulary(
    full: Dictionary, *, no_below: int = 1, no_above: float = 1.0, keep_n: int | None = None
) -> tuple[Dictionary, dict[str, Any]]:
    """Apply document-frequency filters with gensim's ``filter_extremes``; report the drops.

    Parameters
    ----------
    full : gensim.corpora.Dictionary
        The unfiltered vocabulary (ids in sorted term order); not changed.
    no_below : int, default=1
        Drop terms found in fewer documents than this.
    no_above : float, default=1.0
        Drop terms found in more than ``int(no_above * num_docs)`` documents.
    keep_n : int or None, default=None
        Then keep only the ``keep_n`` terms of highest document frequency (ties: term order).

    Returns
    -------
    filtered : gensim.corpora.Dictionary
        The kept terms, ids in sorted term order, token and entry counts of the kept terms
        (``full`` itself when nothing is dropped).
    report : dict
        ``n_units``, ``n_terms_before`` / ``_after``, ``n_tokens_before`` / ``_after``,
        ``filters`` (the settings) and ``dropped``: the terms each filter removed, sorted.
    """
    dfs, cfs = _frequencies(full)
    if no_below <= 1 and no_above >= 1.0 and (keep_n is None or keep_n >= len(full)):
        kept = set(dfs)  # what filter_extremes keeps with these settings: every term
    else:
        working = dictionary_from_frequencies(dfs, cfs, full.num_docs, full.num_pos)
        working.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
        kept = set(working.token2id)
    ceiling = int(no_above * full.num_docs)
    dropped: dict[str, list[str]] = {"no_below": [], "no_above": [], "keep_n": []}
    for term in sorted(set(dfs) - kept):
        if dfs[term] < no_below:
            dropped["no_below"].append(term)
        elif dfs[term] > ceiling:
            dropped["no_above"].append(term)
        else:
            dropped["keep_n"].append(term)
    if len(kept) == len(full):
        filtered = full
    else:
        filtered = dictionary_from_frequencies(
            {t: dfs[t] for t in kept},
            {t: cfs[t] for t in kept},
            full.num_docs,
            sum(cfs[t] for t in kept),
        )
    report = {
        "n_units": full.num_docs,
        "n_terms_before": len(full),
        "n_terms_after": len(filtered),
        "n_tokens_before": full.num_pos,
        "n_tokens_after": filtered.num_pos,
        "filters": {"no_below": no_below, "no_above": no_above, "keep_n": keep_n},
        "dropped": dropped,
    }
    return filtered, report
