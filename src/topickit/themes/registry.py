"""Theme classifier kinds by name, so a config can say ``kind = "combined"``."""

from __future__ import annotations

from typing import Any

from topickit.exceptions import ConfigError
from topickit.themes.base import ThemeClassifier
from topickit.themes.codebook import Codebook
from topickit.themes.combined import CombinedThemeClassifier
from topickit.themes.lexicon import LexiconScorer
from topickit.themes.supervised import SupervisedThemeClassifier

__all__ = ["THEME_CLASSIFIERS", "make_theme_classifier"]

#: Registry of theme classifier classes by their ``kind``.
THEME_CLASSIFIERS: dict[str, type[ThemeClassifier]] = {
    cls.kind: cls for cls in (LexiconScorer, SupervisedThemeClassifier, CombinedThemeClassifier)
}


def make_theme_classifier(kind: str, codebook: Codebook, **params: Any) -> ThemeClassifier:
    """Build an unfitted theme classifier of ``kind``, checking its parameters eagerly.

    Parameters
    ----------
    kind : str
        A key of :data:`THEME_CLASSIFIERS`.
    codebook : Codebook
    **params
        Constructor parameters of that classifier.

    Returns
    -------
    ThemeClassifier

    Raises
    ------
    ConfigError
        For an unknown kind, an unknown parameter or an invalid parameter value.
    """
    cls = THEME_CLASSIFIERS.get(kind)
    if cls is None:
        raise ConfigError(
            f"unknown theme classifier kind {kind!r}; "
            f"choose one of: {', '.join(sorted(THEME_CLASSIFIERS))}"
        )
    valid = [p for p in cls._get_param_names() if p != "codebook"]
    for name in params:
        if name not in valid:
            raise ConfigError(
                f"unknown parameter {name!r} for theme classifier kind {kind!r}; "
                f"valid parameters: {', '.join(valid)}"
            )
    model = cls(codebook, **params)
    try:
        model._validate_params()
    except ValueError as err:
        raise ConfigError(str(err)) from err
    return model
