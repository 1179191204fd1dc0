"""Wires the lake export and the warehouse build to the Parquet lake and the DuckDB file."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.adapters.lake import ParquetLake
from strongroom.adapters.warehouse import DuckDbWarehouse
from strongroom.analytics.lake import LakeExporter
from strongroom.analytics.warehouse import WarehouseBuilder
from strongroom.core.clock import Clock
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.settings import Settings
from strongroom.vault.pseudonyms import Pseudonymizer, PseudonymKeys


@dataclass(frozen=True, slots=True)
class LakeServices:
    """The lake and warehouse use cases of one app."""

    exporter: LakeExporter
    warehouse: WarehouseBuilder


def build_lake(
    settings: Settings,
    *,
    uow_factory: UnitOfWorkFactory,
    reader: UnitOfWorkFactory,
    audit: AuditTrail,
    keys: PseudonymKeys,
    clock: Clock,
) -> LakeServices:
    """The services on the lake directory and warehouse file of ``settings`` (no I/O yet)."""
    lake = ParquetLake(settings.lake_path)
    pseudonyms = Pseudonymizer(keys)
    exporter = LakeExporter(uow_factory, reader, lake, pseudonyms, audit, clock)
    warehouse = DuckDbWarehouse(settings.warehouse_file, settings.lake_path)
    builder = WarehouseBuilder(uow_factory, reader, lake, warehouse, pseudonyms, audit, clock)
    return LakeServices(exporter, builder)
