"""The source gate on the fakes: keys, rotation, origins, rate limits, signed batches, audit."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.collect.gate import Caller, SourceGate
from strongroom.collect.ratelimit import RateLimiter
from strongroom.collect.signing import SignedBody, sign
from strongroom.collect.sources import (
    CreatedSource,
    SettingsChange,
    change_settings,
    create_source,
    revoke_key,
    rotate_key,
)
from strongroom.core.errors import (
    AuthenticationError,
    InvalidInputError,
    PermissionDeniedError,
    RateLimitedError,
)
from strongroom.core.models import Actor, Channel, PrincipalKind
from strongroom.core.trail import AuditAction, Origin
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
ORIGIN = Origin(ip="203.0.113.9", user_agent="test", request_id="req-1")
T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
UNSIGNED = SignedBody(None, None, b"{}")


class MovableClock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> datetime:
        return self.at


@dataclass
class World:
    factory: MemoryUnitOfWorkFactory
    audit: AuditLog
    clock: MovableClock
    gate: SourceGate
    keyring: Keyring

    def create(self, name: str, channel: Channel) -> CreatedSource:
        return create_source(
            uow_factory=self.factory,
            audit=self.audit,
            clock=self.clock,
            actor=OPERATOR,
            name=name,
            channel=channel,
            keys=self.keyring,
        )

    def settings(self, name: str, **change: object) -> None:
        change_settings(
            uow_factory=self.factory,
            audit=self.audit,
            actor=OPERATOR,
            name=name,
            change=SettingsChange(**change),  # type: ignore[arg-type]
        )

    def failures(self) -> list[str]:
        with self.factory() as uow:
            entries = list(uow.audit.scan())
        return [
            str(e.draft.detail["credential"])
            for e in entries
            if e.draft.action is AuditAction.AUTH_FAILED
        ]


@pytest.fixture
def world() -> World:
    clock = MovableClock()
    root = LocalRootKey(os.urandom(32))
    keyring = Keyring.open(root, Keyring.create_initial(root, now=clock.now()))
    factory = MemoryUnitOfWorkFactory()
    audit = AuditLog(clock)
    gate = SourceGate(uow_factory=factory, audit=audit, clock=clock, keys=keyring)
    return World(factory, audit, clock, gate, keyring)


def caller(key: str | None, *, body: str | None = None, browser: str | None = None) -> Caller:
    return Caller(key, body, browser, ORIGIN)


def test_a_live_key_in_the_header_or_body_admits_its_source(world: World) -> None:
    created = world.create("web", Channel.WEB)
    assert world.gate.admit(caller(created.write_key), UNSIGNED) == created.source
    assert world.gate.admit(caller(None, body=created.write_key), UNSIGNED) == created.source
    assert world.failures() == []


@pytest.mark.parametrize(
    ("header", "body", "audited"),
    [
        (None, None, "write_key"),
        ("srk_unknown", None, "write_key"),
        ("x" * 500, None, "write_key"),
        ("srk_a", "srk_b", "write_key_mismatch"),
    ],
)
def test_bad_keys_are_refused_and_audited(
    world: World, header: str | None, body: str | None, audited: str
) -> None:
    world.create("web", Channel.WEB)
    with pytest.raises(AuthenticationError):
        world.gate.admit(caller(header, body=body), UNSIGNED)
    assert world.failures() == [audited]


def test_a_rotated_key_works_until_the_overlap_ends_then_is_refused(world: World) -> None:
    old = world.create("web", Channel.WEB)
    rotated = rotate_key(
        uow_factory=world.factory,
        audit=world.audit,
        clock=world.clock,
        actor=OPERATOR,
        name="web",
        overlap=timedelta(hours=24),
    )
    world.clock.at = T0 + timedelta(hours=23)
    assert world.gate.admit(caller(old.write_key), UNSIGNED) == old.source
    assert world.gate.admit(caller(rotated.write_key), UNSIGNED) == old.source
    world.clock.at = T0 + timedelta(hours=24)
    with pytest.raises(AuthenticationError):
        world.gate.admit(caller(old.write_key), UNSIGNED)
    assert world.gate.admit(caller(rotated.write_key), UNSIGNED) == old.source


def test_a_revoked_key_is_refused_at_once(world: World) -> None:
    created = world.create("web", Channel.WEB)
    revoke_key(
        uow_factory=world.factory,
        audit=world.audit,
        clock=world.clock,
        actor=OPERATOR,
        name="web",
        key=created.write_key[:8],
    )
    with pytest.raises(AuthenticationError):
        world.gate.admit(caller(created.write_key), UNSIGNED)


def test_a_browser_origin_must_be_allowed_by_the_keys_own_source(world: World) -> None:
    shop = world.create("shop", Channel.WEB)
    world.create("blog", Channel.WEB)
    world.settings("blog", allowed_origins=("https://blog.example",))
    world.settings("shop", allowed_origins=("https://Shop.Example:443/",))
    assert world.gate.admit(caller(shop.write_key, browser="https://shop.example"), UNSIGNED)
    with pytest.raises(PermissionDeniedError):
        world.gate.admit(caller(shop.write_key, browser="https://blog.example"), UNSIGNED)
    assert world.failures() == ["write_key_origin"]
    assert world.gate.allows_preflight("https://blog.example")
    assert not world.gate.allows_preflight("https://evil.example")
    assert not world.gate.allows_preflight(None)


def test_origins_are_for_browsers_and_signatures_for_servers(world: World) -> None:
    world.create("api", Channel.SERVER)
    world.create("web", Channel.WEB)
    with pytest.raises(InvalidInputError):
        world.settings("api", allowed_origins=("https://a.example",))
    with pytest.raises(InvalidInputError):
        world.settings("web", require_signature=True)
    with pytest.raises(InvalidInputError):
        world.settings("web", allowed_origins=("javascript:alert(1)",))


def test_a_source_over_its_rate_limit_gets_a_retry_after() -> None:
    ticks = [0.0]
    limiter = RateLimiter(monotonic=lambda: ticks[0])
    assert [limiter.take("s", 2) for _ in range(3)] == [None, None, 1]
    ticks[0] = 0.5
    assert limiter.take("s", 2) is None
    assert limiter.take("other", 2) is None


def test_the_gate_refuses_with_429_past_the_sources_limit(world: World) -> None:
    created = world.create("web", Channel.WEB)
    world.settings("web", rate_limit=1)
    world.gate.admit(caller(created.write_key), UNSIGNED)
    with pytest.raises(RateLimitedError) as refused:
        world.gate.admit(caller(created.write_key), UNSIGNED)
    assert refused.value.retry_after >= 1


def _signed(secret: str, body: bytes, at: datetime) -> SignedBody:
    timestamp = str(int(at.timestamp()))
    return SignedBody(timestamp, sign(secret.encode(), timestamp, body), body)


def test_signed_batches_good_stale_replayed_and_tampered(world: World) -> None:
    created = world.create("api", Channel.SERVER)
    assert created.signing_secret is not None
    world.settings("api", require_signature=True)
    key, secret = created.write_key, created.signing_secret
    good = _signed(secret, b'{"batch": []}', T0)
    assert world.gate.admit(caller(key), good).id == created.source.id
    refusals = {
        "replayed": good,
        "stale": _signed(secret, b"{}", T0 - timedelta(seconds=301)),
        "tampered": SignedBody(good.timestamp, good.signature, b'{"batch": [1]}'),
        "unsigned": UNSIGNED,
        "wrong secret": _signed("srh_other", b"{}", T0),
    }
    for case, offered in refusals.items():
        with pytest.raises(AuthenticationError):
            world.gate.admit(caller(key), offered)
        assert case
    assert world.failures() == [
        "batch_signature_replayed",
        "batch_signature_stale",
        "batch_signature",
        "batch_signature",
        "batch_signature",
    ]


def test_the_signing_secret_is_stored_encrypted_never_in_plaintext(world: World) -> None:
    created = world.create("api", Channel.SERVER)
    assert created.signing_secret is not None
    with world.factory() as uow:
        (stored,) = uow.sources.keys(created.source.id)
    assert stored.signing_secret is not None
    assert created.signing_secret.encode() not in stored.signing_secret
    assert world.create("web", Channel.WEB).signing_secret is None
