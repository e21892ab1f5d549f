"""A fitted pipeline's state as plain data, and back, without pickle.

The state is a JSON-able ``meta`` dict (params, phrase table, stop-word set, vocabulary in id
order and the vocabulary report) plus numeric ``arrays`` (document and collection frequency of
each term), so that the gensim Dictionary is rebuilt exactly: same ids, same frequencies.
:class:`~topickit.text.pipeline.TextPipeline` turns its fitted attributes into a
:class:`PipelineFit` and back; this module only encodes and checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from gensim.corpora import Dictionary

from topickit._validation import check_fitted
from topickit.exceptions import BundleError
from topickit.vectorize import dictionary_from_frequencies, dictionary_terms

__all__ = [
    "PIPELINE_STATE_FORMAT",
    "PipelineFit",
    "PipelineStateMixin",
    "decode_pipeline_state",
    "encode_pipeline_state",
]

#: Version of the pipeline state layout; bump when the stored keys change.
PIPELINE_STATE_FORMAT = 1

_COUNTS = ("num_docs", "num_pos", "num_nnz")


@dataclass(frozen=True)
class PipelineFit:
    """What a fitted pipeline learned: phrases, stop words, vocabulary and its report."""

    phrases: dict[str, float]
    stopwords: frozenset[str]
    dictionary: Dictionary
    report: dict[str, Any]


def _plain_param(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def encode_pipeline_state(
    class_name: str, params: Mapping[str, Any], fit: PipelineFit
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Everything needed to rebuild a fitted pipeline.

    Returns
    -------
    meta : dict
        JSON-able: ``format``, ``class``, ``params``, ``phrases`` (phrase -> score, parts kept
        as they are, acronyms upper-case), ``stopwords`` (sorted), ``vocabulary`` (terms in
        id order), ``num_docs``, ``num_pos``, ``num_nnz`` and ``vocabulary_report``.
    arrays : dict of str to ndarray
        ``dfs`` and ``cfs``: int64 document and collection frequency of each term, by id.
    """
    d = fit.dictionary
    if sorted(d.token2id.values()) != list(range(len(d.token2id))):
        raise BundleError("pipeline dictionary ids are not 0..n-1; it cannot be saved")
    vocabulary = dictionary_terms(d)
    n = len(vocabulary)
    meta = {
        "format": PIPELINE_STATE_FORMAT,
        "class": class_name,
        "params": {k: _plain_param(v) for k, v in params.items()},
        "phrases": {str(p): float(s) for p, s in fit.phrases.items()},
        "stopwords": sorted(fit.stopwords),
        "vocabulary": vocabulary,
        "num_docs": int(d.num_docs),
        "num_pos": int(d.num_pos),
        "num_nnz": int(d.num_nnz),
        "vocabulary_report": fit.report,
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
        freqs[key] = dict(zip(vocabulary, arr.tolist(), strict=True))
    counts = {}
    for key in _COUNTS:
        value = _get(meta, key, "meta")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BundleError(f"pipeline state: {key} must be a non-negative int")
        counts[key] = value
    dictionary = dictionary_from_frequencies(
        freqs["dfs"], freqs["cfs"], counts["num_docs"], counts["num_pos"]
    )
    if dictionary.num_nnz != counts["num_nnz"]:
        raise BundleError("pipeline state: num_nnz is not the sum of the document frequencies")
    return dictionary


def decode_pipeline_state(
    meta: Mapping[str, Any], arrays: Mapping[str, np.ndarray]
) -> tuple[dict[str, Any], PipelineFit]:
    """Check :func:`encode_pipeline_state` output; return the params and the fit.

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
    fit = PipelineFit(
        {str(p): float(s) for p, s in phrases.items()},
        frozenset(stopwords),
        _dictionary(meta, arrays),
        dict(report),
    )
    return dict(params), fit


P = TypeVar("P", bound="PipelineStateMixin")


class PipelineStateMixin:
    """``get_state`` and ``from_state`` of :class:`~topickit.text.pipeline.TextPipeline`."""

    def get_state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Everything needed to rebuild the fitted pipeline, without pickle.

        Returns
        -------
        meta : dict
            JSON-able params, phrase table, stop-word set, vocabulary and report.
        arrays : dict of str to ndarray
            Document and collection frequency of each term (int64, in id order).
        """
        check_fitted(self, "dictionary_")
        fit = PipelineFit(self.phrases_, self._stop_, self.dictionary_, self.vocabulary_report_)
        return encode_pipeline_state(type(self).__name__, self.get_params(deep=False), fit)

    @classmethod
    def from_state(cls: type[P], meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> P:
        """Rebuild a fitted pipeline from :meth:`get_state` output.

        Raises
        ------
        BundleError
            When the state is of another format, incomplete or invalid.
        """
        params, fit = decode_pipeline_state(meta, arrays)
        try:
            pipeline = cls(**params)
            pipeline._validate_params()
        except (TypeError, ValueError) as err:
            raise BundleError(f"pipeline state params do not fit {cls.__name__}: {err}") from None
        pipeline.phrases_ = fit.phrases
        pipeline._stop_ = fit.stopwords
        pipeline.dictionary_ = fit.dictionary
        pipeline.vocabulary_report_ = fit.report
        return pipeline
