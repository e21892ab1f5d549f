"""One way to find topickit's pluggable classes by their ``kind`` name.

A :class:`Registry` maps kind names (what a config or a saved bundle says, e.g. ``"nmf"``) to
classes. topickit keeps three of them:

* :data:`MODELS`: topic models (``make_model``, ``TopicModel.from_state``, bundles);
* :data:`THEME_CLASSIFIERS`: theme classifiers (``make_theme_classifier``, bundles);
* :data:`REPRESENTATIONS`: document representations of the similarity study
  (``make_representation``; every topic-model kind is a representation too).

Classes register themselves where they are defined, with the :meth:`Registry.register`
decorator. A kind that needs an optional package is registered with ``requires=`` and
``install=``: it is listed, and asking for it without the package raises the install hint. A
user's own class registers with one call, ``MODELS.register(MyModel)``, and an installed
package can add topic-model kinds through the ``topickit.models`` entry-point group (name: the
kind, value: ``"package.module:Class"``), read the first time an unknown kind is asked for.

Looking a kind up only selects a class that was registered or installed; nothing read from a
config or a bundle is imported or executed.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
from collections.abc import Iterator, MutableMapping
from typing import Any

from topickit.exceptions import ConfigError

__all__ = ["MODELS", "REPRESENTATIONS", "THEME_CLASSIFIERS", "Registry", "build"]

logger = logging.getLogger(__name__)


class Registry(MutableMapping[str, Any]):
    """Classes of one family by kind name (a mutable mapping ``kind -> class``).

    Parameters
    ----------
    family : str
        What the classes are, for messages (``"model"``, ``"theme classifier"``).
    entry_point_group : str, optional
        ``importlib.metadata`` entry-point group searched for kinds not registered here.
    required : tuple of str, default=("kind",)
        Attributes a registered class must have (checked by :meth:`register`).
    """

    def __init__(
        self,
        family: str,
        *,
        entry_point_group: str | None = None,
        required: tuple[str, ...] = ("kind",),
    ) -> None:
        self.family = family
        self.entry_point_group = entry_point_group
        self.required = required
        self._classes: dict[str, Any] = {}
        self._optional: dict[str, tuple[Any, str]] = {}  # kind -> (class, install hint)
        self._entry_points: dict[str, importlib.metadata.EntryPoint] | None = None

    # ------------------------------------------------------------------ mapping protocol
    def __getitem__(self, kind: str) -> Any:
        return self._classes[kind]

    def __setitem__(self, kind: str, cls: Any) -> None:
        self._classes[kind] = cls

    def __delitem__(self, kind: str) -> None:
        del self._classes[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"Registry({self.family!r}, kinds={sorted(self._classes)})"

    # ------------------------------------------------------------------ registering
    def register(
        self,
        cls: Any = None,
        *,
        kind: str | None = None,
        requires: str | None = None,
        install: str | None = None,
    ) -> Any:
        """Register ``cls`` under ``kind`` (default ``cls.kind``); usable as a decorator.

        Parameters
        ----------
        cls : type, optional
            The class. Omitted when used as ``@registry.register(kind=...)``.
        kind : str, optional
            The name to register; defaults to the class attribute ``kind``.
        requires : str, optional
            An optional package the class needs (checked with ``find_spec``, not imported).
            Without it the kind stays listed as unavailable and asking for it raises
            ``install``.
        install : str, optional
            The install command shown when ``requires`` is missing.

        Returns
        -------
        type or callable
            ``cls`` itself, or a decorator when ``cls`` is omitted.

        Raises
        ------
        TypeError
            When the class lacks a non-empty kind or a required attribute.
        """
        if cls is None:
            return lambda target: self.register(
                target, kind=kind, requires=requires, install=install
            )
        name = kind if kind is not None else getattr(cls, "kind", None)
        if not isinstance(name, str) or not name:
            raise TypeError(f"{cls!r} needs a non-empty 'kind' string to be registered")
        for attr in self.required:
            if attr != "kind" and not callable(getattr(cls, attr, None)):
                raise TypeError(f"{getattr(cls, '__name__', cls)!r} needs a {attr}() method")
        if requires is not None:
            self._optional[name] = (cls, install or f"pip install {requires}")
            if importlib.util.find_spec(requires) is None:
                self._classes.pop(name, None)
                return cls
        self._classes[name] = cls
        return cls

    # ------------------------------------------------------------------ looking up
    def choices(self) -> list[str]:
        """Every kind that can be asked for, sorted (unavailable and plugin kinds included)."""
        return sorted({*self._classes, *self._optional, *self._plugin_names()})

    def get_class(self, kind: Any) -> Any:
        """The class registered as ``kind``, loading a plugin entry point when needed.

        Raises
        ------
        ConfigError
            For an unknown kind (naming the valid choices) or a kind whose optional package
            is not installed (naming the install command).
        """
        found = self.find(kind)
        if found is not None:
            return found
        if isinstance(kind, str) and kind in self._optional:
            raise ConfigError(
                f"{self.family} kind {kind!r} needs an optional package; "
                f"install it with: {self._optional[kind][1]}"
            )
        raise ConfigError(
            f"unknown {self.family} kind {kind!r}; choose one of: {', '.join(self.choices())}"
        )

    def find(self, kind: Any, *, saved: bool = False) -> Any | None:
        """The class of ``kind``, or None; ``saved=True`` also finds unavailable kinds.

        Rebuilding saved state needs only the class, not its optional training package, so
        bundle loading passes ``saved=True``.
        """
        if not isinstance(kind, str):
            return None
        if kind in self._classes:
            return self._classes[kind]
        entry = self._plugin_names().get(kind)
        if entry is not None:
            return self._load_plugin(kind, entry)
        if saved and kind in self._optional:
            return self._optional[kind][0]
        return None

    # ------------------------------------------------------------------ plugins
    def _plugin_names(self) -> dict[str, importlib.metadata.EntryPoint]:
        """Entry points of the group by name (read once, not loaded)."""
        if self.entry_point_group is None:
            return {}
        if self._entry_points is None:
            found = importlib.metadata.entry_points(group=self.entry_point_group)
            self._entry_points = {ep.name: ep for ep in found}
        return {k: v for k, v in self._entry_points.items() if k not in self._classes}

    def _load_plugin(self, kind: str, entry: importlib.metadata.EntryPoint) -> Any:
        try:
            cls = entry.load()
        except Exception as err:
            raise ConfigError(
                f"{self.family} kind {kind!r} comes from the entry point {entry.value!r}, "
                f"which cannot be loaded: {err}"
            ) from err
        logger.info("loaded %s kind %r from entry point %s", self.family, kind, entry.value)
        try:
            self.register(cls, kind=kind)
        except TypeError as err:
            raise ConfigError(f"entry point {entry.value!r} for kind {kind!r}: {err}") from err
        return cls

    def reset_plugins(self) -> None:
        """Forget the entry points read so far (they are read again on the next look-up)."""
        self._entry_points = None


def build(registry: Registry, kind: str, params: dict[str, Any], **fixed: Any) -> Any:
    """An unfitted estimator of ``kind`` with ``params`` (plus ``fixed``), checked eagerly.

    Parameters
    ----------
    registry : Registry
    kind : str
    params : dict
        Constructor parameters from a config; unknown names are refused.
    **fixed
        Further constructor arguments supplied by the caller (e.g. the codebook).

    Raises
    ------
    ConfigError
        For an unknown kind, an unknown parameter or an invalid parameter value.
    """
    cls = registry.get_class(kind)
    valid = [p for p in cls._get_param_names() if p not in fixed]
    for name in params:
        if name not in valid:
            raise ConfigError(
                f"unknown parameter {name!r} for {registry.family} kind {kind!r}; "
                f"valid parameters: {', '.join(valid)}"
            )
    estimator = cls(**params, **fixed)
    try:
        estimator._validate_params()
    except ValueError as err:
        raise ConfigError(str(err)) from err
    return estimator


#: Topic models by kind; outside packages add kinds through the ``topickit.models`` group.
MODELS: Registry = Registry("model", entry_point_group="topickit.models")
#: Theme classifiers by kind (bundle loading rebuilds a classifier from this table).
THEME_CLASSIFIERS: Registry = Registry("theme classifier", required=("kind", "from_state"))
#: Document representations of the similarity study by kind (each has ``from_config``).
REPRESENTATIONS: Registry = Registry("representation", required=("kind", "from_config"))
