"""The lake export's watermark and pseudonyms, on the in-memory store and a real lake directory."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from strongroom.adapters.lake import ParquetLake
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.adapters.warehouse import DuckDbWarehouse, create_warehouse, load_table
from strongroom.analytics.lake import LakeExporter
from strongroom.analytics.warehouse import WarehouseBuilder
from strongroom.audit.service import AuditLog
from strongroom.core.errors import InvalidInputError
from strongroom.core.lake import Feed, LakeTable
from strongroom.core.models import (
    Actor,
    Channel,
    CustomerId,
    Event,
    PrincipalKind,
    Source,
    StoredCustomer,
    WriteKey,
)
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.pseudonyms import Pseudonymizer

ACTOR = Actor(PrincipalKind.LOCAL, "tester", role="admin")


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.now_value = now

    def now(self) -> datetime:
        return self.now_value


T0 = datetime(2025, 1, 10, tzinfo=UTC)
ALICE = CustomerId("c-alice")


@pytest.fixture
def store() -> MemoryUnitOfWorkFactory:
    factory = MemoryUnitOfWorkFactory()
    source = Source("s1", "web", Channel.WEB, T0)
    with factory() as uow:
        uow.sources.add(source, WriteKey("k1", "s1", b"h", "wk", T0))
        uow.customers.add([StoredCustomer(ALICE, T0, T0, demographics={"age": 40})])
        uow.commit()
    return factory


def _add_event(store: MemoryUnitOfWorkFactory, n: int, received: datetime) -> None:
    event = Event(f"e{n}", "s1", f"m{n}", ALICE, "page", None, {"path": "/"}, received, received)
    with store() as uow:
        uow.events.add([event])
        uow.commit()


def _exporter(store: MemoryUnitOfWorkFactory, lake: ParquetLake, clock: FixedClock) -> LakeExporter:
    keys = Keyring({KeyKind.PSEUDONYM: {1: os.urandom(32)}})
    return LakeExporter(store, store, lake, Pseudonymizer(keys), AuditLog(clock), clock)


def test_the_watermark_and_settle_time_decide_what_each_run_takes(
    store: MemoryUnitOfWorkFactory, tmp_path: Path
) -> None:
    clock = FixedClock(T0 + timedelta(minutes=10))
    lake = ParquetLake(tmp_path)
    exporter = _exporter(store, lake, clock)
    _add_event(store, 1, T0)
    _add_event(store, 2, T0 + timedelta(minutes=9, seconds=30))  # inside the settle time
    first = exporter.export(actor=ACTOR, settle=timedelta(minutes=1))
    assert (first.events, first.batches) == (1, 1)
    assert exporter.status().pending == {Feed.EVENTS: 1, Feed.ORDERS: 0}
    clock.now_value += timedelta(minutes=5)
    second = exporter.export(actor=ACTOR, settle=timedelta(minutes=1))
    assert (second.events, second.last_batch) == (1, 2)
    assert sorted(str(r["event_id"]) for r in lake.read(LakeTable.EVENTS)) == ["e1", "e2"]
    assert all(str(r["customer_pseudonym"]).startswith("ps1_") for r in lake.read(LakeTable.EVENTS))
    assert exporter.export(actor=ACTOR, settle=timedelta(0)).batches == 0


def test_building_from_an_empty_lake_gives_an_empty_warehouse(
    store: MemoryUnitOfWorkFactory, tmp_path: Path
) -> None:
    clock = FixedClock(T0)
    lake = ParquetLake(tmp_path / "lake")
    exporter = _exporter(store, lake, clock)
    warehouse = DuckDbWarehouse(tmp_path / "wh.duckdb", lake.root)
    builder = WarehouseBuilder(
        store, store, lake, warehouse, exporter.pseudonyms, AuditLog(clock), clock
    )
    report = builder.build(actor=ACTOR)
    assert report.lake_empty
    assert report.rows == {"dim_customer": 0, "fact_order": 0, "fact_order_line": 0,
                           "fact_event": 0}  # fmt: skip
    assert warehouse.status().exists


def test_load_table_takes_exactly_the_declared_columns(tmp_path: Path) -> None:
    connection = create_warehouse(tmp_path / "wh.duckdb")
    try:
        row = {"event_id": "e1", "customer_pseudonym": "ps1_a", "source": "web",
               "type": "track", "name": None, "occurred_at": T0}  # fmt: skip
        assert load_table(connection, "fact_event", [row]) == 1
        assert connection.execute("SELECT occurred_at FROM fact_event").fetchall() == [
            (T0.replace(tzinfo=None),)
        ]
        with pytest.raises(InvalidInputError, match="declared"):
            load_table(connection, "fact_event", [{**row, "customer_id": "c1"}])
        with pytest.raises(InvalidInputError, match="no warehouse table"):
            load_table(connection, "customers", [row])
    finally:
        connection.close()
