"""Typed parameters of pluggable strategies (detectors, alert sinks), read from a config file.

A strategy declares its parameters as a frozen dataclass whose fields are made with ``param``:
the default gives the type (bool, int, float, str, or a tuple of strings), the metadata the
description and the limits. ``parse_params`` checks one table of a config file against it and
fails with a message naming the file, the table and the key; it never repairs a value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, ClassVar, Protocol, TypeVar

from strongroom.core.errors import ConfigurationError


class DataclassInstance(Protocol):
    """Any dataclass (what ``dataclasses.fields`` accepts)."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]


P = TypeVar("P", bound=DataclassInstance)
T = TypeVar("T")
ParamValue = bool | int | float | str | tuple[str, ...]
_KEY = "strongroom.param"
_SHOWN = 60  # characters of a bad value quoted back in an error message


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """What a parameter means and which values it takes."""

    description: str
    minimum: float | None = None  # inclusive
    above: float | None = None  # exclusive lower bound
    maximum: float | None = None  # inclusive
    choices: tuple[str, ...] = ()  # for str parameters, and for each item of a tuple


@dataclass(frozen=True, slots=True)
class ParamInfo:
    """A parameter as documented: name, type name, default and spec."""

    name: str
    type_name: str
    default: ParamValue
    spec: ParamSpec


def param(
    default: T,
    description: str,
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
    choices: tuple[str, ...] = (),
) -> T:
    """A dataclass field that is a documented, checked parameter with this default."""
    spec = ParamSpec(description, minimum, above, maximum, choices)
    result: T = field(default=default, metadata={_KEY: spec})
    return result


def describe_params(cls: type[DataclassInstance]) -> list[ParamInfo]:
    """Every parameter of ``cls``, in declaration order."""
    return [
        ParamInfo(f.name, _type_name(_default(f)), _default(f), f.metadata[_KEY])
        for f in fields(cls)
        if _KEY in f.metadata
    ]


def parse_params(cls: type[P], table: Mapping[str, object], *, where: str) -> P:
    """An instance of ``cls`` from a config table; ConfigurationError names any bad key or value.

    ``where`` names the file and table, e.g. ``monitor.toml: [detectors.volume_spike]``.
    """
    known = {info.name: info for info in describe_params(cls)}
    for key in table:
        if key not in known:
            names = ", ".join(sorted(known)) or "none"
            raise ConfigurationError(
                f"{where}: unknown setting {key!r}; the settings here are: {names}"
            )
    values = {key: check_value(known[key], value, where=where) for key, value in table.items()}
    return cls(**values)


def check_value(info: ParamInfo, value: object, *, where: str) -> ParamValue:
    """``value`` if it fits ``info``'s type and limits; else ConfigurationError saying why."""
    checked = _typed(info, value, where)
    spec = info.spec
    if isinstance(checked, int | float) and not isinstance(checked, bool):
        _check_range(info, checked, value, where)
    items = checked if isinstance(checked, tuple) else (checked,)
    if spec.choices:
        for item in items:
            if item not in spec.choices:
                raise _bad(info, value, where, f"not one of: {', '.join(spec.choices)}")
    return checked


def _typed(info: ParamInfo, value: object, where: str) -> ParamValue:
    wanted = info.type_name
    if wanted == "bool" and isinstance(value, bool):
        return value
    if wanted == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if wanted == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise _bad(info, value, where, "not a finite number")
        return float(value)
    if wanted == "str" and isinstance(value, str):
        return value
    if (
        wanted == "list of strings"
        and isinstance(value, list | tuple)
        and all(isinstance(item, str) for item in value)
    ):
        return tuple(value)
    article = "a list of strings" if wanted == "list of strings" else f"a {_spoken(wanted)}"
    raise _bad(info, value, where, f"of the wrong type: it must be {article}")


def _check_range(info: ParamInfo, number: float, given: object, where: str) -> None:
    spec = info.spec
    if spec.minimum is not None and number < spec.minimum:
        raise _bad(info, given, where, f"below the minimum {spec.minimum:g}")
    if spec.above is not None and number <= spec.above:
        raise _bad(info, given, where, f"not above {spec.above:g}")
    if spec.maximum is not None and number > spec.maximum:
        raise _bad(info, given, where, f"above the maximum {spec.maximum:g}")


def _bad(info: ParamInfo, value: object, where: str, problem: str) -> ConfigurationError:
    shown = repr(value)
    if len(shown) > _SHOWN:
        shown = shown[:_SHOWN] + "..."
    return ConfigurationError(
        f"{where}: {info.name} = {shown} is {problem} ({info.spec.description}); "
        "fix the file and start again"
    )


def _default(f: Field[Any]) -> ParamValue:
    if f.default is MISSING:
        raise TypeError(f"parameter {f.name} needs a default")
    value: ParamValue = f.default
    return value


def _type_name(default: ParamValue) -> str:
    if isinstance(default, tuple):
        return "list of strings"
    return type(default).__name__


def _spoken(type_name: str) -> str:
    return {"bool": "boolean (true or false)", "int": "whole number", "float": "number"}.get(
        type_name, "string"
    )
