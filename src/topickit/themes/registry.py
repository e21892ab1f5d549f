"""Build theme classifiers by kind name, so a config can say ``kind = "combined"``.

The kinds live in :data:`topickit.registry.THEME_CLASSIFIERS`; every classifier module
registers its class there with ``@THEME_CLASSIFIERS.register``. Importing this module imports
all of topickit's own classifiers.
"""

from __future__ import annotations

from typing import Any

from topickit.registry import THEME_CLASSIFIERS, build
from topickit.themes.base import ThemeClassifier
from topickit.themes.codebook import Codebook
from topickit.themes.combined import CombinedThemeClassifier
from topickit.themes.lexicon import LexiconScorer
from topickit.themes.supervised import SupervisedThemeClassifier

__all__ = ["THEME_CLASSIFIERS", "make_theme_classifier"]

#: topickit's own classifier classes (each registered where it is defined).
BUILTIN_THEME_CLASSIFIERS = (LexiconScorer, SupervisedThemeClassifier, CombinedThemeClassifier)


def make_theme_classifier(
    kind: str, codebook: Codebook | None = None, **params: Any
) -> ThemeClassifier:
    """Build an unfitted theme classifier of ``kind``, checking its parameters eagerly.

    Parameters
    ----------
    kind : str
        A kind of :data:`topickit.registry.THEME_CLASSIFIERS`.
    codebook : Codebook
        The themes (the classifier's ``codebook`` parameter; best passed by keyword).
    **params
        Further constructor parameters of that classifier.

    Returns
    -------
    ThemeClassifier

    Raises
    ------
    ConfigError
        For an unknown kind, a missing codebook, an unknown parameter or an invalid value.
    """
    return build(THEME_CLASSIFIERS, kind, dict(params), codebook=codebook)
