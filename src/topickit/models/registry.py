"""Build topic models by kind name, so an experiment config can say ``kind = "nmf"``.

The kinds live in :data:`topickit.registry.MODELS`; every model module registers its class
there with ``@MODELS.register``. Importing this module imports all of topickit's own models.
"""

from __future__ import annotations

from typing import Any

from topickit.models import (  # noqa: F401  (imported so that every built-in kind registers)
    kmeans,
    lda_gensim,
    lda_sklearn,
    lda_tomotopy,
    lsa,
    nmf,
    seeded_lda,
)
from topickit.models.base import TopicModel
from topickit.registry import MODELS, build

__all__ = ["MODELS", "make_model"]


def make_model(kind: str, **params: Any) -> TopicModel:
    """Build an unfitted model of ``kind`` with ``params``, checking both eagerly.

    Parameters
    ----------
    kind : str
        A kind of :data:`topickit.registry.MODELS` (or of an installed ``topickit.models``
        entry point).
    **params
        Constructor parameters of that model (``get_params()`` names).

    Returns
    -------
    TopicModel

    Raises
    ------
    ConfigError
        For an unknown kind (naming the valid ones), a kind whose optional package is
        missing (naming the install command), an unknown parameter or an invalid value.

    Examples
    --------
    >>> make_model("nmf", n_topics=4, max_iter=200)
    TfidfNMF(max_iter=200, n_topics=4)
    """
    return build(MODELS, kind, dict(params))
