"""Typed parameters: the default gives the type, the spec the limits, and nothing is coerced."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from strongroom.core.errors import ConfigurationError
from strongroom.core.params import describe_params, param, parse_params


@dataclass(frozen=True)
class Knobs:
    ratio: float = param(0.5, "a share", minimum=0, maximum=1)
    count: int = param(3, "how many", above=0)
    name: str = param("a", "which one", choices=("a", "b"))
    flags: tuple[str, ...] = param(("x",), "some flags", choices=("x", "y"))
    on: bool = param(True, "whether")


def test_parameters_are_described_with_their_type_default_and_description() -> None:
    described = {info.name: (info.type_name, info.default) for info in describe_params(Knobs)}
    assert described == {
        "ratio": ("float", 0.5),
        "count": ("int", 3),
        "name": ("str", "a"),
        "flags": ("list of strings", ("x",)),
        "on": ("bool", True),
    }


def test_good_values_are_taken_and_whole_numbers_are_numbers() -> None:
    knobs = parse_params(
        Knobs, {"ratio": 1, "count": 7, "name": "b", "flags": ["x", "y"], "on": False}, where="f"
    )
    assert knobs == Knobs(ratio=1.0, count=7, name="b", flags=("x", "y"), on=False)
    assert isinstance(knobs.ratio, float)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"ratio": 1.5}, "ratio = 1.5 is above the maximum 1"),
        ({"ratio": -0.1}, "ratio = -0.1 is below the minimum 0"),
        ({"count": 0}, "count = 0 is not above 0"),
        ({"count": "3"}, "count = '3' is of the wrong type: it must be a whole number"),
        ({"name": "c"}, "name = 'c' is not one of: a, b"),
        ({"flags": "x"}, "flags = 'x' is of the wrong type: it must be a list of strings"),
        ({"flags": ["x", 1]}, "flags = ['x', 1] is of the wrong type"),
        ({"on": 1}, "on = 1 is of the wrong type: it must be a boolean (true or false)"),
        ({"colour": "red"}, "unknown setting 'colour'; the settings here are: count, flags, name"),
    ],
)
def test_a_bad_value_is_refused_with_what_is_wrong_and_never_repaired(
    table: dict[str, object], problem: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_params(Knobs, table, where="monitor.toml: [knobs]")
    assert raised.value.message.startswith("monitor.toml: [knobs]: ")
    assert problem in raised.value.message


def test_a_very_long_bad_value_is_cut_in_the_message() -> None:
    with pytest.raises(ConfigurationError) as raised:
        parse_params(Knobs, {"name": "z" * 500}, where="f")
    assert "name = '" + "z" * 59 + "... is not one of" in raised.value.message
