"""Collocations learned from the corpus ("supreme leader" -> ``supreme_leader``).

Word and candidate-phrase counts (the same as gensim's ``Phrases`` vocabulary, counted here so
that worker processes can each count a part) are scored with gensim's
:class:`~gensim.models.phrases.Phrases` scorers. The learned phrases are kept as a plain
``{phrase: score}`` table, applied highest score first. The table is JSON, so a saved
pipeline needs no pickle to rebuild it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

__all__ = [
    "PHRASE_DELIMITER",
    "PhraseCounts",
    "PhraseIndex",
    "add_phrase_counts",
    "apply_phrases",
    "cached_phrase_index",
    "count_phrase_candidates",
    "learn_phrases",
    "phrase_document_frequency",
    "phrase_index",
    "score_phrases",
    "split_phrase_counts",
]

PHRASE_DELIMITER = "_"


#: Word and candidate-phrase counts (gensim's ``Phrases.vocab``) and the number of words.
PhraseCounts = tuple[dict[str, int], int]


def count_phrase_candidates(
    docs: Iterable[Sequence[str]],
    *,
    connector_words: frozenset[str] = ENGLISH_CONNECTOR_WORDS,
    stopwords: frozenset[str] | None = None,
) -> PhraseCounts:
    """Count words and candidate phrases, the first half of :func:`learn_phrases`.

    The counts are those of gensim's ``Phrases`` vocabulary: every word that is not a
    connector word, and every run from one such word to the next with only connector words
    between them. Counts of disjoint parts of a corpus add up to the counts of the whole, so
    worker processes can each count a part and :func:`score_phrases` adds them.

    Parameters
    ----------
    docs : iterable of sequence of str
        Token lists, streamed.
    connector_words : frozenset of str
        Words allowed inside a phrase but not at its ends.
    stopwords : frozenset of str or None, default=None
        When given, count only what :func:`score_phrases` with the same ``stopwords`` can
        use: words that may end a phrase (alphabetic, not stop words) and runs between two
        of them; a stop word or non-word breaks a run. On news text this halves the
        vocabulary, and the phrases scored with ``"npmi"`` are the same. Leave it None for
        ``"default"`` scoring, whose score depends on the vocabulary size.

    Returns
    -------
    vocab : dict of str to int
        Count of each word and each candidate phrase (parts joined with ``"_"``).
    n_words : int
        Number of words counted.
    """
    counts: Counter[str] = Counter()
    n_words = 0
    join = PHRASE_DELIMITER.join
    for doc in docs:
        n_words += len(doc)
        if not connector_words and stopwords is None:
            counts.update(doc)
            counts.update(map(join, pairwise(doc)))
            continue
        start: str | None = None
        between: list[str] = []
        for word in doc:
            if word in connector_words:
                if start is not None:
                    between.append(word)
                continue
            if stopwords is not None and (word in stopwords or not word.isalpha()):
                start, between = None, []  # ends no phrase, so it is not counted
                continue
            counts[word] += 1
            if start is not None:
                counts[join([start, *between, word])] += 1
            start, between = word, []
    return dict(counts), n_words


def add_phrase_counts(total: PhraseCounts, more: PhraseCounts) -> PhraseCounts:
    """Add the counts ``more`` to ``total``, updating ``total``'s dict in place.

    Parameters
    ----------
    total, more : (dict of str to int, int)
        Counts from :func:`count_phrase_candidates`.

    Returns
    -------
    (dict of str to int, int)
        The sum; its dict is ``total``'s (or ``more``'s when ``total``'s is empty).
    """
    vocab, n_words = total
    if not vocab:
        return more[0], n_words + more[1]
    for key, count in more[0].items():
        vocab[key] = vocab.get(key, 0) + count
    return vocab, n_words + more[1]


def _shard_of(key: str, n_shards: int) -> int:
    # Not hash(): string hashes differ between processes that do not share a fork.
    return (len(key) * 131 + ord(key[0]) + 7 * ord(key[-1])) % n_shards


def split_phrase_counts(
    vocab: dict[str, int], n_shards: int
) -> tuple[dict[str, int], list[dict[str, int]]]:
    """Split counts into word counts and ``n_shards`` disjoint sets of phrase candidates.

    Each shard can be added up and scored on its own (with the word counts, which every
    shard needs), so several processes can score one corpus's phrases. A candidate goes to
    the same shard in every process and every part of the corpus.

    Parameters
    ----------
    vocab : dict of str to int
        Counts from :func:`count_phrase_candidates` with ``stopwords`` given, whose words
        are alphabetic, so that a key is a candidate exactly when it holds the delimiter.
    n_shards : int
        Number of shards; with 1, the words stay in the single shard and ``vocab`` is
        returned as it is.

    Returns
    -------
    words : dict of str to int
    shards : list of dict of str to int
    """
    if n_shards == 1:
        return {}, [vocab]
    words: dict[str, int] = {}
    shards: list[dict[str, int]] = [{} for _ in range(n_shards)]
    for key, count in vocab.items():
        if PHRASE_DELIMITER in key:
            shards[_shard_of(key, n_shards)][key] = count
        else:
            words[key] = count
    return words, shards


def score_phrases(
    counts: PhraseCounts,
    *,
    min_count: int = 2,
    threshold: float = 0.5,
    scoring: str = "npmi",
    connector_words: frozenset[str] = ENGLISH_CONNECTOR_WORDS,
    stopwords: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """Score the candidates counted by :func:`count_phrase_candidates`; keep those that pass.

    Parameters
    ----------
    counts : (dict, int)
        Counts of the whole corpus (of its parts added up with :func:`add_phrase_counts`).
    min_count, threshold, scoring, connector_words, stopwords
        As in :func:`learn_phrases`.

    Returns
    -------
    dict of str to float
        Phrase to its score, sorted by phrase.
    """
    model = Phrases(
        min_count=min_count,
        threshold=threshold,
        scoring=scoring,
        connector_words=connector_words,
        delimiter=PHRASE_DELIMITER,
    )
    model.vocab, model.corpus_word_count = counts
    kept = {}
    for phrase, count in model.vocab.items():
        # A phrase must occur min_count times; most candidates occur once, so checking
        # that before scoring is what makes scoring fast.
        if count < min_count or PHRASE_DELIMITER not in phrase:
            continue
        parts = phrase.split(PHRASE_DELIMITER)
        if parts[0] in stopwords or parts[-1] in stopwords:
            continue
        if not (parts[0].isalpha() and parts[-1].isalpha()):
            continue
        found, score = model.score_candidate(parts[0], parts[-1], parts[1:-1])
        if found is not None:
            kept[found] = float(score)
    return dict(sorted(kept.items()))


def learn_phrases(
    docs: Iterable[Sequence[str]],
    *,
    min_count: int = 2,
    threshold: float = 0.5,
    scoring: str = "npmi",
    connector_words: frozenset[str] = ENGLISH_CONNECTOR_WORDS,
    stopwords: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """Learn a phrase table from token lists.

    :func:`count_phrase_candidates` counts, gensim's :class:`~gensim.models.phrases.Phrases`
    scores (:func:`score_phrases`); phrases that begin or end with a stop word or a non-word
    are dropped.

    Parameters
    ----------
    docs : iterable of sequence of str
        Token lists (stop words still in them, so that connector words such as "of" can
        join "secretary of state"). Streamed; never held whole.
    min_count : int, default=2
        Minimum number of occurrences of the whole phrase.
    threshold : float, default=0.5
        Minimum score; for ``"npmi"`` a value in (-1, 1].
    scoring : {"npmi", "default"}, default="npmi"
        gensim's scoring function: normalised PMI, or Mikolov et al.'s.
    connector_words : frozenset of str
        Words allowed inside a phrase but not at its ends.
    stopwords : frozenset of str
        Phrases that begin or end with one of these (after connector handling) are dropped,
        so that "said_tuesday" never becomes a term.

    Returns
    -------
    dict of str to float
        Phrase (parts joined with ``"_"``) to its score, sorted by phrase.
    """
    return score_phrases(
        count_phrase_candidates(
            docs,
            connector_words=connector_words,
            stopwords=stopwords if scoring == "npmi" else None,
        ),
        min_count=min_count,
        threshold=threshold,
        scoring=scoring,
        connector_words=connector_words,
        stopwords=stopwords,
    )


@dataclass(frozen=True)
class PhraseIndex:
    """What :func:`apply_phrases` needs to know about a phrase table, computed once.

    Attributes
    ----------
    sizes : dict of str to tuple of int
        For each word that a phrase starts with, the lengths (in words, ascending) of the
        phrases that start with it; a position holding another word starts no phrase.
    """

    sizes: dict[str, tuple[int, ...]]


def phrase_index(table: dict[str, float]) -> PhraseIndex:
    """Index a phrase table for :func:`apply_phrases`.

    Parameters
    ----------
    table : dict of str to float
        Known phrases (parts joined with ``"_"``) and their scores.

    Returns
    -------
    PhraseIndex
    """
    sizes: dict[str, set[int]] = {}
    for phrase in table:
        parts = phrase.split(PHRASE_DELIMITER)
        if len(parts) >= 2:
            sizes.setdefault(parts[0], set()).add(len(parts))
    return PhraseIndex({word: tuple(sorted(s)) for word, s in sizes.items()})


# One table's index, kept between calls. Tables are compared by value, not identity: a worker
# process receives an equal but new table with every task; the entry is then rebound to the
# new object, so that later calls with it match at once.
_last_index: tuple[dict[str, float], PhraseIndex] | None = None


def cached_phrase_index(table: dict[str, float]) -> PhraseIndex:
    """``phrase_index(table)``, computed once for the last table asked for."""
    global _last_index
    cached = _last_index
    if cached is None or (cached[0] is not table and cached[0] != table):
        cached = (table, phrase_index(table))
    elif cached[0] is not table:
        cached = (table, cached[1])
    _last_index = cached
    return cached[1]


def apply_phrases(
    tokens: Sequence[str], table: dict[str, float], index: PhraseIndex | None = None
) -> list[str]:
    """Join known phrases in a token list, the highest-scoring phrase first.

    Where two phrases overlap ("iran supreme leader": ``iran_supreme`` and
    ``supreme_leader``), the one with the higher score wins; ties go to the leftmost.

    Parameters
    ----------
    tokens : sequence of str
        Single words (without ``"_"``), such as base tokens.
    table : dict of str to float
        Known phrases (parts joined with ``"_"``) and their scores.
    index : PhraseIndex or None, default=None
        ``phrase_index(table)``; pass it when applying one table to many token lists, so
        that it is not rebuilt for each.

    Returns
    -------
    list of str

    Examples
    --------
    >>> table = {"iran_supreme": 0.6, "supreme_leader": 0.9}
    >>> apply_phrases(["iran", "supreme", "leader", "spoke"], table)
    ['iran', 'supreme_leader', 'spoke']
    """
    if not table:
        return list(tokens)
    if index is None:
        index = phrase_index(table)
    sizes_of, join = index.sizes, PHRASE_DELIMITER.join
    n = len(tokens)
    candidates = []
    for i in [i for i, token in enumerate(tokens) if token in sizes_of]:
        for size in sizes_of[tokens[i]]:
            if i + size > n:
                break
            score = table.get(join(tokens[i : i + size]))
            if score is not None:
                candidates.append((-score, i, -size))
    if not candidates:
        return list(tokens)
    taken = [False] * n
    starts: dict[int, int] = {}
    for _, i, neg_size in sorted(candidates):
        size = -neg_size
        if not any(taken[i : i + size]):
            taken[i : i + size] = [True] * size
            starts[i] = size
    out: list[str] = []
    i = 0
    while i < n:
        size = starts.get(i)
        if size:
            out.append(PHRASE_DELIMITER.join(tokens[i : i + size]))
            i += size
        else:
            out.append(tokens[i])
            i += 1
    return out


def phrase_document_frequency(
    docs: Iterable[Sequence[str]], table: dict[str, float], index: PhraseIndex | None = None
) -> dict[str, int]:
    """Number of documents in which each phrase of ``table`` is joined.

    Parameters
    ----------
    docs : iterable of sequence of str
        Token lists before phrase joining.
    table : dict of str to float
        Phrase table from :func:`learn_phrases`.
    index : PhraseIndex or None, default=None
        ``phrase_index(table)``, when the caller has it already.

    Returns
    -------
    dict of str to int
    """
    counts = dict.fromkeys(table, 0)
    index = phrase_index(table) if index is None else index
    for doc in docs:
        for term in set(apply_phrases(doc, table, index)):
            if term in counts:
                counts[term] += 1
    return counts
