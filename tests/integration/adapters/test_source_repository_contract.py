"""Source settings, key rotation and the signature replay guard alike on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.models import WriteKey

T0 = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


def _stored(uow_factory, samples, **changes):
    source, key = samples.source(**changes)
    with uow_factory() as uow:
        uow.sources.add(source, key)
        uow.commit()
    return source, key


def test_settings_round_trip_and_change(uow_factory, samples):
    source, _ = _stored(uow_factory, samples, allowed_origins=("https://a.example",), rate_limit=5)
    with uow_factory() as uow:
        assert uow.sources.by_name(source.name) == source
        changed = replace(
            source,
            allowed_origins=("https://b.example", "http://localhost:3000"),
            rate_limit=None,
            require_signature=True,
        )
        uow.sources.update_settings(changed)
        uow.commit()
    with uow_factory() as uow:
        assert uow.sources.by_name(source.name) == changed
        assert uow.sources.list() == [changed]


def test_changing_settings_of_an_unknown_source_is_not_found(uow_factory, samples):
    source, _ = samples.source()
    with uow_factory() as uow, pytest.raises(NotFoundError):
        uow.sources.update_settings(source)


def test_a_live_key_finds_its_source_and_key_until_it_expires(uow_factory, samples):
    source, key = _stored(uow_factory, samples)
    with uow_factory() as uow:
        assert uow.sources.active_key(key.key_hash, T0) == (source, key)
        uow.sources.expire_keys(source.id, T0 + timedelta(hours=1))
        uow.commit()
    with uow_factory() as uow:
        found = uow.sources.active_key(key.key_hash, T0 + timedelta(minutes=59))
        assert found is not None
        assert found[1].expires_at == T0 + timedelta(hours=1)
        assert uow.sources.active_key(key.key_hash, T0 + timedelta(hours=1)) is None
        assert uow.sources.active_key(b"unknown", T0) is None


def test_expiring_keys_never_extends_an_earlier_expiry_or_touches_revoked_keys(
    uow_factory, samples
):
    source, key = _stored(uow_factory, samples)
    revoked = WriteKey("wk-revoked", source.id, b"revoked-hash", "wk_r", T0, revoked_at=T0)
    with uow_factory() as uow:
        uow.sources.add_key(revoked)
        uow.sources.expire_keys(source.id, T0 + timedelta(hours=1))
        uow.sources.expire_keys(source.id, T0 + timedelta(days=1))
        uow.commit()
    with uow_factory() as uow:
        keys = {k.id: k for k in uow.sources.keys(source.id)}
    assert keys[key.id].expires_at == T0 + timedelta(hours=1)
    assert keys[revoked.id].expires_at is None
    assert keys[revoked.id].revoked_at == T0


def test_keys_list_oldest_first_with_signing_secrets(uow_factory, samples):
    source, first = _stored(uow_factory, samples)
    second = WriteKey(
        "wk-second",
        source.id,
        b"second-hash",
        "wk_2",
        T0 + timedelta(seconds=1),
        signing_secret=b"\x01sealed",
    )
    with uow_factory() as uow:
        uow.sources.add_key(second)
        uow.commit()
    with uow_factory() as uow:
        assert uow.sources.keys(source.id) == [first, second]
        assert uow.sources.keys("no-such-source") == []


def test_a_revoked_key_keeps_its_first_revocation_and_unknown_keys_are_not_found(
    uow_factory, samples
):
    source, key = _stored(uow_factory, samples)
    with uow_factory() as uow:
        uow.sources.revoke_key(key.id, T0)
        uow.sources.revoke_key(key.id, T0 + timedelta(days=1))
        uow.commit()
    with uow_factory() as uow:
        assert uow.sources.keys(source.id)[0].revoked_at == T0
        assert uow.sources.active_key(key.key_hash, T0 - timedelta(days=1)) is None
        with pytest.raises(NotFoundError):
            uow.sources.revoke_key("no-such-key", T0)


def test_a_key_hash_cannot_be_added_twice(uow_factory, samples):
    _, key = _stored(uow_factory, samples)
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.sources.add_key(replace(key, id="another-id"))


def test_a_signature_is_held_once_until_forgotten(uow_factory, samples):
    source, _ = _stored(uow_factory, samples)
    with uow_factory() as uow:
        uow.sources.remember_signature(source.id, b"digest-1", T0 + timedelta(minutes=5))
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.sources.remember_signature(source.id, b"digest-1", T0 + timedelta(minutes=5))
    with uow_factory() as uow:
        uow.sources.forget_signatures(T0 + timedelta(minutes=4))  # not yet expired: kept
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.sources.remember_signature(source.id, b"digest-1", T0 + timedelta(minutes=5))
    with uow_factory() as uow:
        uow.sources.forget_signatures(T0 + timedelta(minutes=6))
        uow.sources.remember_signature(source.id, b"digest-1", T0 + timedelta(minutes=11))
        uow.commit()
