"""Exception types raised by topickit.

User mistakes (a missing file, an unknown column, a bad config key) raise a subclass of
:class:`TopickitError`; the command line turns those into one line on stderr and exit status 2.
"""

from __future__ import annotations

__all__ = [
    "BundleError",
    "ConfigError",
    "CorpusError",
    "CorpusWarning",
    "NotFittedError",
    "TopickitError",
]


class TopickitError(ValueError):
    """Base class for errors caused by user input rather than by a bug."""


class CorpusError(TopickitError):
    """A corpus cannot be read: missing path, unknown column, no usable text."""


class ConfigError(TopickitError):
    """An experiment config is invalid: unknown key, wrong type, impossible value."""


class BundleError(TopickitError):
    """A saved model bundle is missing, corrupted, tampered with, or of an unsupported format."""


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit`` was called."""


class CorpusWarning(UserWarning):
    """Something in a corpus was skipped or read in a fallback way (file, encoding, row)."""
