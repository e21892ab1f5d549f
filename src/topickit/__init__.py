"""topickit: a study kit for topic models and themes of news coverage.

The public names are importable from the package root::

    import topickit
    articles = topickit.load_corpus("seeds")
    units = topickit.segment(articles, "paragraph")
    pipeline = topickit.TextPipeline()
    tokens = pipeline.to_corpus(pipeline.fit_transform(units["text"]))
    lda = topickit.GensimLDA(5, random_state=0).fit(tokens)
"""

from importlib.metadata import PackageNotFoundError, version

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
from topickit.features import TokenCorpus
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
from topickit.pipeline import TextPipeline
from topickit.segment import LEVELS, segment

try:
    __version__ = version("topickit")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

__all__ = [
    "LEVELS",
    "LSA",
    "MODELS",
    "Article",
    "BundleError",
    "ConfigError",
    "CorpusError",
    "CorpusWarning",
    "ExperimentConfig",
    "GensimLDA",
    "NotFittedError",
    "SklearnLDA",
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
    "load_config",
    "load_corpus",
    "make_model",
    "normalize_text",
    "run_experiment",
    "segment",
]
