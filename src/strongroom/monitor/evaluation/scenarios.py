"""Labelled insider scenarios, in the spirit of the CERT insider threat data set.

Each scenario is planned first (who, from which day; a dormant account also loses its benign
activity), then injected as extra audit drafts. Its ground truth is the set of UTC days on which
its drafts fall: those principal-days are the ones a detector should flag.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from strongroom.core.trail import AuditAction, AuditDraft
from strongroom.monitor.evaluation.activity import (
    Event,
    Place,
    access_denied,
    at,
    card_token,
    detokenization,
    home_place,
    place_on,
    profile_read,
    support_task,
)
from strongroom.monitor.evaluation.models import (
    Persona,
    PopulationConfig,
    ScenarioConfig,
    ScenarioInstance,
    ScenarioKind,
)
from strongroom.monitor.evaluation.schedule import day_of, is_workday
from strongroom.monitor.evaluation.seeds import seeded

_KIND = ScenarioKind
# Calendar days a scenario may need after its first day.
_SPAN = {
    _KIND.AFTER_HOURS_MASS_LOOKUP: 2,
    _KIND.SLOW_EXFILTRATION: 28,
    _KIND.VENDOR_KEY_NEW_PLACE: 3,
    _KIND.DORMANT_ACCOUNT_WAKES: 2,
    _KIND.NEW_DATA_CLASS: 7,
}
_DORMANT_HISTORY = 5  # days of ordinary work before an account falls quiet
_DORMANT_GAP = (31, 36)  # days between the last ordinary day and the first new read
_HOSTING_PREFIXES = (45, 91, 146, 185)  # VPS and VPN exit ranges, far from offices and homes
_FOREIGN_AGENTS = (
    "curl/8.5.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
)

Injector = Callable[
    ["PlannedScenario", PopulationConfig, tuple[str, ...], random.Random], tuple[list[Event], str]
]


@dataclass(frozen=True, slots=True)
class PlannedScenario:
    kind: ScenarioKind
    persona: Persona
    start: int  # the day offset on which the insider first acts


def plan_scenarios(
    personas: Sequence[Persona], population: PopulationConfig, config: ScenarioConfig
) -> tuple[list[Persona], list[PlannedScenario]]:
    """Choose a distinct principal and a first day for each scenario; return the personas too."""
    rng = seeded("scenarios", population.seed)
    people = list(personas)
    staff = [index for index, persona in enumerate(people) if _is_steady_support(persona)]
    vendors = [index for index, persona in enumerate(people) if persona.role == "vendor"]
    rng.shuffle(staff)
    rng.shuffle(vendors)
    plans: list[PlannedScenario] = []
    for kind in config.kinds:
        candidates = vendors if kind is _KIND.VENDOR_KEY_NEW_PLACE else staff
        for _ in range(config.per_kind):
            if not candidates:
                raise ValueError(
                    f"too few principals for {config.per_kind} {kind.value} scenarios: "
                    "add vendors or support staff, or lower per_kind"
                )
            index = candidates.pop()
            plan = _plan(kind, people[index], population, config, rng)
            people[index] = plan.persona
            plans.append(plan)
    return people, plans


def inject_scenarios(
    plans: Sequence[PlannedScenario], population: PopulationConfig, pool: tuple[str, ...]
) -> tuple[list[Event], list[ScenarioInstance]]:
    """The drafts of every planned scenario within the window, and each one's ground truth."""
    end = day_of(population, population.days)
    events: list[Event] = []
    instances: list[ScenarioInstance] = []
    for number, plan in enumerate(plans):
        rng = seeded("scenario", population.seed, number, plan.kind.value)
        injected, summary = _INJECTORS[plan.kind](plan, population, pool, rng)
        injected = [event for event in injected if event[0].date() < end]
        days = frozenset(when.date() for when, _ in injected)
        events.extend(injected)
        instances.append(ScenarioInstance(plan.kind, plan.persona.label, days, summary))
    return events, instances


def _is_steady_support(persona: Persona) -> bool:
    return (
        persona.role == "support"
        and persona.active_from == 0
        and persona.active_until is None
        and not persona.absences
        and persona.role_change is None
    )


def _plan(
    kind: ScenarioKind,
    persona: Persona,
    population: PopulationConfig,
    config: ScenarioConfig,
    rng: random.Random,
) -> PlannedScenario:
    first = config.warmup_days
    if kind is _KIND.DORMANT_ACCOUNT_WAKES:
        first = max(first, _DORMANT_HISTORY + _DORMANT_GAP[1])
    last = population.days - _SPAN[kind]
    if last < first:
        raise ValueError(
            f"{population.days} days are too few for {kind.value} after a "
            f"{config.warmup_days}-day warm-up: it needs at least {first + _SPAN[kind]}"
        )
    start = rng.randint(first, last)
    if kind is _KIND.DORMANT_ACCOUNT_WAKES:
        persona = replace(persona, active_until=start - rng.randint(*_DORMANT_GAP))
    return PlannedScenario(kind, persona, start)


def _foreign_place(rng: random.Random) -> Place:
    octets = (rng.choice(_HOSTING_PREFIXES), rng.randrange(256), rng.randrange(256))
    address = ".".join(str(octet) for octet in octets) + f".{rng.randrange(1, 255)}"
    return Place(address, rng.choice(_FOREIGN_AGENTS))


