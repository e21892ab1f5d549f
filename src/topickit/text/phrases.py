"""Collocations learned from the corpus ("supreme leader" -> ``supreme_leader``).

gensim's :class:`~gensim.models.phrases.Phrases` does the counting and scoring; the learned
phrases are then kept as a plain ``{phrase: score}`` table that is applied by greedy
longest match. The table is JSON, so a saved pipeline needs no pickle to rebuild it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS, Phrases

__all__ = ["PHRASE_DELIMITER", "apply_phrases", "learn_phrases", "phrase_document_frequency"]

PHRASE_DELIMITER = "_"


def learn_phrases(
    docs: Iterable[Sequence[str]],
    *,
    min_count: int = 2,
    threshold: float = 0.5,
    scoring: str = "npmi",
    connector_words: frozenset[str] = ENGLISH_CONNECTOR_WORDS,
    stopwords: frozenset[str] = frozenset(),
    batch_size: int = 10_000,
) -> dict[str, float]:
    """Learn a phrase table from token lists.

    Parameters
    ----------
    docs : iterable of sequence of str
        Token lists (stop words still in them, so that connector words such as "of" can
        join "secretary of state"). Streamed in batches; never held whole.
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
    batch_size : int, default=10000
        Documents counted per batch.

    Returns
    -------
    dict of str to float
        Phrase (parts joined with ``"_"``) to its score, sorted by phrase.
    """
    model = Phrases(
        min_count=min_count,
        threshold=threshold,
        scoring=scoring,
        connector_words=connector_words,
        delimiter=PHRASE_DELIMITER,
    )
    batch: list[Sequence[str]] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= batch_size:
            model.add_vocab(batch)
            batch = []
    if batch:
        model.add_vocab(batch)
    table = model.export_phrases()
    kept = {}
    for phrase, score in table.items():
        parts = phrase.split(PHRASE_DELIMITER)
        if parts[0] in stopwords or parts[-1] in stopwords:
            continue
        if any(not p.isalpha() for p in (parts[0], parts[-1])):
            continue
        kept[phrase] = float(score)
    return dict(sorted(kept.items()))


def apply_phrases(tokens: Sequence[str], table: dict[str, float]) -> list[str]:
    """Join known phrases in a token list, the highest-scoring phrase first.

    Where two phrases overlap ("iran supreme leader": ``iran_supreme`` and
    ``supreme_leader``), the one with the higher score wins; ties go to the leftmost.

    Parameters
    ----------
    tokens : sequence of str
    table : dict of str to float
        Known phrases (parts joined with ``"_"``) and their scores.

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
    longest = max(p.count(PHRASE_DELIMITER) + 1 for p in table)
    n = len(tokens)
    candidates = []
    for i in range(n - 1):
        for size in range(2, min(longest, n - i) + 1):
            score = table.get(PHRASE_DELIMITER.join(tokens[i : i + size]))
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
    docs: Iterable[Sequence[str]], table: dict[str, float]
) -> dict[str, int]:
    """Number of documents in which each phrase of ``table`` is joined.

    Parameters
    ----------
    docs : iterable of sequence of str
        Token lists before phrase joining.
    table : dict of str to float
        Phrase table from :func:`learn_phrases`.

    Returns
    -------
    dict of str to int
    """
    counts = dict.fromkeys(table, 0)
    for doc in docs:
        for term in set(apply_phrases(doc, table)):
            if term in counts:
                counts[term] += 1
    return counts
