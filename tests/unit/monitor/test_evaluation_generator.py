"""The synthetic staff activity: deterministic, shaped like the real audit log, and lifelike."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, timedelta
from itertools import pairwise

import pytest

from strongroom.core.trail import AuditAction
from strongroom.monitor.evaluation.generator import generate_dataset
from strongroom.monitor.evaluation.models import Dataset, PopulationConfig, ScenarioConfig
from strongroom.monitor.evaluation.population import build_population, next_browser_version

SMALL = PopulationConfig(
    support=60,
    dpo=2,
    payments=2,
    admin=1,
    auditor=1,
    vendors=3,
    days=45,
    customers=3000,
    hires=4,
    leavers=2,
    long_leaves=1,
    role_changes=1,
    seed=11,
)
BENIGN = ScenarioConfig(per_kind=0)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate_dataset(SMALL, BENIGN)


def test_the_same_seed_gives_the_same_entries(dataset: Dataset) -> None:
    assert generate_dataset(SMALL, BENIGN).entries == dataset.entries


def test_another_seed_gives_other_people_and_other_entries() -> None:
    tiny = replace(SMALL, support=10, vendors=1, days=10, hires=1, leavers=1, long_leaves=0)
    one, other = generate_dataset(tiny, BENIGN), generate_dataset(replace(tiny, seed=12), BENIGN)
    assert {p.label for p in other.personas} != {p.label for p in one.personas}
    assert other.entries[:100] != one.entries[:100]


def test_entries_are_numbered_from_one_in_time_order_in_utc_within_the_window(
    dataset: Dataset,
) -> None:
    entries = dataset.entries
    assert [entry.seq for entry in entries] == list(range(1, len(entries) + 1))
    assert all(a.occurred_at <= b.occurred_at for a, b in pairwise(entries))
    assert all(entry.occurred_at.tzinfo is UTC for entry in entries)
    end = SMALL.first_day + timedelta(days=SMALL.days)
    assert SMALL.first_day <= entries[0].occurred_at.date() <= entries[-1].occurred_at.date() < end


def test_actors_are_staff_and_vendors_and_failed_logins_are_anonymous(dataset: Dataset) -> None:
    kinds = Counter(entry.draft.actor.split(":")[0] for entry in dataset.entries)
    assert set(kinds) == {"staff", "vendor", "anonymous"}
    failed = [e for e in dataset.entries if e.draft.action is AuditAction.AUTH_FAILED]
    assert failed
    assert {entry.draft.actor for entry in failed} == {"anonymous:unknown"}
    assert all(entry.draft.origin and entry.draft.origin.ip for entry in failed)


def test_every_entry_says_where_it_came_from_with_its_own_request_id(dataset: Dataset) -> None:
    origins = [entry.draft.origin for entry in dataset.entries]
    assert all(origin and origin.ip and origin.user_agent for origin in origins)
    request_ids = [origin.request_id for origin in origins if origin]
    assert len(set(request_ids)) == len(request_ids)


@pytest.mark.parametrize(
    ("role", "actions", "purposes"),
    [
        ("support", {"customer.read", "customer.search"}, {"support"}),
        ("dpo", {"customer.read"}, {"dsar", "security"}),
        ("payments", {"card.detokenized"}, {"payment"}),
        ("admin", {"token.created", "token.revoked", "source.created", "backup.created"}, None),
    ],
)
def test_each_role_does_what_its_permissions_allow(
    dataset: Dataset, role: str, actions: set[str], purposes: set[str] | None
) -> None:
    members = {p.label for p in dataset.personas if p.role == role and p.role_change is None}
    entries = [e for e in dataset.entries if e.draft.actor in members]
    assert entries
    assert {entry.draft.action.stored_name for entry in entries} <= actions
    if purposes is not None:
        assert {entry.draft.purpose for entry in entries} <= purposes


def test_support_sees_pii_masked_and_the_dpo_unmasked(dataset: Dataset) -> None:
    roles = {p.label: p.role for p in dataset.personas if p.role_change is None}
    masked = {
        (roles.get(e.draft.actor), e.draft.detail["masked"])
        for e in dataset.entries
        if e.draft.action is AuditAction.CUSTOMER_READ and e.draft.actor in roles
    }
    assert masked == {("support", "yes"), ("vendor", "yes"), ("dpo", "no")}


def test_vendors_always_call_from_their_one_address(dataset: Dataset) -> None:
    vendors = [p for p in dataset.personas if p.role == "vendor"]
    for vendor in vendors:
        addresses = {
            e.draft.origin.ip
            for e in dataset.entries
            if e.draft.actor == vendor.label and e.draft.origin
        }
        assert addresses == {vendor.home_ip}


def test_weekends_and_holidays_are_quiet(dataset: Dataset) -> None:
    per_day = Counter(entry.occurred_at.date() for entry in dataset.entries)
    weekdays = [n for day, n in per_day.items() if day.weekday() < 5]
    weekends = [n for day, n in per_day.items() if day.weekday() >= 5]
    holiday = per_day[SMALL.first_day + timedelta(days=SMALL.holidays[1])]
    usual = sum(weekdays) / len(weekdays)
    assert max(weekends) < 0.4 * usual
    assert holiday < 0.4 * usual


def test_support_works_office_hours_with_some_overtime(dataset: Dataset) -> None:
    support = {p.label: p for p in dataset.personas if p.role == "support"}
    hours = [
        (e.occurred_at.hour + e.occurred_at.minute / 60) - support[e.draft.actor].start_hour
        for e in dataset.entries
        if e.draft.actor in support
    ]
    within_shift = sum(-1 <= h <= 10 for h in hours) / len(hours)
    assert 0.97 < within_shift < 1.0


def test_the_team_grows_and_people_leave(dataset: Dataset) -> None:
    first_seen: dict[str, int] = {}
    last_seen: dict[str, int] = {}
    for entry in dataset.entries:
        offset = (entry.occurred_at.date() - SMALL.first_day).days
        first_seen.setdefault(entry.draft.actor, offset)
        last_seen[entry.draft.actor] = offset
    hires = [p for p in dataset.personas if p.active_from > 0]
    leavers = [p for p in dataset.personas if p.active_until is not None]
    assert len(hires) == SMALL.hires
    assert all(first_seen.get(p.label, SMALL.days) >= p.active_from for p in hires)
    assert all(last_seen.get(p.label, -1) < (p.active_until or 0) for p in leavers)


def test_daily_volumes_differ_between_people_but_are_steady_for_each(dataset: Dataset) -> None:
    per_day = Counter(
        (e.draft.actor, e.occurred_at.date())
        for e in dataset.entries
        if e.draft.action is AuditAction.CUSTOMER_READ and e.occurred_at.weekday() < 5
    )
    by_person: dict[str, list[int]] = {}
    for (actor, _), count in per_day.items():
        by_person.setdefault(actor, []).append(count)
    medians = sorted(sorted(c)[len(c) // 2] for a, c in by_person.items() if a.startswith("staff"))
    assert medians[-len(medians) // 10] > 2 * medians[len(medians) // 10]


def test_a_browser_release_moves_user_agents_up_one_version() -> None:
    chrome = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
    )
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
    assert "Chrome/132.0.0.0" in next_browser_version(chrome)
    assert next_browser_version(firefox).endswith("rv:134.0) Gecko/20100101 Firefox/134.0")


def test_the_population_has_the_configured_size_and_unique_labels() -> None:
    people = build_population(SMALL)
    assert len(people) == 60 + 2 + 2 + 1 + 1 + 3
    assert len({p.label for p in people}) == len(people)
    assert sum(p.role == "vendor" for p in people) == 3


def test_a_population_without_days_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        PopulationConfig(days=0)
