"""topickit's version, read from the installed package's metadata (no other import)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("topickit")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"
