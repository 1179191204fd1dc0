from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.errors import InvalidInputError
from strongroom.respond.deadlines import (
    Exposure,
    compute_deadlines,
    load_rules,
    parse_state_counts,
)

AWARE = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _ids(exposure: Exposure, now: datetime = AWARE) -> dict[str, object]:
    found = compute_deadlines(load_rules(), aware_at=AWARE, now=now, exposure=exposure)
    return {d.rule.id: d for d in found}


def test_the_built_in_rules_load_and_cover_the_named_states() -> None:
    rules = load_rules()
    states = {r.state for r in rules if r.state}
    assert {"CA", "NY", "TX", "FL", "WA", "MA"} <= states


def test_gdpr_gives_72_hours_from_awareness_and_flags_overdue() -> None:
    found = compute_deadlines(
        load_rules(), aware_at=AWARE, now=AWARE + timedelta(hours=80), exposure=Exposure()
    )
    authority = next(d for d in found if d.rule.id == "gdpr_authority")
    assert authority.due_at == AWARE + timedelta(hours=72)
    assert authority.seconds_left == -8 * 3600
    assert authority.overdue
    subjects = next(d for d in found if d.rule.id == "gdpr_subjects")
    assert subjects.due_at is None
    assert not subjects.overdue


def test_state_thresholds_decide_the_regulator_notices() -> None:
    few = _ids(Exposure({"CA": 500, "TX": 249}, eu=False))
    assert "us_ca_residents" in few
    assert "us_ca_attorney_general" not in few
    assert "us_tx_residents" in few
    assert "us_tx_attorney_general" not in few
    many = _ids(Exposure({"CA": 501, "TX": 250}, eu=False))
    assert "us_ca_attorney_general" in many
    tx = many["us_tx_attorney_general"]
    assert tx.due_at == AWARE + timedelta(days=30)  # type: ignore[attr-defined]
    assert "gdpr_authority" not in many


def test_card_data_brings_the_card_brands_in() -> None:
    assert "pci_card_brands" not in _ids(Exposure())
    assert "pci_card_brands" in _ids(Exposure(payment=True))


def test_a_rule_not_yet_in_force_at_awareness_does_not_apply() -> None:
    early = datetime(2024, 1, 1, tzinfo=UTC)
    found = compute_deadlines(
        load_rules(), aware_at=early, now=early, exposure=Exposure({"NY": 10}, eu=False)
    )
    assert "us_ny_residents" not in {d.rule.id for d in found}


def test_deadlines_come_soonest_first() -> None:
    found = compute_deadlines(
        load_rules(), aware_at=AWARE, now=AWARE, exposure=Exposure({"FL": 1, "TX": 1})
    )
    fixed = [d.due_at for d in found if d.due_at is not None]
    assert fixed == sorted(fixed)
    assert found[-1].due_at is None


_GOOD = """
[rules.x]
regime = "R"
audience = "authority"
title = "t"
applies = "always"
within_days = 3
effective = 2020-01-01
citation = "c"
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("effective = 2020-01-01", 'effective = "2020-13-45"'), "rules.x.effective"),
        (("effective = 2020-01-01", 'effective = "soon"'), "rules.x.effective"),
        (("within_days = 3", "within_days = -3"), "rules.x.within_days"),
        (("within_days = 3", "within_days = 3\nwithin_hours = 2"), "exactly one"),
        (('applies = "always"', 'applies = "mars"'), "rules.x.applies"),
        (('title = "t"', 'title = "t"\ncolour = "red"'), "unknown key 'colour'"),
        (('applies = "always"', 'applies = "us_state"'), "rules.x.state"),
        (("[rules.x]", "[rules.x"), "not valid TOML"),
    ],
)
def test_a_bad_rule_file_names_the_file_and_key(change: tuple[str, str], message: str) -> None:
    text = _GOOD.replace(*change)
    with pytest.raises(InvalidInputError, match=r"rules\.toml") as error:
        load_rules(text, source="rules.toml")
    assert message in error.value.message


def test_a_good_rule_file_loads() -> None:
    [rule] = load_rules(_GOOD, source="rules.toml")
    assert rule.within == timedelta(days=3)


@pytest.mark.parametrize("bad", ["CA", "CA:", "CA:x", "California:3", "CA:0"])
def test_state_counts_are_checked(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="CA:600"):
        parse_state_counts([bad])


def test_state_counts_parse() -> None:
    assert parse_state_counts(["ca:600", "TX:3"]) == {"CA": 600, "TX": 3}
