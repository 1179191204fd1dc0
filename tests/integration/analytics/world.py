"""A world for analytics runs: consents in the memory store, pseudonyms, a DuckDB warehouse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from strongroom.adapters.duckdb_engine import DuckDbEngine
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.analytics.service import AnalyticsService
from strongroom.audit.service import AuditLog
from strongroom.core.analytics import MetricEngine
from strongroom.core.models import Actor, Consent, CustomerId, PrincipalKind
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.pseudonyms import Pseudonymizer

from .warehouse_rows import Rows, synthetic_rows, write_warehouse

NOW = datetime(2024, 7, 15, 9, 0, tzinfo=UTC)
END = datetime(2024, 6, 30, 12, 0)
ANALYST = Actor(PrincipalKind.STAFF, "ana", role="analyst")


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class World:
    uow_factory: MemoryUnitOfWorkFactory
    pseudonyms: Pseudonymizer
    customers: list[CustomerId]
    warehouse: Path
    service: AnalyticsService

    def pseudonym(self, customer: CustomerId) -> str:
        return self.pseudonyms.pseudonym(customer)

    def rebuild(self, rows: Rows) -> None:
        self.warehouse.unlink()
        write_warehouse(self.warehouse, rows)


def grant(
    world_factory: MemoryUnitOfWorkFactory, customers: list[CustomerId], granted: bool, at: datetime
) -> None:
    with world_factory() as uow:
        uow.consents.add([Consent(c, "analytics", granted, "web", at) for c in customers])
        uow.commit()


@pytest.fixture
def world(tmp_path: Path) -> World:
    factory = MemoryUnitOfWorkFactory()
    pseudonyms = Pseudonymizer(Keyring({KeyKind.PSEUDONYM: {1: b"p" * 32}}))
    customers = [CustomerId(f"c{n:03d}") for n in range(60)]
    grant(factory, customers, True, NOW - timedelta(days=400))
    path = write_warehouse(
        tmp_path / "warehouse.duckdb",
        synthetic_rows([pseudonyms.pseudonym(c) for c in customers], end=END),
    )

    def engines(name: str) -> MetricEngine:
        return DuckDbEngine(path)

    service = AnalyticsService(
        uow_factory=factory,
        engines=engines,
        pseudonyms=pseudonyms,
        audit=AuditLog(FixedClock()),
        clock=FixedClock(),
        min_group_size=5,
    )
    return World(factory, pseudonyms, customers, path, service)
