"""Notice deadlines: rules as data (``deadline_rules``), checked on load, timed from awareness."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from strongroom.core.clock import ensure_utc
from strongroom.core.errors import InvalidInputError
from strongroom.respond.deadline_rules import RULES_TOML

BUILT_IN = "the built-in deadline rules"
_KEYS = frozenset(
    {
        "regime",
        "audience",
        "title",
        "applies",
        "state",
        "within_hours",
        "within_days",
        "without_unreasonable_delay",
        "min_residents",
        "effective",
        "citation",
    }
)


class Applies(StrEnum):
    ALWAYS = "always"
    EU = "eu"
    US_STATE = "us_state"
    PAYMENT = "payment"


AUDIENCES = frozenset({"authority", "data_subjects", "regulator", "card_brands", "decision"})


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    id: str
    regime: str
    audience: str
    title: str
    applies: Applies
    effective: date
    citation: str
    within: timedelta | None  # None: without unreasonable delay (no fixed clock)
    state: str | None = None
    min_residents: int = 1


@dataclass(frozen=True, slots=True)
class Exposure:
    """What decides which rules apply: residents by US state, EU residents, card data."""

    us_states: dict[str, int] = field(default_factory=dict)
    eu: bool = True  # unknown residence counts as EU: the stricter rule
    payment: bool = False


@dataclass(frozen=True, slots=True)
class Deadline:
    rule: DeadlineRule
    due_at: datetime | None
    seconds_left: int | None  # negative when overdue; None without a fixed clock
    overdue: bool
    residents: int | None  # for state rules, how many residents are affected

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "regime": self.rule.regime,
            "audience": self.rule.audience,
            "title": self.rule.title,
            "citation": self.rule.citation,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "timing": "fixed" if self.due_at else "without unreasonable delay",
            "seconds_left": self.seconds_left,
            "overdue": self.overdue,
            "residents": self.residents,
        }


def load_rules(text: str = RULES_TOML, *, source: str = BUILT_IN) -> tuple[DeadlineRule, ...]:
    """Parse and check a rules table; InvalidInputError naming ``source`` and the key at fault."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidInputError(f"{source}: not valid TOML ({error})") from None
    tables = document.get("rules")
    if not isinstance(tables, dict) or not tables:
        raise InvalidInputError(f"{source}: no [rules.<id>] tables")
    return tuple(_rule(source, rule_id, body) for rule_id, body in tables.items())


def _rule(source: str, rule_id: str, body: Any) -> DeadlineRule:
    where = f"{source}: rules.{rule_id}"
    if not isinstance(body, dict):
        raise InvalidInputError(f"{where} must be a table")
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise InvalidInputError(f"{where}: unknown key {unknown[0]!r}")
    applies = _choice(where, body, "applies", {a.value for a in Applies})
    state = body.get("state")
    if (applies == Applies.US_STATE) != isinstance(state, str):
        raise InvalidInputError(f"{where}.state: give a state code exactly when applies = us_state")
    return DeadlineRule(
        id=rule_id,
        regime=_text(where, body, "regime"),
        audience=_choice(where, body, "audience", AUDIENCES),
        title=_text(where, body, "title"),
        applies=Applies(applies),
        effective=_date(where, body.get("effective")),
        citation=_text(where, body, "citation"),
        within=_within(where, body),
        state=state.upper() if isinstance(state, str) else None,
        min_residents=_positive(where, "min_residents", body.get("min_residents", 1)),
    )


def _text(where: str, body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{where}.{key} must be a non-empty string")
    return value


def _choice(where: str, body: dict[str, Any], key: str, allowed: set[str] | frozenset[str]) -> str:
    value = body.get(key)
    if value not in allowed:
        raise InvalidInputError(f"{where}.{key} must be one of {', '.join(sorted(allowed))}")
    return str(value)


def _date(where: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInputError(f"{where}.effective: {value!r} is not a date (YYYY-MM-DD)")


def _positive(where: str, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(f"{where}.{key} must be a whole number of at least 1")
    return value


def _within(where: str, body: dict[str, Any]) -> timedelta | None:
    given = [k for k in ("within_hours", "within_days", "without_unreasonable_delay") if k in body]
    if len(given) != 1:
        raise InvalidInputError(
            f"{where}: give exactly one of within_hours, within_days, without_unreasonable_delay"
        )
    key = given[0]
    if key == "without_unreasonable_delay":
        if body[key] is not True:
            raise InvalidInputError(f"{where}.{key} must be true (or use within_*)")
        return None
    amount = _positive(where, key, body[key])
    return timedelta(hours=amount) if key == "within_hours" else timedelta(days=amount)


def compute_deadlines(
    rules: tuple[DeadlineRule, ...], *, aware_at: datetime, now: datetime, exposure: Exposure
) -> list[Deadline]:
    """The deadlines that apply, soonest first, then those without a fixed clock."""
    aware, now = ensure_utc(aware_at), ensure_utc(now)
    states = {code.upper(): count for code, count in exposure.us_states.items()}
    result: list[Deadline] = []
    for rule in rules:
        if rule.effective > aware.date():
            continue
        residents = states.get(rule.state, 0) if rule.state else None
        if not _applies(rule, exposure, residents):
            continue
        due = aware + rule.within if rule.within is not None else None
        left = int((due - now).total_seconds()) if due is not None else None
        result.append(Deadline(rule, due, left, left is not None and left < 0, residents))
    far = datetime.max.replace(tzinfo=aware.tzinfo)
    return sorted(result, key=lambda d: (d.due_at or far, d.rule.id))


def _applies(rule: DeadlineRule, exposure: Exposure, residents: int | None) -> bool:
    if rule.applies is Applies.EU:
        return exposure.eu
    if rule.applies is Applies.PAYMENT:
        return exposure.payment
    if rule.applies is Applies.US_STATE:
        return residents is not None and residents >= rule.min_residents
    return True


def parse_state_counts(values: list[str]) -> dict[str, int]:
    """``CA:600`` items as {"CA": 600}; a one-line InvalidInputError for a malformed one."""
    counts: dict[str, int] = {}
    for value in values:
        code, _, number = value.partition(":")
        if len(code) != 2 or not code.isalpha() or not number.isdigit() or int(number) < 1:
            raise InvalidInputError(f"--state {value!r}: use a state code and a count, e.g. CA:600")
        counts[code.upper()] = int(number)
    return counts
