"""Declarative parameter checks for topickit estimators, in scikit-learn's message style."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

from topickit.exceptions import InvalidParameterError

__all__ = [
    "Interval",
    "Options",
    "check_fitted",
    "is_str_list",
    "is_str_mapping",
    "validate_params",
]


@dataclass(frozen=True)
class Interval:
    """A numeric range constraint.

    Parameters
    ----------
    kind : type
        ``Integral`` or ``Real``.
    low, high : float or None
        Bounds; ``None`` means unbounded.
    closed : {"both", "left", "right", "neither"}
        Which bounds are included.
    """

    kind: type
    low: float | None
    high: float | None
    closed: str = "both"

    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, self.kind):
            return False
        if value != value:  # NaN is in no interval
            return False
        if (value == float("inf") and self.high is None) or (
            value == float("-inf") and self.low is None
        ):
            return False  # an unbounded side is open: infinity itself is not in it
        low_open = self.closed in ("right", "neither")
        high_open = self.closed in ("left", "neither")
        if self.low is not None and (value < self.low or (value == self.low and low_open)):
            return False
        return not (
            self.high is not None and (value > self.high or (value == self.high and high_open))
        )

    def __str__(self) -> str:
        name = "an int" if self.kind is Integral else "a float"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        return f"{name} in the range {left}{low}, {high}{right}"


@dataclass(frozen=True)
class Options:
    """A constraint that accepts one of a fixed set of values."""

    values: frozenset

    def __init__(self, values: Iterable[Any]) -> None:
        object.__setattr__(self, "values", frozenset(values))

    def is_satisfied_by(self, value: Any) -> bool:
        try:
            return value in self.values
        except TypeError:
            return False

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(v) for v in sorted(self.values, key=str))


def is_str_mapping(value: object) -> bool:
    """a dict of str to str"""
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def is_str_list(value: object) -> bool:
    """a list of str"""
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _describe(constraint: Any) -> str:
    if constraint is None:
        return "None"
    if isinstance(constraint, type):
        return f"an instance of {constraint.__name__!r}"
    if callable(constraint) and not isinstance(constraint, Interval | Options):
        return getattr(constraint, "__doc__", None) or "valid"
    return str(constraint)


def _satisfies(constraint: Any, value: Any) -> bool:
    if constraint is None:
        return value is None
    if isinstance(constraint, type):
        return isinstance(value, constraint) and not (
            constraint in (int, Integral, float, Real) and isinstance(value, bool)
        )
    if isinstance(constraint, Interval | Options):
        return constraint.is_satisfied_by(value)
    if callable(constraint):
        return bool(constraint(value))
    raise TypeError(f"unknown constraint {constraint!r}")


def validate_params(
    params: dict[str, Any], constraints: dict[str, list[Any]], caller_name: str
) -> None:
    """Check every parameter against its list of accepted constraints.

    Parameters
    ----------
    params : dict
        Parameter names to values, usually ``estimator.get_params(deep=False)``.
    constraints : dict
        Parameter names to a list of constraints; a value must satisfy at least one.
        A constraint is ``None``, a type, an :class:`Interval`, an :class:`Options`,
        or a callable returning a bool (its docstring describes it).
    caller_name : str
        Name used in the error message, usually the estimator class name.

    Raises
    ------
    InvalidParameterError
        When a parameter satisfies none of its constraints.
    """
    for name, accepted in constraints.items():
        if name not in params:
            continue
        value = params[name]
        if any(_satisfies(c, value) for c in accepted):
            continue
        descriptions = [_describe(c) for c in accepted]
        if len(descriptions) > 1:
            text = ", ".join(descriptions[:-1]) + " or " + descriptions[-1]
        else:
            text = descriptions[0]
        raise InvalidParameterError.of(caller_name, name, text, value)


def check_fitted(estimator: Any, attribute: str | Callable[[Any], bool] | None = None) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has been fitted.

    Parameters
    ----------
    estimator : object
        The estimator to check.
    attribute : str or callable, optional
        Name of an attribute that only exists after ``fit``. By default any public
        attribute ending in ``_`` counts.
    """
    if callable(attribute):
        fitted = attribute(estimator)
    elif attribute is not None:
        fitted = hasattr(estimator, attribute)
    else:
        fitted = any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))
    if not fitted:
        from topickit.exceptions import NotFittedError  # builds it (imports scikit-learn)

        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} instance is not fitted yet. Call 'fit' with appropriate arguments "
            "before using this estimator."
        )
