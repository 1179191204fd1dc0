"""What a simulated principal does: the audit drafts of a working day, shaped like the real ones.

The drafts mirror those the access services write (``access.profiles``, ``access.cards``,
``access.tokens``): the same actions, resource types, data classes, purposes and ``masked``
detail, with an ``Origin`` for the request.
"""

from __future__ import annotations

import random
import string
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from strongroom.core.trail import AuditAction, AuditDraft, Origin, Outcome
from strongroom.monitor.evaluation.models import Persona
from strongroom.monitor.evaluation.population import next_browser_version
from strongroom.monitor.evaluation.seeds import seeded

Event = tuple[datetime, AuditDraft]

MASKED_CLASSES = ("demographic", "pii", "transactional")  # a support view: PII shown masked
FULL_CLASSES = ("demographic", "pii", "transactional", "unclassified")
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"
_ADMIN_ACTIONS = (
    (AuditAction.TOKEN_CREATED, "api_token"),
    (AuditAction.TOKEN_REVOKED, "api_token"),
    (AuditAction.SOURCE_CREATED, "source"),
    (AuditAction.BACKUP_CREATED, "backup"),
)
# What an auditor's reading of the audit log records, by stored name, so that the simulation
# follows the audit package's declarations: an auditor whose acts are not declared leaves no trace.
_AUDITOR_ACTS = ("audit.verified", "audit.proof_issued", "audit.exported")
_AUDITOR_ACTIONS = tuple(action for action in AuditAction if action.stored_name in _AUDITOR_ACTS)


def customer_pool(seed: int, size: int) -> tuple[str, ...]:
    """Customer ids shaped like the real ones (UUID4 strings), the same for a seed."""
    rng = seeded("customers", seed)
    return tuple(str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(size))


def card_token(rng: random.Random) -> str:
    return "tok_" + "".join(rng.choice(_TOKEN_ALPHABET) for _ in range(32))


def at(day: date, hours: float) -> datetime:
    """``hours`` after midnight UTC of ``day`` (past 24 rolls into the next day)."""
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(hours=hours)


def user_agent_on(persona: Persona, day_index: int) -> str:
    agent = persona.user_agent
    if persona.laptop_day is not None and day_index >= persona.laptop_day:
        agent = persona.new_user_agent or agent
    if persona.browser_update_day is not None and day_index >= persona.browser_update_day:
        agent = next_browser_version(agent)
    return agent


def role_on(persona: Persona, day_index: int) -> str:
    if persona.role_change is not None and day_index >= persona.role_change[0]:
        return persona.role_change[1]
    return persona.role


@dataclass(frozen=True, slots=True)
class Place:
    """Where a principal works from on one day: an address and a user agent."""

    ip: str
    user_agent: str

    def origin(self, rng: random.Random) -> Origin:
        return Origin(self.ip, self.user_agent, f"req_{rng.getrandbits(64):016x}")


def place_on(persona: Persona, day_index: int, seed: int) -> Place:
    """The address and user agent of ``persona`` on a day: home, or one of the office's.

    Drawn from its own seed, so injected scenario activity comes from the same place as the
    principal's ordinary work that day.
    """
    rng = seeded("place", seed, persona.label, day_index)
    if rng.random() < persona.remote_share:
        return home_place(persona, day_index)
    return Place(rng.choice(persona.office_ips), user_agent_on(persona, day_index))


def home_place(persona: Persona, day_index: int) -> Place:
    """``persona`` working from home on a day (a new laptop may come with a new connection)."""
    moved = persona.laptop_day is not None and day_index >= persona.laptop_day
    address = (persona.new_home_ip if moved else None) or persona.home_ip
    return Place(address, user_agent_on(persona, day_index))


def profile_read(
    actor: str,
    action: AuditAction,
    customers: tuple[str, ...],
    origin: Origin,
    *,
    purpose: str = "support",
    masked: bool = True,
) -> AuditDraft:
    """A ``customer.read`` or ``customer.search`` as ``access.profiles`` records it."""
    return AuditDraft(
        actor=actor,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=customers,
        data_classes=MASKED_CLASSES if masked else FULL_CLASSES,
        purpose=purpose,
        detail={"masked": "yes" if masked else "no"},
        origin=origin,
    )


