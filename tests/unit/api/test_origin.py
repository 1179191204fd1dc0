"""Where a request came from reaches the actor and every audit entry made for it."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest
from starlette.requests import Request

from strongroom.access.approvals import FourEyes
from strongroom.access.profiles import ProfileReader
from strongroom.access.rolegrants import approved_role_grant
from strongroom.access.tokens import authenticate_token, issue_token
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.api.deps import MAX_USER_AGENT_CHARS, request_origin
from strongroom.audit.service import AuditLog
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import authenticate_source, create_source
from strongroom.core.errors import AuthenticationError
from strongroom.core.models import Actor, Channel, PrincipalKind
from strongroom.core.trail import AuditAction, Origin
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 29, tzinfo=UTC)


def _request(headers: list[tuple[bytes, bytes]], client: tuple[str, int] | None) -> Request:
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/api/v1/customers",
        "query_string": b"",
        "headers": headers,
        "client": client,
        "state": {"request_id": "req-42"},
    }
    return Request(scope)


def test_the_origin_is_the_peer_address_the_user_agent_and_the_request_id() -> None:
    request = _request(
        [(b"user-agent", b"curl/8.5"), (b"x-forwarded-for", b"10.9.9.9")], ("192.0.2.5", 5555)
    )
    assert request_origin(request) == Origin("192.0.2.5", "curl/8.5", "req-42")


def test_a_long_user_agent_is_cut_to_256_characters() -> None:
    request = _request([(b"user-agent", b"A" * 1000)], ("192.0.2.5", 5555))
    agent = request_origin(request).user_agent
    assert agent == "A" * MAX_USER_AGENT_CHARS
    assert MAX_USER_AGENT_CHARS == 256


def test_a_request_without_a_peer_or_user_agent_has_those_unknown() -> None:
    assert request_origin(_request([], None)) == Origin(None, None, "req-42")


ORIGIN = Origin("198.51.100.7", "python-httpx/0.28", "req-7")


def test_an_authenticated_staff_member_acts_from_the_requests_origin() -> None:
    factory, audit = MemoryUnitOfWorkFactory(), AuditLog(Clock())
    ops, second = (Actor(PrincipalKind.LOCAL, name, role="admin") for name in ("ops", "pat"))
    eyes = FourEyes(uow_factory=factory, audit=audit, clock=Clock())
    grant = approved_role_grant(eyes, asker=ops, approver=second, name="sam", role="support")
    issued = issue_token(
        uow_factory=factory,
        audit=audit,
        clock=Clock(),
        actor=ops,
        principal_name="sam",
        role="support",
        approval_id=grant.id,
    )
    actor = authenticate_token(uow_factory=factory, audit=audit, token=issued.token, origin=ORIGIN)
    assert actor.origin == ORIGIN


def _refuse_staff_token(factory: MemoryUnitOfWorkFactory, audit: AuditLog) -> None:
    authenticate_token(uow_factory=factory, audit=audit, token="srt_bad", origin=ORIGIN)


def _refuse_write_key(factory: MemoryUnitOfWorkFactory, audit: AuditLog) -> None:
    authenticate_source(uow_factory=factory, audit=audit, write_key="srk_bad", origin=ORIGIN)


@pytest.mark.parametrize(
    ("credential", "refuse"),
    [("staff_token", _refuse_staff_token), ("write_key", _refuse_write_key)],
)
def test_a_refused_credential_is_audited_with_the_requests_origin(credential, refuse) -> None:
    factory, audit = MemoryUnitOfWorkFactory(), AuditLog(Clock())
    with pytest.raises(AuthenticationError):
        refuse(factory, audit)
    with factory() as uow:
        (entry,) = uow.audit.scan()
    assert entry.draft.action is AuditAction.AUTH_FAILED
    assert entry.draft.detail == {"credential": credential}
    assert entry.draft.origin == ORIGIN


def test_an_ingest_and_a_profile_read_are_audited_with_their_origins() -> None:
    factory, audit = MemoryUnitOfWorkFactory(), AuditLog(Clock())
    root = LocalRootKey(os.urandom(32))
    vault = SubjectVault(Keyring.open(root, Keyring.create_initial(root, now=Clock().now())))
    source = create_source(
        uow_factory=factory,
        audit=audit,
        clock=Clock(),
        actor=Actor(PrincipalKind.LOCAL, "ops", role="admin"),
        name="web",
        channel=Channel.WEB,
    ).source
    message = {"type": "identify", "userId": "u1", "traits": {"email": "a@example.org"}}
    request = parse_request(json.dumps(message).encode(), endpoint="identify")
    ingestor = Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=Clock())
    ingestor.ingest(source=source, request=request, origin=ORIGIN)
    reader = ProfileReader(uow_factory=factory, vault=vault, audit=audit)
    elsewhere = Origin("192.0.2.77", "Mozilla/5.0", "req-8")
    dpo = Actor(PrincipalKind.STAFF, "dana", role="dpo", origin=elsewhere)
    reader.find_customers(actor=dpo, field="email", value="a@example.org")
    with factory() as uow:
        by_action = {entry.draft.action: entry.draft for entry in uow.audit.scan()}
    assert by_action[AuditAction.INGEST_BATCH].origin == ORIGIN
    assert by_action[AuditAction.CUSTOMER_SEARCH].origin == elsewhere
    assert by_action[AuditAction.SOURCE_CREATED].origin is None  # from the console
