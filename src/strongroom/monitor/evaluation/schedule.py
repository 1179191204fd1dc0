"""When a simulated principal works: weekdays, weekend rotas, holidays, absences, sick days."""

from __future__ import annotations

import random
from datetime import date, timedelta

from strongroom.monitor.evaluation.models import Persona, PopulationConfig

_SICK_DAY = 0.03
_ON_CALL_HOLIDAY = 0.05
_OFF_DAY_VOLUME = 0.5  # weekend rota and holiday on-call days are quieter


def volume_factor(
    persona: Persona, day_index: int, population: PopulationConfig, rng: random.Random
) -> float | None:
    """How much of a usual day ``persona`` works on a day, or None when they do not work."""
    if not is_present(persona, day_index):
        return None
    weekday = (population.first_day + timedelta(days=day_index)).weekday()
    if persona.role == "vendor":
        return 1.0 if weekday < 6 else None
    if day_index in population.holidays:
        return _OFF_DAY_VOLUME if rng.random() < _ON_CALL_HOLIDAY else None
    if weekday >= 5:
        on_rota = persona.weekend_rota == (day_index // 7) % 4
        return _OFF_DAY_VOLUME if on_rota else None
    return None if rng.random() < _SICK_DAY else 1.0


def is_present(persona: Persona, day_index: int) -> bool:
    """Whether ``persona`` has an account and is not away on a day."""
    if day_index < persona.active_from:
        return False
    if persona.active_until is not None and day_index >= persona.active_until:
        return False
    return not any(start <= day_index < end for start, end in persona.absences)


def is_workday(persona: Persona, day_index: int, population: PopulationConfig) -> bool:
    """A weekday that is no holiday and on which ``persona`` is present."""
    weekday = (population.first_day + timedelta(days=day_index)).weekday()
    return weekday < 5 and day_index not in population.holidays and is_present(persona, day_index)


def day_of(population: PopulationConfig, day_index: int) -> date:
    return population.first_day + timedelta(days=day_index)
