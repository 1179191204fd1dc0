"""The injected insider scenarios: each is in the data as described, and labelled truthfully."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

import pytest

from strongroom.core.trail import AuditAction, AuditEntry
from strongroom.monitor.evaluation.generator import generate_dataset
from strongroom.monitor.evaluation.models import (
    Dataset,
    PopulationConfig,
    ScenarioConfig,
    ScenarioInstance,
    ScenarioKind,
)

POPULATION = PopulationConfig(
    support=60, vendors=3, days=50, customers=3000, hires=4, leavers=2, long_leaves=1, seed=5
)
SCENARIOS = ScenarioConfig(per_kind=2, warmup_days=14)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return generate_dataset(POPULATION, SCENARIOS)


@pytest.fixture(scope="module")
def by_actor(dataset: Dataset) -> dict[str, list[AuditEntry]]:
    entries: dict[str, list[AuditEntry]] = defaultdict(list)
    for entry in dataset.entries:
        entries[entry.draft.actor].append(entry)
    return entries


def _instances(dataset: Dataset, kind: ScenarioKind) -> list[ScenarioInstance]:
    return [instance for instance in dataset.scenarios if instance.kind is kind]


def _on(entries: list[AuditEntry], days: frozenset[date]) -> list[AuditEntry]:
    return [entry for entry in entries if entry.occurred_at.date() in days]


@pytest.mark.parametrize("kind", list(ScenarioKind))
def test_each_kind_is_injected_the_configured_number_of_times_after_the_warm_up(
    dataset: Dataset, by_actor: dict[str, list[AuditEntry]], kind: ScenarioKind
) -> None:
    instances = _instances(dataset, kind)
    first, last = dataset.scored_days
    assert len(instances) == SCENARIOS.per_kind
    for instance in instances:
        assert instance.days
        assert all(first <= day <= last for day in instance.days)
        active = {entry.occurred_at.date() for entry in by_actor[instance.principal]}
        assert instance.days <= active  # every labelled day has the principal's entries


def test_every_scenario_has_its_own_principal(dataset: Dataset) -> None:
    principals = [instance.principal for instance in dataset.scenarios]
    assert len(set(principals)) == len(principals) == 5 * SCENARIOS.per_kind


def test_scenarios_leave_everyone_elses_activity_as_it_was(dataset: Dataset) -> None:
    benign = generate_dataset(POPULATION, replace(SCENARIOS, per_kind=0))
    # Failed logins name no actor; the insiders' own (fewer for a dormant account) are among them.
    skipped = {instance.principal for instance in dataset.scenarios} | {"anonymous:unknown"}

    def others(data: Dataset) -> list[object]:
        return [(e.occurred_at, e.draft) for e in data.entries if e.draft.actor not in skipped]

    assert others(dataset) == others(benign)


def test_after_hours_mass_lookups_read_dozens_of_customers_at_night(
    dataset: Dataset, by_actor: dict[str, list[AuditEntry]]
) -> None:
    for instance in _instances(dataset, ScenarioKind.AFTER_HOURS_MASS_LOOKUP):
        night = [
            e
            for e in _on(by_actor[instance.principal], instance.days)
            if e.draft.action is AuditAction.CUSTOMER_READ
            and (e.occurred_at.hour >= 21 or e.occurred_at.hour < 3)
        ]
        assert len({e.draft.resource_ids for e in night}) >= 60


def test_slow_exfiltration_runs_for_weeks_a_few_extra_profiles_a_day(
    dataset: Dataset, by_actor: dict[str, list[AuditEntry]]
) -> None:
    for instance in _instances(dataset, ScenarioKind.SLOW_EXFILTRATION):
        assert max(instance.days) - min(instance.days) >= timedelta(days=13)
        assert len(instance.days) >= 10
        history = [
            e for e in by_actor[instance.principal] if e.occurred_at.date() < min(instance.days)
        ]
        assert history  # a known principal with a baseline of their own


def test_a_vendor_key_is_used_from_an_address_and_client_never_seen_before(
    dataset: Dataset, by_actor: dict[str, list[AuditEntry]]
) -> None:
    for instance in _instances(dataset, ScenarioKind.VENDOR_KEY_NEW_PLACE):
        assert instance.principal.startswith("vendor:")
        entries = by_actor[instance.principal]
        before = {
            (e.draft.origin.ip, e.draft.origin.user_agent)
            for e in entries
            if e.draft.origin and e.occurred_at.date() < min(instance.days)
        }
        during = {
            (e.draft.origin.ip, e.draft.origin.user_agent)
            for e in _on(entries, instance.days)
            if e.draft.origin
        }
        assert len(before) == 1
        assert during - before


def test_a_dormant_account_is_silent_for_thirty_days_then_reads(
    dataset: Dataset, by_actor: dict[str, list[AuditEntry]]
) -> None:
    for instance in _instances(dataset, ScenarioKind.DORMANT_ACCOUNT_WAKES):
        days = sorted({e.occurred_at.date() for e in by_actor[instance.principal]})
        wake = min(instance.days)
        quiet = [day for day in days if day < wake]
        assert quiet  # it had a history before falling silent
        assert (wake - quiet[-1]).days > 30
        assert set(days) - set(quiet) == instance.days


def test_a_new_data_class_is_reached_for_after_a_refusal(
    dataset: Dataset, by_actor: dict[str, list[AuditEntry]]
) -> None:
    for instance in _instances(dataset, ScenarioKind.NEW_DATA_CLASS):
        entries = by_actor[instance.principal]
        reaching = [e for e in entries if _reaches(e)]
        assert {e.occurred_at.date() for e in reaching} <= instance.days
        assert reaching
        denied = [e for e in entries if e.draft.action is AuditAction.ACCESS_DENIED]
        assert len(denied) == 1
        assert denied[0].occurred_at <= reaching[0].occurred_at


def _reaches(entry: AuditEntry) -> bool:
    unmasked = entry.draft.detail.get("masked") == "no"
    return unmasked or "payment" in entry.draft.data_classes


def test_too_few_vendors_for_the_vendor_scenarios_is_refused() -> None:
    with pytest.raises(ValueError, match="too few principals for 4 vendor_key_new_place"):
        generate_dataset(POPULATION, ScenarioConfig(per_kind=4))


def test_too_short_a_window_for_a_dormant_account_is_refused() -> None:
    short = replace(POPULATION, days=30, long_leaves=0)
    kinds = (ScenarioKind.DORMANT_ACCOUNT_WAKES,)
    with pytest.raises(ValueError, match="30 days are too few for dormant_account_wakes"):
        generate_dataset(short, ScenarioConfig(per_kind=1, kinds=kinds))
