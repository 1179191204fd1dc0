"""The lake export and the warehouse build on real Parquet files and a real DuckDB file, over
SQLite and PostgreSQL stores: incremental runs, crashes, merges, erasure, awkward orders."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from strongroom.adapters.lake import ParquetLake
from strongroom.adapters.sql.tables import events as events_table
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.adapters.warehouse import DuckDbWarehouse
from strongroom.analytics.lake import LakeExporter
from strongroom.analytics.warehouse import WarehouseBuilder
from strongroom.audit.service import AuditLog
from strongroom.core.clock import SystemClock
from strongroom.core.errors import NotFoundError
from strongroom.core.lake import LakeTable
from strongroom.core.models import (
    Actor,
    Channel,
    CustomerId,
    Event,
    Order,
    OrderLine,
    PrincipalKind,
    Source,
    StoredCustomer,
    WriteKey,
)
from strongroom.core.trail import AuditAction
from strongroom.core.warehouse import WAREHOUSE_TABLES
from strongroom.vault.eventfields import seal_event_fields, sealed_field
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.pseudonyms import Pseudonymizer
from strongroom.vault.service import SubjectVault
from strongroom.vault.shredding import Shredder

ACTOR = Actor(PrincipalKind.LOCAL, "tester", role="admin")
NOW = datetime.now(UTC)
SECRET = {"properties": {"email": "someone@example.com"}}


@dataclass
class World:
    uow_factory: SqlUnitOfWorkFactory
    keyring: Keyring
    vault: SubjectVault
    exporter: LakeExporter
    builder: WarehouseBuilder
    lake: ParquetLake
    warehouse_path: Path
    source: Source
    keys: dict[CustomerId, bytes]

    def customer(self, age: int | None = 30) -> CustomerId:
        customer_id = CustomerId(str(uuid.uuid4()))
        key, wrapped = self.vault.new_subject_key(customer_id)
        demographics = {} if age is None else {"age": age}
        with self.uow_factory() as uow:
            uow.customers.add([StoredCustomer(customer_id, NOW, NOW, demographics=demographics)])
            uow.subject_keys.add([wrapped])
            uow.commit()
        self.keys[customer_id] = key
        return customer_id

    def event(self, customer_id: CustomerId, *, at: datetime = NOW) -> Event:
        event_id = str(uuid.uuid4())
        sealed = seal_event_fields(
            self.vault, self.keys[customer_id], customer_id=customer_id, event_id=event_id,
            fields=SECRET,
        )  # fmt: skip
        event = Event(
            event_id, self.source.id, f"m-{event_id}", customer_id, "track", "Product Viewed",
            {"sku": "K-1"}, at, datetime.now(UTC), sealed=sealed,
        )  # fmt: skip
        with self.uow_factory() as uow:
            uow.events.add([event])
            uow.commit()
        return event

    def order(self, customer_id: CustomerId, total: str, *, at: datetime = NOW) -> Order:
        quantity = -1 if Decimal(total) < 0 else 1
        lines = (OrderLine("K-1", "Kettle", quantity, abs(Decimal(total))),)
        order = Order(
            str(uuid.uuid4()), self.source.id, f"o-{uuid.uuid4()}", customer_id,
            Decimal(total), "EUR", at, lines,
        )  # fmt: skip
        with self.uow_factory() as uow:
            uow.orders.add([order])
            uow.commit()
        return order

    def export(self) -> dict[str, int]:
        report = self.exporter.export(actor=ACTOR, settle=timedelta(0), page_size=2)
        return {"events": report.events, "orders": report.orders, "lines": report.order_lines}

    def query(self, sql: str) -> list[tuple[object, ...]]:
        with duckdb.connect(str(self.warehouse_path), read_only=True) as connection:
            return connection.execute(sql).fetchall()


@pytest.fixture
def world(sql_engine: Engine, tmp_path: Path) -> World:
    keyring = Keyring(
        {kind: {1: os.urandom(32)} for kind in (KeyKind.FIELD_KEK, KeyKind.PSEUDONYM,
                                                KeyKind.AUDIT_SIGNING)}
    )  # fmt: skip
    uow_factory = SqlUnitOfWorkFactory(sql_engine)
    clock, audit = SystemClock(), AuditLog(SystemClock())
    lake = ParquetLake(tmp_path / "lake")
    pseudonyms = Pseudonymizer(keyring)
    warehouse_path = tmp_path / "wh" / "warehouse.duckdb"
    warehouse = DuckDbWarehouse(warehouse_path, lake.root)
    source = Source("src-1", "web-shop", Channel.WEB, NOW)
    with uow_factory() as uow:
        uow.sources.add(source, WriteKey("wk-1", source.id, b"hash", "wk_1", NOW))
        uow.commit()
    return World(
        uow_factory, keyring, SubjectVault(keyring),
        LakeExporter(uow_factory, uow_factory, lake, pseudonyms, audit, clock),
        WarehouseBuilder(uow_factory, uow_factory, lake, warehouse, pseudonyms, audit, clock),
        lake, warehouse_path, source, {},
    )  # fmt: skip


def _lake_files(world: World) -> list[Path]:
    return sorted(world.lake.root.rglob("*.parquet"))


def test_export_is_incremental_and_pseudonymized(world: World) -> None:
    alice = world.customer()
    world.event(alice)
    world.order(alice, "20.00")
    assert world.export() == {"events": 1, "orders": 1, "lines": 1}
    world.event(alice)
    world.event(alice)
    assert world.export() == {"events": 2, "orders": 0, "lines": 0}
    assert world.export() == {"events": 0, "orders": 0, "lines": 0}
    rows = world.lake.read(LakeTable.EVENTS)
    assert len(rows) == 3
    assert {r["customer_pseudonym"] for r in rows} == {
        Pseudonymizer(world.keyring).pseudonym(alice)
    }
    assert all(r["source"] == "web-shop" for r in rows)
    for path in _lake_files(world):
        assert alice.encode() not in path.read_bytes()
        assert b"someone@example.com" not in path.read_bytes()
    assert "date=" in str(_lake_files(world)[0])
    assert "source=web-shop" in str(_lake_files(world)[0])


def test_a_crashed_export_leaves_nothing_visible_and_the_rerun_completes(world: World) -> None:
    alice = world.customer()
    for _ in range(3):
        world.event(alice)
    world.export()
    partition = _lake_files(world)[0].parent
    # What a crash mid-batch leaves: a half-written temporary file and a file of a batch the
    # manifest never named.
    (partition / ".part-b00000099.parquet.tmp").write_bytes(b"PAR1 half a file")
    orphan = partition / "part-b00000099.parquet"
    orphan.write_bytes(_lake_files(world)[0].read_bytes())
    world.builder.build(actor=ACTOR)  # the build reads committed batches only
    assert world.query("SELECT count(*) FROM fact_event") == [(3,)]
    world.event(alice)
    assert world.export()["events"] == 1
    assert not orphan.exists()
    assert not list(world.lake.root.rglob("*.tmp"))
    assert len(world.lake.read(LakeTable.EVENTS)) == 4


def test_the_warehouse_builds_incrementally_with_exactly_the_declared_columns(
    world: World,
) -> None:
    alice, bob = world.customer(age=29), world.customer(age=None)
    world.event(alice)
    world.order(alice, "10.00", at=NOW - timedelta(days=400))
    world.order(alice, "30.00", at=NOW - timedelta(days=100))
    world.export()
    first = world.builder.build(actor=ACTOR)
    assert first.loaded == {"fact_event": 1, "fact_order": 2, "fact_order_line": 2}
    world.event(bob)
    world.export()
    second = world.builder.build(actor=ACTOR)
    assert second.loaded == {"fact_event": 1, "fact_order": 0, "fact_order_line": 0}
    for table in WAREHOUSE_TABLES:
        described = world.query(f"DESCRIBE {table.name}")
        assert [(r[0], r[1]) for r in described] == [(c.name, c.type.value) for c in table.columns]
    pseudonym = Pseudonymizer(world.keyring).pseudonym
    query = "SELECT customer_pseudonym, age_band, lifecycle_stage FROM dim_customer"
    dims = {row[0]: row[1:] for row in world.query(query)}
    assert dims == {pseudonym(alice): ("25-34", "lapsing"), pseudonym(bob): (None, "prospect")}


def test_refunds_zero_value_and_future_orders_are_kept_as_documented(world: World) -> None:
    alice = world.customer()
    world.order(alice, "0.00")
    world.order(alice, "-15.00", at=NOW - timedelta(days=1))
    world.order(alice, "12.50", at=NOW + timedelta(days=30))
    report = world.exporter.export(actor=ACTOR, settle=timedelta(0))
    assert (report.refunds, report.zero_value, report.future_dated) == (1, 1, 1)
    world.builder.build(actor=ACTOR)
    totals = sorted(r[0] for r in world.query("SELECT total FROM fact_order"))
    assert totals == [Decimal("-15.00"), Decimal("0.00"), Decimal("12.50")]
    assert world.query("SELECT min(quantity) FROM fact_order_line") == [(-1,)]
    stage = world.query("SELECT lifecycle_stage, first_order_at FROM dim_customer")
    assert stage[0][0] == "new"  # the refund is no order; the zero and future ones are
    assert stage[0][1] == NOW.replace(tzinfo=None)


def test_a_merge_moves_facts_to_the_surviving_customer_at_the_next_build(world: World) -> None:
    alice, alias = world.customer(), world.customer()
    moved = world.event(alias)
    world.export()
    world.builder.build(actor=ACTOR)
    with world.uow_factory.engine.begin() as connection:  # what identity resolution does
        connection.execute(
            update(events_table).where(events_table.c.id == moved.id).values(customer_id=alice)
        )
    report = world.builder.build(actor=ACTOR)
    assert report.owners_changed == 1
    owner = world.query("SELECT customer_pseudonym FROM fact_event")
    assert owner == [(Pseudonymizer(world.keyring).pseudonym(alice),)]


def test_erasure_shreds_the_lake_copy_and_the_warehouse_holds_nothing_personal(
    world: World,
) -> None:
    alice, bob = world.customer(), world.customer()
    event = world.event(alice)
    world.event(bob)
    world.order(alice, "20.00")
    world.export()
    world.builder.build(actor=ACTOR)
    row = next(r for r in world.lake.read(LakeTable.EVENTS) if r["event_id"] == event.id)
    sealed = row["sealed"]
    assert isinstance(sealed, bytes)
    opened = world.vault.decrypt(
        world.keys[alice], customer_id=alice, field=sealed_field(event.id), ciphertext=sealed
    )
    assert opened == SECRET  # before: the lake copy opens with alice's key
    with world.uow_factory() as uow:
        Shredder(world.keyring, AuditLog(SystemClock())).erase(
            uow, actor=ACTOR, customer_id=alice, reason="DSR-1", purpose="dsar", now=NOW
        )
        uow.commit()
    with world.uow_factory() as uow:
        assert uow.subject_keys.get_many([alice]) == {}  # the only copy of the key is gone
    with pytest.raises(NotFoundError):
        _open_from_store(world, alice, event.id, sealed)
    report = world.builder.build(actor=ACTOR)
    assert report.erased_left_out == 1
    pseudonym = Pseudonymizer(world.keyring).pseudonym
    dims = [r[0] for r in world.query("SELECT customer_pseudonym FROM dim_customer")]
    assert dims == [pseudonym(bob)]
    assert world.query("SELECT count(*) FROM fact_order") == [(1,)]  # anonymous facts stay
    columns = world.query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main'"
    )
    assert all(data_type != "BLOB" for _, _, data_type in columns)
    declared = {(t.name, c) for t in WAREHOUSE_TABLES for c in t.column_names}
    assert {(table, name) for table, name, _ in columns} == declared  # no customer_id, no sealed


def _open_from_store(world: World, customer_id: CustomerId, event_id: str, sealed: bytes) -> None:
    with world.uow_factory() as uow:
        stored = uow.subject_keys.get_many([customer_id]).get(customer_id)
    if stored is None:
        raise NotFoundError("no subject key: erased")
    key = world.vault.open_subject_key(stored)
    world.vault.decrypt(
        key, customer_id=customer_id, field=sealed_field(event_id), ciphertext=sealed
    )


def test_exports_and_builds_are_audited(world: World) -> None:
    world.export()
    world.builder.build(actor=ACTOR)
    with world.uow_factory() as uow:
        actions = [entry.draft.action for entry in uow.audit.scan()]
    assert AuditAction.LAKE_EXPORTED in actions
    assert AuditAction.WAREHOUSE_BUILT in actions
