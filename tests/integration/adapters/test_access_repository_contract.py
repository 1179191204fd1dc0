"""Sources, principals, API tokens and data keys behave alike on every storage backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.models import WrappedDataKey

T0 = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


def test_sources_round_trip_and_list_by_name(uow_factory, samples):
    web, web_key = samples.source(name="zeta web")
    pos, pos_key = samples.source(name="alpha till", disabled_at=T0 + timedelta(days=1))
    with uow_factory() as uow:
        uow.sources.add(web, web_key)
        uow.sources.add(pos, pos_key)
        uow.commit()

    with uow_factory() as uow:
        assert uow.sources.by_name("zeta web") == web
        assert uow.sources.by_name("nope") is None
        assert uow.sources.list() == [pos, web]


def test_a_write_key_finds_its_enabled_source(uow_factory, samples):
    source, key = samples.source()
    with uow_factory() as uow:
        uow.sources.add(source, key)
        uow.commit()

    with uow_factory() as uow:
        assert uow.sources.by_key_hash(key.key_hash) == source
        assert uow.sources.by_key_hash(b"unknown") is None


@pytest.mark.parametrize("dead", ["revoked key", "disabled source"])
def test_a_revoked_key_or_disabled_source_finds_nothing(uow_factory, samples, dead):
    source, key = samples.source()
    if dead == "revoked key":
        key = replace(key, revoked_at=T0)
    else:
        source = replace(source, disabled_at=T0)
    with uow_factory() as uow:
        uow.sources.add(source, key)
        uow.commit()

    with uow_factory() as uow:
        assert uow.sources.by_key_hash(key.key_hash) is None


def test_source_names_and_write_key_hashes_are_unique(uow_factory, samples):
    source, key = samples.source(name="shop")
    with uow_factory() as uow:
        uow.sources.add(source, key)
        uow.commit()

    same_name, fresh_key = samples.source(name="shop")
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.sources.add(same_name, fresh_key)
    other, other_key = samples.source()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.sources.add(other, replace(other_key, key_hash=key.key_hash))


def test_principals_round_trip_and_names_are_unique(uow_factory, samples):
    principal = samples.principal(name="alice")
    with uow_factory() as uow:
        uow.principals.add(principal)
        uow.commit()

    with uow_factory() as uow:
        assert uow.principals.by_name("alice") == principal
        assert uow.principals.by_name("bob") is None
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.principals.add(samples.principal(name="alice"))


def test_a_live_token_finds_itself_and_its_principal(uow_factory, samples):
    principal = samples.principal()
    token = samples.token(principal.id)
    with uow_factory() as uow:
        uow.principals.add(principal)
        uow.tokens.add(token)
        uow.commit()

    with uow_factory() as uow:
        assert uow.tokens.get(token.id) == token
        assert uow.tokens.get("missing") is None
        assert uow.tokens.by_hash(token.token_hash) == (token, principal)
        assert uow.tokens.by_hash(b"unknown") is None


def test_a_revoked_token_is_not_found_by_hash_and_keeps_its_first_revocation(uow_factory, samples):
    principal = samples.principal()
    token = samples.token(principal.id)
    with uow_factory() as uow:
        uow.principals.add(principal)
        uow.tokens.add(token)
        uow.tokens.revoke(token.id, T0 + timedelta(hours=1))
        uow.tokens.revoke(token.id, T0 + timedelta(hours=2))
        uow.commit()

    with uow_factory() as uow:
        assert uow.tokens.by_hash(token.token_hash) is None
        assert uow.tokens.get(token.id) == replace(token, revoked_at=T0 + timedelta(hours=1))
        with pytest.raises(NotFoundError):
            uow.tokens.revoke("missing", T0)


def test_a_disabled_principals_token_is_not_found_by_hash(uow_factory, samples):
    principal = samples.principal(disabled_at=T0)
    token = samples.token(principal.id)
    with uow_factory() as uow:
        uow.principals.add(principal)
        uow.tokens.add(token)
        uow.commit()

    with uow_factory() as uow:
        assert uow.tokens.by_hash(token.token_hash) is None


def test_token_hashes_are_unique(uow_factory, samples):
    principal = samples.principal()
    token = samples.token(principal.id)
    with uow_factory() as uow:
        uow.principals.add(principal)
        uow.tokens.add(token)
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.tokens.add(samples.token(principal.id, token_hash=token.token_hash))


def test_data_keys_round_trip_ordered_by_kind_and_version(uow_factory):
    keys = [
        WrappedDataKey("field-kek", 2, b"w-kek-2", T0 + timedelta(days=30)),
        WrappedDataKey("blind-index", 1, b"w-bi-1", T0),
        WrappedDataKey("field-kek", 1, b"w-kek-1", T0),
    ]
    with uow_factory() as uow:
        assert uow.data_keys.all() == []
        uow.data_keys.add(keys)
        uow.commit()

    with uow_factory() as uow:
        assert uow.data_keys.all() == [keys[1], keys[2], keys[0]]
        with pytest.raises(ConflictError):
            uow.data_keys.add([replace(keys[0], wrapped=b"other")])
