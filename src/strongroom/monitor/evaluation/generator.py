"""Synthetic staff activity as audit entries, with labelled insider scenarios hidden in it.

    dataset = generate_dataset(PopulationConfig(seed=7), ScenarioConfig(per_kind=3))

Deterministic: the same configurations give the same entries, in the same order, with the same
seqs. Each principal's benign activity is drawn from its own seed, so injecting scenarios leaves
everyone else's days exactly as they were.

The entries are not hash-chained: ``prev_hash`` and ``entry_hash`` hold the genesis hash as a
placeholder, since the detectors read what was done, by whom, when and from where, never the
chain (``audit.chain`` verifies a chain; it has nothing to verify here).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from strongroom.core.trail import GENESIS_HASH, AuditEntry
from strongroom.monitor.evaluation.activity import (
    Event,
    at,
    customer_pool,
    failed_login,
    place_on,
    role_on,
    role_tasks,
)
from strongroom.monitor.evaluation.models import (
    Dataset,
    Persona,
    PopulationConfig,
    ScenarioConfig,
)
from strongroom.monitor.evaluation.population import build_population
from strongroom.monitor.evaluation.scenarios import inject_scenarios, plan_scenarios
from strongroom.monitor.evaluation.schedule import day_of, volume_factor
from strongroom.monitor.evaluation.seeds import seeded

_OVERTIME = 0.04
_DAILY_SHAPE = 6.0  # gamma shape of a day's volume around the person's median: CV about 0.4


def generate_dataset(
    population: PopulationConfig | None = None, scenarios: ScenarioConfig | None = None
) -> Dataset:
    """Simulate ``population`` and inject ``scenarios``: audit entries with their ground truth."""
    population = population or PopulationConfig()
    scenarios = scenarios or ScenarioConfig()
    pool = customer_pool(population.seed, population.customers)
    personas, plans = plan_scenarios(build_population(population), population, scenarios)
    events: list[Event] = []
    for persona in personas:
        events.extend(benign_events(persona, population, pool))
    injected, instances = inject_scenarios(plans, population, pool)
    events.extend(injected)
    end = population.first_day + timedelta(days=population.days)
    return Dataset(
        entries=number_entries(event for event in events if event[0].date() < end),
        scenarios=tuple(instances),
        personas=tuple(personas),
        first_day=population.first_day,
        days=population.days,
        warmup_days=scenarios.warmup_days,
    )


def number_entries(events: Iterable[Event]) -> tuple[AuditEntry, ...]:
    """Entries in time order (ties keep their order) with seqs from 1."""
    ordered = sorted(events, key=_when)
    return tuple(
        AuditEntry(seq, when, draft, GENESIS_HASH, GENESIS_HASH)
        for seq, (when, draft) in enumerate(ordered, start=1)
    )


def _when(event: Event) -> datetime:
    return event[0]


def benign_events(
    persona: Persona, population: PopulationConfig, pool: tuple[str, ...]
) -> list[Event]:
    """Everything ``persona`` does in the window on their own account, no scenario included."""
    rng = seeded("activity", population.seed, persona.label)
    events: list[Event] = []
    for day_index in range(population.days):
        factor = volume_factor(persona, day_index, population, rng)
        if factor is not None:
            events.extend(
                _working_day(
                    persona, day_index, factor=factor, population=population, pool=pool, rng=rng
                )
            )
    return events


def _working_day(
    persona: Persona,
    day_index: int,
    *,
    factor: float,
    population: PopulationConfig,
    pool: tuple[str, ...],
    rng: random.Random,
) -> list[Event]:
    day = day_of(population, day_index)
    median = persona.daily_volume * factor
    count = max(1, round(rng.gammavariate(_DAILY_SHAPE, median / _DAILY_SHAPE)))
    start = persona.start_hour + rng.gauss(0.0, 0.25)
    length = persona.shift_hours + (rng.uniform(1.5, 3.5) if rng.random() < _OVERTIME else 0.0)
    moments = sorted(at(day, rng.uniform(start, start + length)) for _ in range(count))
    place = place_on(persona, day_index, population.seed)
    role = role_on(persona, day_index)
    events = role_tasks(persona, moments, role=role, place=place, pool=pool, rng=rng)
    # An expired token, more likely on the day a new laptop is set up, fails before the day starts.
    failing = 0.5 if day_index == persona.laptop_day else 0.01
    if rng.random() < failing:
        first = moments[0] - timedelta(minutes=rng.uniform(1, 10))
        events.extend((first, failed_login(place.origin(rng))) for _ in range(rng.randint(1, 3)))
    return events
