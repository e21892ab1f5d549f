"""Themes: codebooks, annotations, theme classifiers and topic-to-theme mapping."""

from topickit.themes.agreement import topic_theme_agreement
from topickit.themes.annotations import load_annotations, text_hash
from topickit.themes.base import MajorityThemeClassifier, ThemeClassifier
from topickit.themes.codebook import Codebook, Theme, load_codebook
from topickit.themes.combined import CombinedThemeClassifier
from topickit.themes.evaluation import (
    CVResult,
    choose_best,
    compare_classifiers,
    evaluate_on,
    leave_one_article_out,
    majority_baseline,
)
from topickit.themes.lexicon import LexiconScorer
from topickit.themes.mapping import TopicThemeMap, map_topics_to_themes
from topickit.themes.registry import THEME_CLASSIFIERS, make_theme_classifier
from topickit.themes.supervised import SupervisedThemeClassifier

__all__ = [
    "THEME_CLASSIFIERS",
    "CVResult",
    "Codebook",
    "CombinedThemeClassifier",
    "LexiconScorer",
    "MajorityThemeClassifier",
    "SupervisedThemeClassifier",
    "Theme",
    "ThemeClassifier",
    "TopicThemeMap",
    "choose_best",
    "compare_classifiers",
    "evaluate_on",
    "leave_one_article_out",
    "load_annotations",
    "load_codebook",
    "majority_baseline",
    "make_theme_classifier",
    "map_topics_to_themes",
    "text_hash",
    "topic_theme_agreement",
]
