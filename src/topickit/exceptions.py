"""The exceptions topickit raises: one tree, rooted at :class:`TopickitError`.

::

    TopickitError (ValueError)
    ├── ConfigError            an experiment config or labels file is invalid
    ├── InvalidParameterError  an estimator parameter is out of range or of the wrong type
    ├── DataError              input data cannot be used
    │   ├── CorpusError        a corpus cannot be read (path, column, encoding, no text)
    │   └── DataTypeError      input of the wrong Python type (also a TypeError)
    ├── BundleError            a saved bundle is missing, damaged, tampered with or too new
    └── NotFittedError         an estimator was used before ``fit`` (also scikit-learn's)

User mistakes raise a subclass of :class:`TopickitError`; the command line turns those into one
line on stderr and exit status 2. Warnings about skipped input are :class:`CorpusWarning`.

Every message has one shape, built by :func:`locate` through the ``at`` constructors::

    <file>[, key 'k'][, column 'c'][, row n][, member 'm']: <problem>

for example ``experiments/x.toml, key 'model.n_topics': must be a positive int`` or
``news.csv, column 'body': no such column``. Parameter errors use scikit-learn's wording
(:meth:`InvalidParameterError.of`).

This module imports only the standard library: scikit-learn (for the second base class of
:class:`NotFittedError`) is imported the first time that name is used, so that
``topickit --help`` and ``import topickit.exceptions`` stay fast.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Self

__all__ = [
    "BundleError",
    "ConfigError",
    "CorpusError",
    "CorpusWarning",
    "DataError",
    "DataTypeError",
    "InvalidParameterError",
    "NotFittedError",
    "TopickitError",
    "locate",
]


def locate(
    path: str | os.PathLike[str] | None = None,
    *,
    key: str | None = None,
    column: str | None = None,
    row: int | None = None,
    member: str | None = None,
) -> str:
    """The "where" part of a message: file, then key, column, row and member, comma separated.

    Parameters
    ----------
    path : str or Path, optional
        The file or folder at fault.
    key : str, optional
        A config key, dotted for nested tables (``"model.n_topics"``).
    column : str, optional
        A table column.
    row : int, optional
        A row (or line) number, as the user counts them.
    member : str, optional
        A file inside a bundle or archive.

    Returns
    -------
    str
        For example ``"news.csv, column 'body', row 3"``; empty when nothing is given.
    """
    parts = [] if path is None else [os.fspath(path)]
    if key is not None:
        parts.append(f"key {key!r}")
    if column is not None:
        parts.append(f"column {column!r}")
    if row is not None:
        parts.append(f"row {row}")
    if member is not None:
        parts.append(f"member {member!r}")
    return ", ".join(parts)


def _message(where: str, problem: str) -> str:
    return f"{where}: {problem}" if where else problem


class TopickitError(ValueError):
    """Base class for errors caused by user input rather than by a bug."""

    @classmethod
    def at(cls, path: str | os.PathLike[str] | None, problem: str, **where: Any) -> Self:
        """An error whose message names ``path`` (and ``key``/``column``/``row``/``member``).

        Parameters
        ----------
        path : str, Path or None
            The file or folder at fault (``None`` when there is none).
        problem : str
            What is wrong and, when it helps, what to do.
        **where
            ``key``, ``column``, ``row`` or ``member``, as for :func:`locate`.
        """
        return cls(_message(locate(path, **where), problem))


class ConfigError(TopickitError):
    """An experiment config is invalid: unknown key, wrong type, impossible value."""

    @classmethod
    def at(  # type: ignore[override]
        cls, path: str | os.PathLike[str] | None, key: str | None, problem: str
    ) -> Self:
        """``<path>, key '<key>': <problem>`` (``key`` may be ``None`` for the whole file)."""
        return cls(_message(locate(path, key=key), problem))


class InvalidParameterError(TopickitError):
    """An estimator parameter is out of its range or of the wrong type (checked in ``fit``)."""

    @classmethod
    def of(cls, owner: str, name: str, expected: str, value: Any) -> Self:
        """scikit-learn's wording: ``The 'name' parameter of Owner must be ... Got ... instead.``

        Parameters
        ----------
        owner : str
            The estimator or function, usually its class name.
        name : str
            The parameter.
        expected : str
            What it must be, e.g. ``"an int in the range [1, inf)"``.
        value : object
            The value given.
        """
        return cls(f"The {name!r} parameter of {owner} must be {expected}. Got {value!r} instead.")


class DataError(TopickitError):
    """Input data cannot be used: wrong type, unknown label, empty vocabulary."""


class CorpusError(DataError):
    """A corpus cannot be read: missing path, unknown column, no usable text."""

    @classmethod
    def at(  # type: ignore[override]
        cls,
        path: str | os.PathLike[str] | None,
        problem: str,
        column: str | None = None,
        row: int | None = None,
    ) -> Self:
        """``<path>[, column 'c'][, row n]: <problem>``."""
        return cls(_message(locate(path, column=column, row=row), problem))


class DataTypeError(DataError, TypeError):
    """Input of the wrong Python type, e.g. one string where a list of texts is expected.

    Also a :class:`TypeError`, the usual Python signal for a wrong type, so callers that
    catch that keep working.
    """

    @classmethod
    def expected(cls, what: str, expected: str, value: Any) -> Self:
        """``<what> is <type>, expected <expected>`` (``what`` names the argument or item)."""
        return cls(f"{what} is {type(value).__name__}, expected {expected}")


class BundleError(TopickitError):
    """A saved model bundle is missing, corrupted, tampered with, or of an unsupported format."""


class CorpusWarning(UserWarning):
    """Something in a corpus was skipped or read in a fallback way (file, encoding, row)."""


if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ builds the same class
    from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

    class NotFittedError(_SklearnNotFittedError, TopickitError):
        """An estimator was used before ``fit`` was called (also scikit-learn's)."""


_BUILD_LOCK = threading.Lock()


def _make_not_fitted_error() -> type[TopickitError]:
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError

    class NotFittedError(SklearnNotFittedError, TopickitError):
        """An estimator was used before ``fit`` was called.

        Also a :class:`sklearn.exceptions.NotFittedError`, so scikit-learn's own checks and
        callers that catch it work with topickit estimators.
        """

    NotFittedError.__module__ = __name__
    NotFittedError.__qualname__ = "NotFittedError"
    return NotFittedError


def __getattr__(name: str) -> Any:
    # PEP 562: NotFittedError is built on first use, so that importing this module does not
    # import scikit-learn (about a second). It is then an ordinary module attribute.
    if name == "NotFittedError":
        with _BUILD_LOCK:  # two threads must not build two different classes
            if name not in globals():
                globals()[name] = _make_not_fitted_error()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"NotFittedError"})
