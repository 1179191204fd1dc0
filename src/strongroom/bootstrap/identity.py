"""Wiring identity resolution: the guard rails from settings, the operator's merge service."""

from __future__ import annotations

from strongroom.collect.guardrails import IdentityPolicy, parse_blocked_values, parse_limits
from strongroom.collect.merges import IdentityService
from strongroom.core.clock import Clock
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.settings import Settings


def identity_policy(settings: Settings) -> IdentityPolicy:
    """Blocked values and per-type limits; a malformed setting stops start-up."""
    return IdentityPolicy(
        blocked=parse_blocked_values(settings.identity_blocked_values),
        limits=parse_limits(settings.identity_limits),
    )


def build_identity(
    uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock
) -> IdentityService:
    return IdentityService(uow_factory=uow_factory, audit=audit, clock=clock)
