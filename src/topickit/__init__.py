"""topickit: a study kit for topic models and themes of news coverage.

The public names are importable from the package root::

    import topickit
    articles = topickit.load_corpus("seeds")
    units = topickit.segment(articles, "paragraph")
    pipeline = topickit.TextPipeline()
    tokens = pipeline.to_corpus(pipeline.fit_transform(units["text"]))
    lda = topickit.GensimLDA(5, random_state=0).fit(tokens)
    bundle = topickit.load("results/default/<run-id>/models/nmf_paragraph")
"""

from topickit._version import __version__
from topickit.bundle import Bundle, load_bundle, save_bundle
from topickit.cleaning import clean_article, normalize_text
from topickit.corpus import Article, cleaning_audit, iter_articles, load_corpus
from topickit.exceptions import (
    BundleError,
    ConfigError,
    CorpusError,
    CorpusWarning,
    NotFittedError,
    TopickitError,
)
from topickit.experiment import ExperimentConfig, load_config, run_experiment
from topickit.models import (
    LSA,
    MODELS,
    GensimLDA,
    SklearnLDA,
    TfidfKMeans,
    TfidfNMF,
    TopicModel,
    make_model,
)
from topickit.segment import LEVELS, segment
from topickit.text.pipeline import TextPipeline
from topickit.themes import (
    Codebook,
    CombinedThemeClassifier,
    LexiconScorer,
    SupervisedThemeClassifier,
    load_annotations,
    load_codebook,
    make_theme_classifier,
)
from topickit.vectorize import TokenCorpus

#: Load a saved model bundle (``topickit.load(path) -> Bundle``).
load = load_bundle


__all__ = [
    "LEVELS",
    "LSA",
    "MODELS",
    "Article",
    "Bundle",
    "BundleError",
    "Codebook",
    "CombinedThemeClassifier",
    "ConfigError",
    "CorpusError",
    "CorpusWarning",
    "ExperimentConfig",
    "GensimLDA",
    "LexiconScorer",
    "NotFittedError",
    "SklearnLDA",
    "SupervisedThemeClassifier",
    "TextPipeline",
    "TfidfKMeans",
    "TfidfNMF",
    "TokenCorpus",
    "TopicModel",
    "TopickitError",
    "__version__",
    "clean_article",
    "cleaning_audit",
    "iter_articles",
    "load",
    "load_annotations",
    "load_bundle",
    "load_codebook",
    "load_config",
    "load_corpus",
    "make_model",
    "make_theme_classifier",
    "normalize_text",
    "run_experiment",
    "save_bundle",
    "segment",
]
