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

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

    load = load_bundle

#: Where each public name lives: ``topickit.<name>`` imports that module on first use
#: (PEP 562), so ``import topickit`` (and the command line) stays fast.
_HOMES: dict[str, tuple[str, str]] = {
    "__version__": ("topickit._version", "__version__"),  # importlib.metadata takes 40 ms
    **{n: ("topickit.bundle", n) for n in ("Bundle", "load_bundle", "save_bundle")},
    "load": ("topickit.bundle", "load_bundle"),  # topickit.load(path) -> Bundle
    **{n: ("topickit.cleaning", n) for n in ("clean_article", "normalize_text")},
    **{
        n: ("topickit.corpus", n)
        for n in ("Article", "cleaning_audit", "iter_articles", "load_corpus")
    },
    **{
        n: ("topickit.exceptions", n)
        for n in (
            "BundleError",
            "ConfigError",
            "CorpusError",
            "CorpusWarning",
            "NotFittedError",
            "TopickitError",
        )
    },
    **{
        n: ("topickit.experiment", n) for n in ("ExperimentConfig", "load_config", "run_experiment")
    },
    **{
        n: ("topickit.models", n)
        for n in (
            "LSA",
            "MODELS",
            "GensimLDA",
            "SklearnLDA",
            "TfidfKMeans",
            "TfidfNMF",
            "TopicModel",
            "make_model",
        )
    },
    **{n: ("topickit.segment", n) for n in ("LEVELS", "segment")},
    "TextPipeline": ("topickit.text.pipeline", "TextPipeline"),
    **{
        n: ("topickit.themes", n)
        for n in (
            "Codebook",
            "CombinedThemeClassifier",
            "LexiconScorer",
            "SupervisedThemeClassifier",
            "load_annotations",
            "load_codebook",
            "make_theme_classifier",
        )
    },
    "TokenCorpus": ("topickit.vectorize", "TokenCorpus"),
}


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use and cache the name here."""
    try:
        module_name, attribute = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module 'topickit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The ``topickit`` module, with ``topickit.segment`` kept the function.

    ``segment`` is both a public function and a submodule; importing the submodule makes
    the import system set ``topickit.segment`` to the module, which would hide the function.
    This property always returns the function and ignores that assignment.
    """

    @property
    def segment(self) -> Any:
        from topickit.segment import segment

        return segment

    @segment.setter
    def segment(self, value: Any) -> None:
        pass  # the import system storing the submodule; the function stays public


sys.modules[__name__].__class__ = _Package


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