def detokenization(
    actor: str, token: str, origin: Origin, *, outcome: Outcome = Outcome.SUCCESS
) -> AuditDraft:
    """A ``card.detokenized`` as ``access.cards`` records it."""
    return AuditDraft(
        actor=actor,
        action=AuditAction.CARD_DETOKENIZED,
        outcome=outcome,
        resource_type="card",
        resource_ids=(token,),
        data_classes=("payment",),
        purpose="payment",
        origin=origin,
    )


def access_denied(actor: str, resource_type: str, permission: str, origin: Origin) -> AuditDraft:
    return AuditDraft(
        actor=actor,
        action=AuditAction.ACCESS_DENIED,
        outcome=Outcome.DENIED,
        resource_type=resource_type,
        detail={"permission": permission},
        origin=origin,
    )


def failed_login(origin: Origin) -> AuditDraft:
    """An ``auth.failed``: the actor is unknown, only the origin says who it might be."""
    return AuditDraft(
        actor="anonymous:unknown",
        action=AuditAction.AUTH_FAILED,
        outcome=Outcome.DENIED,
        resource_type="credential",
        detail={"credential": "api_token"},
        origin=origin,
    )


def support_task(
    actor: str, when: datetime, customer: str, place: Place, rng: random.Random
) -> list[Event]:
    """Helping one customer: usually a search by email, then a read of the profile found."""
    events: list[Event] = []
    if rng.random() < 0.65:
        search = profile_read(actor, AuditAction.CUSTOMER_SEARCH, (customer,), place.origin(rng))
        events.append((when, search))
        when += timedelta(seconds=rng.uniform(5, 90))
    read = profile_read(actor, AuditAction.CUSTOMER_READ, (customer,), place.origin(rng))
    events.append((when, read))
    return events


def role_tasks(
    persona: Persona,
    moments: list[datetime],
    *,
    role: str,
    place: Place,
    pool: tuple[str, ...],
    rng: random.Random,
) -> list[Event]:
    """A working day's tasks, one per moment, as the principal's role does them."""
    label = persona.label
    events: list[Event] = []
    recent: list[str] = []  # today's customers: sometimes one writes back
    for when in moments:
        if role in {"support", "vendor"}:
            fresh = not recent or rng.random() >= 0.08
            customer = pool[rng.randrange(len(pool))] if fresh else rng.choice(recent)
            recent.append(customer)
            events.extend(support_task(label, when, customer, place, rng))
        elif role == "dpo":
            events.append((when, _dpo_read(label, pool, place, rng)))
        elif role == "payments":
            outcome = Outcome.FAILED if rng.random() < 0.01 else Outcome.SUCCESS
            token = card_token(rng)
            events.append((when, detokenization(label, token, place.origin(rng), outcome=outcome)))
        elif role == "admin":
            events.append((when, _admin_act(label, place, rng)))
        elif role == "auditor" and _AUDITOR_ACTIONS:
            action = rng.choice(_AUDITOR_ACTIONS)
            draft = AuditDraft(
                label, action, Outcome.SUCCESS, "audit", purpose="audit", origin=place.origin(rng)
            )
            events.append((when, draft))
    return events


def _dpo_read(label: str, pool: tuple[str, ...], place: Place, rng: random.Random) -> AuditDraft:
    purpose = "dsar" if rng.random() < 0.8 else "security"
    customer = pool[rng.randrange(len(pool))]
    return profile_read(
        label,
        AuditAction.CUSTOMER_READ,
        (customer,),
        place.origin(rng),
        purpose=purpose,
        masked=False,
    )


def _admin_act(label: str, place: Place, rng: random.Random) -> AuditDraft:
    action, resource_type = rng.choice(_ADMIN_ACTIONS)
    return AuditDraft(
        actor=label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type=resource_type,
        resource_ids=(f"{resource_type}_{rng.getrandbits(48):012x}",),
        purpose="administration",
        origin=place.origin(rng),
    )