def _after_hours_mass_lookup(
    plan: PlannedScenario, population: PopulationConfig, pool: tuple[str, ...], rng: random.Random
) -> tuple[list[Event], str]:
    """One night, from home: 60-160 customers looked up in one to three hours."""
    day, place = day_of(population, plan.start), home_place(plan.persona, plan.start)
    begin, hours, count = rng.uniform(21.0, 23.5), rng.uniform(1.0, 3.0), rng.randint(60, 160)
    moments = sorted(at(day, rng.uniform(begin, begin + hours)) for _ in range(count))
    events: list[Event] = []
    for when, customer in zip(moments, rng.sample(pool, count), strict=True):
        events.extend(support_task(plan.persona.label, when, customer, place, rng))
    return events, f"{count} customers looked up from {begin:04.1f}h UTC for {hours:.1f} h"


def _slow_exfiltration(
    plan: PlannedScenario, population: PopulationConfig, pool: tuple[str, ...], rng: random.Random
) -> tuple[list[Event], str]:
    """Three to four weeks of 6-12 extra profiles a working day, opened directly, no search."""
    persona, span = plan.persona, rng.randint(21, _SPAN[_KIND.SLOW_EXFILTRATION])
    last = min(plan.start + span, population.days)
    days = [d for d in range(plan.start, last) if is_workday(persona, d, population)]
    events: list[Event] = []
    for day_index in days:
        place = place_on(persona, day_index, population.seed)
        for customer in rng.sample(pool, rng.randint(6, 12)):
            hour = rng.uniform(persona.start_hour, persona.start_hour + persona.shift_hours)
            read = profile_read(
                persona.label, AuditAction.CUSTOMER_READ, (customer,), place.origin(rng)
            )
            events.append((at(day_of(population, day_index), hour), read))
    return events, f"{len(events)} extra profiles over {len(days)} working days"


def _vendor_key_new_place(
    plan: PlannedScenario, population: PopulationConfig, pool: tuple[str, ...], rng: random.Random
) -> tuple[list[Event], str]:
    """A vendor's key used from a hosting address with another client, round the clock."""
    place, span = _foreign_place(rng), rng.randint(1, _SPAN[_KIND.VENDOR_KEY_NEW_PLACE])
    events: list[Event] = []
    for day_index in range(plan.start, plan.start + span):
        day = day_of(population, day_index)
        for customer in rng.sample(pool, rng.randint(20, 80)):
            read = profile_read(
                plan.persona.label, AuditAction.CUSTOMER_READ, (customer,), place.origin(rng)
            )
            events.append((at(day, rng.uniform(0.0, 24.0)), read))
    return events, f"{len(events)} profiles over {span} days from {place.ip} ({place.user_agent})"


def _dormant_account_wakes(
    plan: PlannedScenario, population: PopulationConfig, pool: tuple[str, ...], rng: random.Random
) -> tuple[list[Event], str]:
    """An account quiet for a month or more reads again, from home or from somewhere new."""
    persona, span = plan.persona, rng.randint(1, _SPAN[_KIND.DORMANT_ACCOUNT_WAKES])
    place = home_place(persona, plan.start) if rng.random() < 0.5 else _foreign_place(rng)
    events: list[Event] = []
    for day_index in range(plan.start, plan.start + span):
        day = day_of(population, day_index)
        moments = sorted(at(day, rng.uniform(9.0, 20.0)) for _ in range(rng.randint(15, 50)))
        for when, customer in zip(moments, rng.sample(pool, len(moments)), strict=True):
            events.extend(support_task(persona.label, when, customer, place, rng))
    quiet = plan.start - (persona.active_until or 0)
    return events, f"{len(events)} entries after {quiet} quiet days, from {place.ip}"


def _new_data_class(
    plan: PlannedScenario, population: PopulationConfig, pool: tuple[str, ...], rng: random.Random
) -> tuple[list[Event], str]:
    """A support agent reveals card numbers, or reads PII unmasked, on two to four days."""
    persona, cards = plan.persona, rng.random() < 0.5
    window = range(plan.start, plan.start + _SPAN[_KIND.NEW_DATA_CLASS])
    days = sorted(rng.sample(list(window), rng.randint(2, 4)))
    events: list[Event] = []
    for number, day_index in enumerate(days):
        place, day = place_on(persona, day_index, population.seed), day_of(population, day_index)
        hours = sorted(rng.uniform(persona.start_hour, persona.start_hour + 8) for _ in range(9))
        if number == 0:  # a first try under the agent's own role is refused
            permission = "cards.detokenize" if cards else "pii.read"
            resource = "card" if cards else "customer"
            denied = access_denied(persona.label, resource, permission, place.origin(rng))
            events.append((at(day, hours[0]), denied))
        for hour in hours[1 : rng.randint(3, 9)]:
            events.append((at(day, hour), _reach(persona.label, cards, pool, place, rng)))
    what = "card numbers revealed" if cards else "profiles read unmasked"
    return events, f"{what} on {len(days)} days"


def _reach(
    actor: str, cards: bool, pool: tuple[str, ...], place: Place, rng: random.Random
) -> AuditDraft:
    if cards:
        return detokenization(actor, card_token(rng), place.origin(rng))
    customer = (pool[rng.randrange(len(pool))],)
    return profile_read(
        actor,
        AuditAction.CUSTOMER_READ,
        customer,
        place.origin(rng),
        purpose="security",
        masked=False,
    )


_INJECTORS: dict[ScenarioKind, Injector] = {
    _KIND.AFTER_HOURS_MASS_LOOKUP: _after_hours_mass_lookup,
    _KIND.SLOW_EXFILTRATION: _slow_exfiltration,
    _KIND.VENDOR_KEY_NEW_PLACE: _vendor_key_new_place,
    _KIND.DORMANT_ACCOUNT_WAKES: _dormant_account_wakes,
    _KIND.NEW_DATA_CLASS: _new_data_class,
}
