"""A fitted :class:`~topickit.pipeline.TextPipeline` as plain state, and back, without pickle.

The state is a JSON-able ``meta`` dict (params, phrase table, stop-word set, vocabulary in id
order and the vocabulary report) plus numeric ``arrays`` (document and collection frequency of
each term), so that the gensim Dictionary is rebuilt exactly: same ids, same frequencies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from gensim.corpora import Dictionary

from topickit._validation import check_fitted, validate_params
from topickit.exceptions import BundleError

if TYPE_CHECKING:
    from topickit.pipeline import TextPipeline

__all__ = ["PIPELINE_STATE_FORMAT", "pipeline_from_state", "pipeline_get_state"]

#: Version of the pipeline state layout; bump when the stored keys change.
PIPELINE_STATE_FORMAT = 1

_COUNTS = ("num_docs", "num_pos", "num_nnz")


def _plain_param(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def pipeline_get_state(pipeline: TextPipeline) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Everything needed to rebuild a fitted pipeline.

    Parameters
    ----------
    pipeline : TextPipeline
        A fitted pipeline.

    Returns
    -------
    meta : dict
        JSON-able: ``format``, ``class``, ``params``, ``phrases`` (phrase -> score, parts kept
        as they are, acronyms upper-case), ``stopwords`` (sorted), ``vocabulary`` (terms in
        id order), ``num_docs``, ``num_pos``, ``num_nnz`` and ``vocabulary_report``.
    arrays : dict of str to ndarray
        ``dfs`` and ``cfs``: int64 document and collection frequency of each term, by id.
    """
    check_fitted(pipeline, "dictionary_")
    d = pipeline.dictionary_
    id2term = {i: t for t, i in d.token2id.items()}
    n = len(id2term)
    if sorted(id2term) != list(range(n)):
        raise BundleError("pipeline dictionary ids are not 0..n-1; it cannot be saved")
    vocabulary = [id2term[i] for i in range(n)]
    meta = {
        "format": PIPELINE_STATE_FORMAT,
        "class": type(pipeline).__name__,
        "params": {k: _plain_param(v) for k, v in pipeline.get_params(deep=False).items()},
        "phrases": {str(p): float(s) for p, s in pipeline.phrases_.items()},
        "stopwords": sorted(pipeline._stop_),
        "vocabulary": vocabulary,
        "num_docs": int(d.num_docs),
        "num_pos": int(d.num_pos),
        "num_nnz": int(d.num_nnz),
        "vocabulary_report": pipeline.vocabulary_report_,
    }
    arrays = {
        "dfs": np.array([d.dfs.get(i, 0) for i in range(n)], dtype=np.int64),
        "cfs": np.array([d.cfs.get(i, 0) for i in range(n)], dtype=np.int64),
    }
    return meta, arrays


def _get(mapping: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise BundleError(f"pipeline state is missing {key!r} in its {where}")
    return mapping[key]


def _dictionary(meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Dictionary:
    vocabulary = _get(meta, "vocabulary", "meta")
    if not isinstance(vocabulary, list) or not all(isinstance(t, str) for t in vocabulary):
        raise BundleError("pipeline state: vocabulary must be a list of strings")
    if vocabulary != sorted(set(vocabulary)):
        raise BundleError("pipeline state: vocabulary must be unique terms in sorted order")
    n = len(vocabulary)
    freqs = {}
    for key in ("dfs", "cfs"):
        arr = np.asarray(_get(arrays, key, "arrays"))
        if arr.shape != (n,) or arr.dtype.kind not in "iu":
            raise BundleError(f"pipeline state: {key} must be {n} integers, one per term")
        freqs[key] = {i: int(v) for i, v in enumerate(arr.tolist())}
    dictionary = Dictionary()
    dictionary.token2id = {t: i for i, t in enumerate(vocabulary)}
    dictionary.id2token = {}
    dictionary.dfs = freqs["dfs"]
    dictionary.cfs = freqs["cfs"]
    for key in _COUNTS:
        value = _get(meta, key, "meta")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BundleError(f"pipeline state: {key} must be a non-negative int")
        setattr(dictionary, key, value)
    return dictionary


def pipeline_from_state(
    cls: type[TextPipeline], meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> TextPipeline:
    """Rebuild a fitted pipeline of class ``cls`` from :func:`pipeline_get_state` output.

    Raises
    ------
    BundleError
        When the state is of another format, a key is missing or a value is invalid.
    """
    if meta.get("format") != PIPELINE_STATE_FORMAT:
        raise BundleError(
            f"pipeline state format {meta.get('format')!r} is not supported "
            f"(expected {PIPELINE_STATE_FORMAT})"
        )
    params = _get(meta, "params", "meta")
    if not isinstance(params, dict):
        raise BundleError("pipeline state: params must be a JSON object")
    try:
        pipeline = cls(**params)
        validate_params(pipeline.get_params(deep=False), cls._parameter_constraints, cls.__name__)
    except (TypeError, ValueError) as err:
        raise BundleError(f"pipeline state params do not fit {cls.__name__}: {err}") from None
    phrases = _get(meta, "phrases", "meta")
    if not isinstance(phrases, dict) or not all(
        isinstance(s, int | float) and not isinstance(s, bool) for s in phrases.values()
    ):
        raise BundleError("pipeline state: phrases must map phrase to a number")
    stopwords = _get(meta, "stopwords", "meta")
    if not isinstance(stopwords, list) or not all(isinstance(w, str) for w in stopwords):
        raise BundleError("pipeline state: stopwords must be a list of strings")
    report = _get(meta, "vocabulary_report", "meta")
    if not isinstance(report, dict):
        raise BundleError("pipeline state: vocabulary_report must be a JSON object")
    pipeline.phrases_ = {str(p): float(s) for p, s in phrases.items()}
    pipeline._stop_ = frozenset(stopwords)
    pipeline.dictionary_ = _dictionary(meta, arrays)
    pipeline.vocabulary_report_ = dict(report)
    return pipeline
