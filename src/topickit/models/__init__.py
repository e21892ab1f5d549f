"""Topic models sharing one contract: fit on token lists, transform to document-topic rows."""

from __future__ import annotations

from topickit.models.base import TopicModel
from topickit.models.kmeans import TfidfKMeans
from topickit.models.lda_gensim import GensimLDA
from topickit.models.lda_sklearn import SklearnLDA
from topickit.models.lsa import LSA
from topickit.models.nmf import TfidfNMF
from topickit.models.registry import MODELS, make_model

__all__ = [
    "LSA",
    "MODELS",
    "GensimLDA",
    "SklearnLDA",
    "TfidfKMeans",
    "TfidfNMF",
    "TopicModel",
    "make_model",
]
