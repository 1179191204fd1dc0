"""The evaluation's data: a simulated population, labelled scenarios, alerts and their scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from strongroom.core.trail import AuditEntry


class ScenarioKind(StrEnum):
    """The insider behaviours the evaluation injects, after the CERT insider threat data set."""

    AFTER_HOURS_MASS_LOOKUP = "after_hours_mass_lookup"
    SLOW_EXFILTRATION = "slow_exfiltration"
    VENDOR_KEY_NEW_PLACE = "vendor_key_new_place"
    DORMANT_ACCOUNT_WAKES = "dormant_account_wakes"
    NEW_DATA_CLASS = "new_data_class"


@dataclass(frozen=True, slots=True)
class PopulationConfig:
    """Who works here and for how long: the benign half of the simulation."""

    support: int = 180
    dpo: int = 4
    payments: int = 6
    admin: int = 3
    auditor: int = 2
    vendors: int = 5
    days: int = 60
    first_day: date = date(2026, 1, 5)  # a Monday
    holidays: tuple[int, ...] = (0, 42)  # day offsets on which the office is closed
    customers: int = 40_000
    hires: int = 12  # support staff who join during the window: the team grows
    leavers: int = 4  # staff who leave for good during the window
    long_leaves: int = 2  # staff away 30+ days who come back: a benign dormant account
    role_changes: int = 1  # support staff promoted to dpo: a benign first use of unmasked PII
    browser_update_day: int | None = 30  # a browser release: user agents change within a week
    seed: int = 7

    def __post_init__(self) -> None:
        if self.days < 1 or self.support < 1 or self.customers < 1:
            raise ValueError("a population needs at least one day, support agent and customer")


@dataclass(frozen=True, slots=True)
class ScenarioConfig:
    """How many insider scenarios of each kind to inject, and after how much history."""

    per_kind: int = 3
    warmup_days: int = 14  # history the detectors learn from; no scenario starts before it
    kinds: tuple[ScenarioKind, ...] = tuple(ScenarioKind)

    def __post_init__(self) -> None:
        if self.per_kind < 0 or self.warmup_days < 0:
            raise ValueError("per_kind and warmup_days must not be negative")


@dataclass(frozen=True, slots=True)
class Persona:
    """One principal's habits and life events over the simulated window (days are offsets)."""

    label: str  # the audit actor label, e.g. ``staff:alice.smith`` or ``vendor:acme``
    role: str
    daily_volume: float  # median tasks on a working day
    start_hour: float  # UTC hour the working day starts
    shift_hours: float
    office_ips: tuple[str, ...]
    home_ip: str
    remote_share: float  # share of working days from home
    user_agent: str
    active_from: int = 0  # first day with an account
    active_until: int | None = None  # first day without one (left), None: stays
    absences: tuple[tuple[int, int], ...] = ()  # [start, end) day ranges away: leave, vacation
    weekend_rota: int | None = None  # works the weekends whose index % 4 equals this
    laptop_day: int | None = None  # from this day on, ``new_user_agent`` and ``new_home_ip``
    new_user_agent: str | None = None
    new_home_ip: str | None = None
    browser_update_day: int | None = None  # from this day on, the browser's next version
    role_change: tuple[int, str] | None = None  # (day, role): a promotion


@dataclass(frozen=True, slots=True)
class ScenarioInstance:
    """One injected insider: who, and on which UTC days they acted (the ground truth)."""

    kind: ScenarioKind
    principal: str
    days: frozenset[date]
    summary: str


@dataclass(frozen=True, slots=True)
class Dataset:
    """Audit entries in time order with seqs 1..n, and the scenarios hidden in them."""

    entries: tuple[AuditEntry, ...]
    scenarios: tuple[ScenarioInstance, ...]
    personas: tuple[Persona, ...]
    first_day: date
    days: int
    warmup_days: int

    @property
    def scored_days(self) -> tuple[date, date]:
        """The [first, last] UTC days the metrics score: the window after the warm-up."""
        first = self.first_day + timedelta(days=self.warmup_days)
        return first, self.first_day + timedelta(days=self.days - 1)


@dataclass(frozen=True, slots=True)
class Alert:
    """A principal-day a detector flagged, with what ranks it against the others."""

    principal: str
    day: date
    severity: int  # higher is more severe; compared before ``score``
    score: float = 0.0
    detectors: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ScenarioScore:
    """How well one scenario kind was caught within the alert budget."""

    kind: ScenarioKind
    instances: int
    detected_instances: int
    labelled_days: int
    caught_days: int
    precision: float  # caught days of this kind / all alerts kept (the kinds sum to precision)

    @property
    def day_recall(self) -> float:
        return self.caught_days / self.labelled_days if self.labelled_days else 0.0

    @property
    def instance_recall(self) -> float:
        return self.detected_instances / self.instances if self.instances else 0.0


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The scores of one detector run at one alert budget."""

    principal_days: int  # active principal-days in the scored window: the budget's base
    budget: int  # alerts an analyst can review: ``floor(rate * principal_days)``
    alerted: int  # distinct principal-days alerted in the scored window, before the budget
    kept: int  # of those, how many fit in the budget
    true_positives: int  # kept principal-days that are labelled
    scenarios: tuple[ScenarioScore, ...]

    @property
    def precision(self) -> float:
        return self.true_positives / self.kept if self.kept else 0.0
