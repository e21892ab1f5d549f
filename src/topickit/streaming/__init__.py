"""Corpora larger than memory: tokens written once to a bag-of-words folder on disk.

:func:`build_streamed_corpus` fits a :class:`~topickit.text.pipeline.TextPipeline` on a stream
of texts and writes each unit's bag of words; :class:`StreamedCorpus` reads the folder back
lazily, and :class:`~topickit.models.GensimLDA` trains from it with online LDA.
"""

from topickit.streaming.corpus import StreamedCorpus, build_streamed_corpus, iter_unit_texts

__all__ = ["StreamedCorpus", "build_streamed_corpus", "iter_unit_texts"]
