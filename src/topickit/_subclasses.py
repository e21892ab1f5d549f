"""Find the subclass that declares a given ``kind`` (used when rebuilding saved objects)."""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["find_kind"]

T = TypeVar("T", bound=type)


def find_kind(cls: T, kind: Any) -> T | None:
    """``cls`` or its (indirect) subclass whose class attribute ``kind`` equals ``kind``.

    Parameters
    ----------
    cls : type
        A base class with a ``kind`` class attribute.
    kind : object
        The kind to look for, as stored in saved state.

    Returns
    -------
    type or None
    """
    if getattr(cls, "kind", None) and cls.kind == kind:
        return cls
    for sub in cls.__subclasses__():
        found = find_kind(sub, kind)
        if found is not None:
            return found
    return None
