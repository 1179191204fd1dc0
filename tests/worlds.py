"""Pieces that many tests build their world from: a fresh keyring, the ``web`` source, a batch
sent through ingest, and staff whose role grant two operators approved (four eyes)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from strongroom.access.approvals import FourEyes
from strongroom.access.rolegrants import approved_role_grant
from strongroom.access.tokens import issue_token
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor, IngestResult
from strongroom.collect.sources import create_source
from strongroom.core.clock import Clock
from strongroom.core.models import Actor, Channel, PrincipalKind, Source
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
APPROVER = Actor(PrincipalKind.LOCAL, "second-operator", role="admin")


@dataclass(frozen=True)
class FixedClock:
    """A clock stopped at ``moment``."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment


def fresh_keyring(now: datetime) -> Keyring:
    """A keyring created at ``now`` under a random local root key."""
    root = LocalRootKey(os.urandom(32))
    return Keyring.open(root, Keyring.create_initial(root, now=now))


def web_source(
    uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock, actor: Actor = OPERATOR
) -> Source:
    """The ``web`` tracking source, created by ``actor``."""
    return create_source(
        uow_factory=uow_factory,
        audit=audit,
        clock=clock,
        actor=actor,
        name="web",
        channel=Channel.WEB,
    ).source


def send_batch(ingestor: Ingestor, source: Source, *messages: dict[str, Any]) -> IngestResult:
    """Ingest ``messages`` as one Segment batch from ``source``."""
    request = parse_request(json.dumps({"batch": list(messages)}).encode(), endpoint="batch")
    return ingestor.ingest(source=source, request=request)


def role_grant(
    uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock, name: str, role: str
) -> str | None:
    """The approval giving a new person ``role`` needs (four eyes: ``OPERATOR`` asks,
    ``APPROVER`` approves); None for someone who holds the role already."""
    with uow_factory() as uow:
        if uow.principals.by_name(name) is not None:
            return None
    eyes = FourEyes(uow_factory=uow_factory, audit=audit, clock=clock)
    return approved_role_grant(eyes, asker=OPERATOR, approver=APPROVER, name=name, role=role).id


def issued_staff(
    uow_factory: UnitOfWorkFactory, audit: AuditTrail, clock: Clock, role: str
) -> Actor:
    """``someone-<role>``, holding ``role`` through a token ``OPERATOR`` issued (untrained)."""
    name = f"someone-{role}"
    issued = issue_token(
        uow_factory=uow_factory,
        audit=audit,
        clock=clock,
        actor=OPERATOR,
        principal_name=name,
        role=role,
        approval_id=role_grant(uow_factory, audit, clock, name, role),
    )
    return Actor(PrincipalKind.STAFF, issued.principal_name, role)
