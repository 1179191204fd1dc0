"""The machine principal repositories behave alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.machines import AppGrant, AppToken, MachineKey, MachineKind, ThirdPartyApp
from strongroom.core.models import CustomerId, StoredCustomer

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANN = CustomerId("00000000-0000-4000-8000-0000000000a1")
BOB = CustomerId("00000000-0000-4000-8000-0000000000b2")


def _key(n: int, kind: MachineKind = MachineKind.SERVICE) -> MachineKey:
    return MachineKey(
        id=f"key-{n}",
        kind=kind,
        name=f"machine-{n}",
        key_hash=bytes([n]) * 32,
        prefix="srv_abcd",
        created_at=T0 + timedelta(minutes=n),
        created_by="local:ops",
        valid_from=T0,
        expires_at=T0 + timedelta(days=30),
        role="support" if kind is MachineKind.SERVICE else None,
        scopes=("customers.read",) if kind is MachineKind.SERVICE else (),
        networks=("203.0.113.0/24", "2001:db8::/32"),
        fields=("age", "first_name") if kind is MachineKind.VENDOR else (),
        purpose="support" if kind is MachineKind.VENDOR else None,
        cert_fingerprint="ab" * 32,
    )


def _app(client_id: str = "app-1", name: str = "quiz") -> ThirdPartyApp:
    return ThirdPartyApp(client_id, name, b"s" * 32, ("analytics",), T0, "local:ops")


def test_keys_round_trip_list_by_kind_and_revoke_once(uow_factory):
    service, vendor = _key(1), _key(2, MachineKind.VENDOR)
    with uow_factory() as uow:
        uow.machine_keys.add(service)
        uow.machine_keys.add(vendor)
        uow.commit()
    with uow_factory() as uow:
        assert uow.machine_keys.get("key-1") == service
        assert uow.machine_keys.by_hash(vendor.key_hash) == vendor
        assert uow.machine_keys.by_hash(b"x" * 32) is None
        assert uow.machine_keys.list(MachineKind.VENDOR) == [vendor]
        uow.machine_keys.revoke("key-1", T0 + timedelta(hours=1))
        uow.machine_keys.revoke("key-1", T0 + timedelta(hours=2))
        uow.commit()
    with uow_factory() as uow:
        assert uow.machine_keys.get("key-1").revoked_at == T0 + timedelta(hours=1)
        with pytest.raises(NotFoundError):
            uow.machine_keys.revoke("nope", T0)


def test_a_key_hash_is_unique(uow_factory):
    with uow_factory() as uow:
        uow.machine_keys.add(_key(1))
        uow.commit()
    _conflicts(uow_factory, lambda uow: uow.machine_keys.add(replace(_key(1), id="key-9")))


def _conflicts(uow_factory, change) -> None:  # type: ignore[no-untyped-def]
    """The change is refused as a conflict, on add (the fakes) or at commit (the databases)."""
    with uow_factory() as uow:
        try:
            change(uow)
            uow.commit()
        except ConflictError:
            return
    pytest.fail("the change was stored")


def test_apps_and_their_tokens(uow_factory):
    app = _app()
    token = AppToken(b"t" * 32, "app-1", ("analytics",), T0, T0 + timedelta(minutes=15))
    old = AppToken(b"o" * 32, "app-1", ("analytics",), T0, T0 + timedelta(minutes=1))
    with uow_factory() as uow:
        uow.apps.add(app)
        uow.apps.add_token(token)
        uow.apps.add_token(old)
        uow.commit()
    with uow_factory() as uow:
        assert uow.apps.get("app-1") == app
        assert uow.apps.list() == [app]
        assert uow.apps.token(b"t" * 32) == token
        assert uow.apps.forget_tokens(T0 + timedelta(minutes=5)) == 1
        assert uow.apps.token(b"o" * 32) is None
        uow.apps.revoke("app-1", T0 + timedelta(hours=1))
        uow.commit()
    with uow_factory() as uow:
        assert uow.apps.get("app-1").revoked_at == T0 + timedelta(hours=1)
    _conflicts(uow_factory, lambda uow: uow.apps.add(_app("app-2", "quiz")))  # name taken


def test_the_newest_grant_per_customer_app_and_purpose_is_in_force(uow_factory):
    with uow_factory() as uow:
        uow.customers.add([StoredCustomer(cid, T0, T0, {}, {}) for cid in (ANN, BOB)])
        uow.apps.add(_app())
        uow.commit()
    decisions = [
        AppGrant(ANN, "app-1", "analytics", True, T0, "staff:dpo"),
        AppGrant(ANN, "app-1", "analytics", False, T0 + timedelta(hours=2), "staff:dpo"),
        AppGrant(ANN, "app-1", "analytics", True, T0 + timedelta(hours=1), "staff:dpo"),
        AppGrant(ANN, "app-1", "marketing", True, T0, "staff:dpo"),
    ]
    with uow_factory() as uow:
        for grant in decisions:
            uow.apps.add_grant(grant)
        uow.commit()
    with uow_factory() as uow:
        assert uow.apps.grant_in_force(ANN, "app-1", "analytics") is False
        assert uow.apps.grant_in_force(ANN, "app-1", "marketing") is True
        assert uow.apps.grant_in_force(BOB, "app-1", "marketing") is False  # not Ann's grant
        history = uow.apps.grants(ANN)
    assert [g.recorded_at for g in history] == sorted(g.recorded_at for g in decisions)
    assert len(history) == 4
