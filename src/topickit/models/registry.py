"""Model kinds by name, so an experiment config can say ``kind = "nmf"``."""

from __future__ import annotations

from typing import Any

from topickit.exceptions import ConfigError
from topickit.models.base import TopicModel
from topickit.models.kmeans import TfidfKMeans
from topickit.models.lda_gensim import GensimLDA
from topickit.models.lda_sklearn import SklearnLDA
from topickit.models.lda_tomotopy import TomotopyLDA, tomotopy_available
from topickit.models.lsa import LSA
from topickit.models.nmf import TfidfNMF
from topickit.models.seeded_lda import SeededLDA

__all__ = ["MODELS", "make_model"]

#: Registry of model classes by their ``kind``.
MODELS: dict[str, type[TopicModel]] = {
    cls.kind: cls for cls in (GensimLDA, TfidfKMeans, LSA, TfidfNMF, SklearnLDA, SeededLDA)
}
# Optional backends are listed only when their package is installed (checked, not imported).
if tomotopy_available():
    MODELS[TomotopyLDA.kind] = TomotopyLDA

#: Optional model kinds and the install command that enables each.
_OPTIONAL = {TomotopyLDA.kind: "pip install 'topickit[fast]'"}


def make_model(kind: str, **params: Any) -> TopicModel:
    """Build an unfitted model of ``kind`` with ``params``, checking both eagerly.

    Parameters
    ----------
    kind : str
        A key of :data:`MODELS`.
    **params
        Constructor parameters of that model (``get_params()`` names).

    Returns
    -------
    TopicModel

    Raises
    ------
    ConfigError
        For an unknown kind, an unknown parameter or an invalid parameter value.

    Examples
    --------
    >>> make_model("nmf", n_topics=4, max_iter=200)
    TfidfNMF(max_iter=200, n_topics=4)
    """
    cls = MODELS.get(kind)
    if cls is None and kind in _OPTIONAL:
        raise ConfigError(
            f"model kind {kind!r} needs an optional package; install it with: {_OPTIONAL[kind]}"
        )
    if cls is None:
        raise ConfigError(
            f"unknown model kind {kind!r}; choose one of: {', '.join(sorted(MODELS))}"
        )
    valid = cls._get_param_names()
    for name in params:
        if name not in valid:
            raise ConfigError(
                f"unknown parameter {name!r} for model kind {kind!r}; "
                f"valid parameters: {', '.join(valid)}"
            )
    model = cls(**params)
    try:
        model._validate_params()
    except ValueError as err:
        raise ConfigError(str(err)) from err
    return model
