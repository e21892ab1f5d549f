"""The ``[preprocess]`` fields of an experiment config, read off :class:`TextPipeline`.

Every parameter of :class:`topickit.text.pipeline.TextPipeline` becomes one config field with
the same name, in the same order, with the same default; its entry in the pipeline's
``_parameter_constraints`` gives the field's type and range. So the config accepts exactly
what the pipeline accepts, and a new pipeline parameter is a new config key without a second
list to keep in step. A list or mapping parameter whose default is empty (or ``None``) is
written out as an empty list or table, so that ``config.toml`` shows every key. Values are
checked strictly, as the pipeline checks them: ``"yes"`` is not a boolean, ``"2"`` not a
number.
"""

from __future__ import annotations

import inspect
from numbers import Integral
from typing import Any

from pydantic import Field

from topickit._validation import Interval, is_str_list, is_str_mapping
from topickit.text.pipeline import TextPipeline

__all__ = ["pipeline_fields"]


def pipeline_fields() -> dict[str, tuple[Any, Any]]:
    """``{name: (type, FieldInfo)}`` for :func:`pydantic.create_model`, one per parameter.

    Raises
    ------
    TypeError
        When a parameter's constraint has no config equivalent (a new kind of constraint
        needs a rule here before the config can offer it).
    """
    constraints = TextPipeline._parameter_constraints
    fields = {}
    for name, parameter in inspect.signature(TextPipeline.__init__).parameters.items():
        if name != "self":
            fields[name] = _field(name, constraints[name], parameter.default)
    return fields


def _field(name: str, constraints: list, default: Any) -> tuple[Any, Any]:
    accepts_none = None in constraints
    rest = [c for c in constraints if c is not None]
    if len(rest) == 1:
        (constraint,) = rest
        if constraint is bool:
            return bool, Field(default, strict=True)
        if constraint in (is_str_list, is_str_mapping) and not default:
            container = list[str] if constraint is is_str_list else dict[str, str]
            return container, Field(default_factory=list if constraint is is_str_list else dict)
        if isinstance(constraint, Interval):
            kind = int if constraint.kind is Integral else float
            field = Field(default, strict=True, **_bounds(constraint))
            return (kind | None if accepts_none else kind), field
    raise TypeError(f"TextPipeline parameter {name!r}: no config field for {constraints!r}")


def _bounds(interval: Interval) -> dict[str, float]:
    """pydantic's ``ge``/``gt``/``le``/``lt`` for an :class:`Interval`."""
    bounds = {}
    if interval.low is not None:
        open_low = interval.closed in ("right", "neither")
        bounds["gt" if open_low else "ge"] = interval.low
    if interval.high is not None:
        open_high = interval.closed in ("left", "neither")
        bounds["lt" if open_high else "le"] = interval.high
    return bounds
