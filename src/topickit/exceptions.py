"""The exceptions topickit raises: one tree, rooted at :class:`TopickitError`.

::

    TopickitError (ValueError)
    ├── ConfigError            an experiment config or labels file is invalid
    ├── InvalidParameterError  an estimator parameter is out of range or of the wrong type
    ├── DataError              input data cannot be used
    │   └── CorpusError        a corpus cannot be read (path, column, encoding, no text)
    ├── BundleError            a saved bundle is missing, damaged, tampered with or too new
    └── NotFittedError         an estimator was used before ``fit`` (also scikit-learn's)

User mistakes raise a subclass of :class:`TopickitError`; the command line turns those into one
line on stderr and exit status 2. Warnings about skipped input are :class:`CorpusWarning`.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as SklearnNotFittedError

__all__ = [
    "BundleError",
    "ConfigError",
    "CorpusError",
    "CorpusWarning",
    "DataError",
    "InvalidParameterError",
    "NotFittedError",
    "TopickitError",
]


class TopickitError(ValueError):
    """Base class for errors caused by user input rather than by a bug."""


class ConfigError(TopickitError):
    """An experiment config is invalid: unknown key, wrong type, impossible value."""


class InvalidParameterError(TopickitError):
    """An estimator parameter is out of its range or of the wrong type (checked in ``fit``)."""


class DataError(TopickitError):
    """Input data cannot be used: wrong type, unknown label, empty vocabulary."""


class CorpusError(DataError):
    """A corpus cannot be read: missing path, unknown column, no usable text."""


class BundleError(TopickitError):
    """A saved model bundle is missing, corrupted, tampered with, or of an unsupported format."""


class NotFittedError(SklearnNotFittedError, TopickitError):
    """An estimator was used before ``fit`` was called.

    Also a :class:`sklearn.exceptions.NotFittedError`, so scikit-learn's own checks and callers
    that catch it work with topickit estimators.
    """


class CorpusWarning(UserWarning):
    """Something in a corpus was skipped or read in a fallback way (file, encoding, row)."""
