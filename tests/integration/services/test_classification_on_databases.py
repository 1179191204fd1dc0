"""PII hidden in unknown traits, properties and context never lies in plaintext in the database;
sealed event data opens for its customer and is shredded by erasure; the catalog counts fields.

Runs on SQLite (the raw file, WAL included) and PostgreSQL (every row of every table).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from strongroom.access.erasure import ErasureService
from strongroom.adapters.sql.schema import metadata
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.collect.catalog import HASHED_KEY_PREFIX, read_catalog
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.errors import StrongroomError
from strongroom.core.models import Actor, Channel, CustomerId, PrincipalKind
from strongroom.vault.eventfields import open_event_fields
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
DPO = Actor(PrincipalKind.STAFF, "dana", role="dpo")
HIDDEN = {
    "trait_ssn": "536-90-4399",
    "trait_note": "met at the Zanzibar fair, wants a call",
    "property_email": "hidden.zq7@rest-example.org",
    "property_iban": "GB82WEST12345698765432",
    "property_note": "please ring the bell twice, quietly",
    "context_ip": "203.0.113.77",
    "context_agent": "ZqAgent/9.1 (Hidden Device)",
    "key_email": "keyname.zq7@rest-example.org",
}


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ListLedger:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def append(self, line: str) -> None:
        self.lines.append(line)

    def append_many(self, lines: list[str]) -> None:
        self.lines.extend(lines)


@dataclass
class World:
    factory: SqlUnitOfWorkFactory
    vault: SubjectVault
    erasure: ErasureService
    customer: CustomerId


def _batch() -> bytes:
    messages: list[dict[str, Any]] = [
        {
            "type": "identify",
            "userId": "u-zq7",
            "traits": {"ssn": HIDDEN["trait_ssn"], "note": HIDDEN["trait_note"], "plan": "gold"},
        },
        {
            "type": "track",
            "userId": "u-zq7",
            "event": "Product Viewed",
            "properties": {
                "sku": "SKU-ZQ7",
                "contact": HIDDEN["property_email"],
                "refund_to": HIDDEN["property_iban"],
                "note": HIDDEN["property_note"],
                HIDDEN["key_email"]: True,
                "size": "M",
            },
            "context": {
                "ip": HIDDEN["context_ip"],
                "userAgent": HIDDEN["context_agent"],
                "locale": "en-GB",
                "page": {"path": "/p/zq7"},
            },
        },
    ]
    return json.dumps({"batch": messages}).encode()


@pytest.fixture
def world(sql_engine: Engine) -> World:
    factory = SqlUnitOfWorkFactory(sql_engine)
    root = LocalRootKey(os.urandom(32))
    keyring = Keyring.open(root, Keyring.create_initial(root, now=Clock().now()))
    vault, audit = SubjectVault(keyring), AuditLog(Clock())
    source = create_source(
        uow_factory=factory,
        audit=audit,
        clock=Clock(),
        actor=OPERATOR,
        name="web",
        channel=Channel.WEB,
    ).source
    ingestor = Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=Clock())
    ingestor.ingest(source=source, request=parse_request(_batch(), endpoint="batch"))
    with sql_engine.connect() as connection:
        customer = CustomerId(connection.execute(text("SELECT id FROM customers")).scalar_one())
    erasure = ErasureService(
        uow_factory=factory, keys=keyring, audit=audit, ledger=ListLedger(), clock=Clock()
    )
    return World(factory, vault, erasure, customer)


def _leaks(haystack: bytes) -> list[str]:
    lowered = haystack.lower()
    return [
        name
        for name, value in HIDDEN.items()
        for needle in (value.encode(), value.encode().hex().encode())
        if needle.lower() in lowered
    ]


def _stored_bytes(engine: Engine) -> bytes:
    if engine.dialect.name == "sqlite":
        database = Path(str(engine.url.database))
        paths = [database, Path(f"{database}-wal"), Path(f"{database}-journal")]
        return b"".join(path.read_bytes() for path in paths if path.exists())
    with engine.connect() as connection:
        dumps = [
            repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
            for table in metadata.sorted_tables
            for row in connection.execute(select(table))
        ]
    return "\n".join(dumps).encode()


def test_hidden_pii_is_not_stored_in_plaintext(world: World, sql_engine: Engine) -> None:
    stored = _stored_bytes(sql_engine)
    assert _leaks(stored) == []
    # The control: the plain behavioral values are there, so the search did read the data.
    assert b"SKU-ZQ7" in stored
    assert b"/p/zq7" in stored


def test_the_search_would_find_a_leak() -> None:
    assert _leaks(b"x" + HIDDEN["context_ip"].encode() + b"y") == ["context_ip"]


def test_sealed_fields_open_for_their_customer(world: World) -> None:
    with world.factory() as uow:
        (event,) = [e for e in uow.events.page_for_customer(world.customer) if e.type == "track"]
        key = world.vault.open_subject_key(
            uow.subject_keys.get_many([world.customer])[world.customer]
        )
    assert event.properties == {"sku": "SKU-ZQ7", "size": "M"}
    assert event.context == {"locale": "en-GB", "page.path": "/p/zq7"}
    opened = open_event_fields(world.vault, key, event)
    assert opened["properties"] == {
        "contact": HIDDEN["property_email"],
        "refund_to": HIDDEN["property_iban"],
        "note": HIDDEN["property_note"],
        HIDDEN["key_email"]: True,
    }
    assert opened["context"] == {"ip": HIDDEN["context_ip"], "userAgent": HIDDEN["context_agent"]}


def test_erasure_leaves_sealed_event_data_unreadable(
    world: World, train_staff: Callable[..., None]
) -> None:
    train_staff(world.factory, DPO)  # erasure needs current training
    world.erasure.erase_customer(actor=DPO, customer_id=world.customer, reason="DSAR 2026-1")
    with world.factory() as uow:
        events = uow.events.page_for_customer(world.customer)
        assert uow.subject_keys.get_many([world.customer]) == {}
    sealed = [event for event in events if event.sealed is not None]
    assert sealed, "the events stay, their sealed part with no key to open it"
    stranger, _ = world.vault.new_subject_key(world.customer)
    with pytest.raises(StrongroomError):
        open_event_fields(world.vault, stranger, sealed[0])


def test_the_catalog_counts_every_field_and_hides_a_pii_key(world: World) -> None:
    rows = {
        (e.key.scope.value, e.key.name): (
            e.key.data_class.value,
            e.key.protection.value,
            e.key.storage.value,
            e.records,
        )
        for e in read_catalog(world.factory)
    }
    assert rows[("trait", "ssn")] == ("pii", "encrypted", "customer extras", 1)
    assert rows[("trait", "plan")] == ("behavioral", "encrypted", "customer extras", 1)
    assert rows[("property", "sku")] == ("behavioral", "plain", "events.properties", 1)
    assert rows[("property", "note")] == (
        "unclassified",
        "sealed-unclassified",
        "events.sealed",
        1,
    )
    assert rows[("context", "ip")] == ("pii", "encrypted", "events.sealed", 1)
    assert rows[("context", "locale")] == ("behavioral", "plain", "events.context", 1)
    hashed = [name for scope, name in rows if name.startswith(HASHED_KEY_PREFIX)]
    assert len(hashed) == 1
    assert all(HIDDEN["key_email"] not in name for _, name in rows)
