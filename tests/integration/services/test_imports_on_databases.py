"""File import on SQLite and PostgreSQL, through the real readers, reject file and database."""

from __future__ import annotations

import csv
import os
import shutil
import stat
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from sqlalchemy import Engine, func, select

from strongroom.adapters.filereaders import FileRecordReaders, file_sha256
from strongroom.adapters.rejectfiles import RejectFile
from strongroom.adapters.sql.tables import customers, events, order_lines, orders
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.collect.imports.mapping import ImportMapping, parse_mapping
from strongroom.collect.imports.service import Importer, ImportFile, list_imports
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.imports import FileFormat, ImportKind, ImportRun, ImportStatus
from strongroom.core.models import Actor, Channel, PrincipalKind
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault
from strongroom.vault.tokenization import CardVault

DATA = Path(__file__).parents[2] / "data" / "imports"
OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture
def importer(sql_engine: Engine) -> Importer:
    factory = SqlUnitOfWorkFactory(sql_engine)
    root = LocalRootKey(os.urandom(32))
    keyring = Keyring.open(root, Keyring.create_initial(root, now=Clock().now()))
    audit = AuditLog(Clock())
    create_source(
        uow_factory=factory,
        audit=audit,
        clock=Clock(),
        actor=OPERATOR,
        name="till",
        channel=Channel.POS,
    )
    ingestor = Ingestor(
        uow_factory=factory,
        vault=SubjectVault(keyring),
        audit=audit,
        clock=Clock(),
        cards=CardVault(keyring),
    )
    return Importer(
        uow_factory=factory, ingestor=ingestor, audit=audit, clock=Clock(), keys=keyring
    )


def _import(
    importer: Importer,
    path: Path,
    kind: ImportKind,
    mapping: ImportMapping,
    file_format: FileFormat = FileFormat.CSV,
) -> tuple[ImportRun, RejectFile]:
    rejects = RejectFile(path.with_name(f"{path.stem}.rejects.csv"))
    try:
        run = importer.run(
            file=ImportFile("till", kind, file_format, path.name, file_sha256(path)),
            reader=FileRecordReaders().open(path, file_format),
            mapping=mapping,
            rejects=rejects,
            actor=OPERATOR,
        )
    finally:
        rejects.close()
    return run, rejects


def _pos_mapping() -> ImportMapping:
    text = (DATA / "pos_mapping.toml").read_text()
    return parse_mapping(text, kind=ImportKind.ORDERS, suffix=".toml")


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _totals(engine: Engine) -> dict[str, tuple[Decimal, int]]:
    statement = (
        select(orders.c.external_id, orders.c.total, func.count(order_lines.c.id))
        .join(order_lines, order_lines.c.order_id == orders.c.id)
        .group_by(orders.c.external_id, orders.c.total)
    )
    with engine.connect() as connection:
        return {row[0]: (Decimal(row[1]), int(row[2])) for row in connection.execute(statement)}


EXPECTED_ORDERS = {
    "A-1001": (Decimal("43.00"), 2),
    "A-1002": (Decimal("64.00"), 1),
    "A-1004": (Decimal("77.40"), 2),
    "A-1005": (Decimal("72.00"), 1),
}


def test_pos_orders_land_in_orders_and_lines_and_the_bad_row_in_the_reject_file(
    importer: Importer, sql_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "orders_pos.csv"
    shutil.copy(DATA / "orders_pos.csv", path)
    run, rejects = _import(importer, path, ImportKind.ORDERS, _pos_mapping())
    assert run.status is ImportStatus.COMPLETED_WITH_REJECTS
    assert (run.counts.rows, run.counts.stored, run.counts.rejected) == (7, 6, 1)
    assert _totals(sql_engine) == EXPECTED_ORDERS
    reject_path = Path(rejects.location)
    assert stat.S_IMODE(reject_path.stat().st_mode) == 0o600
    with reject_path.open(newline="") as handle:
        (entry,) = list(csv.DictReader(handle))
    assert (entry["line"], entry["reason"]) == ("5", "quantity must be a whole number")
    assert entry["Order No"] == "A-1003"


def test_a_rerun_stores_nothing_new(importer: Importer, sql_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "orders_pos.csv"
    shutil.copy(DATA / "orders_pos.csv", path)
    _import(importer, path, ImportKind.ORDERS, _pos_mapping())
    before = (
        _count(sql_engine, events),
        _count(sql_engine, orders),
        _count(sql_engine, order_lines),
    )
    again, _ = _import(importer, path, ImportKind.ORDERS, _pos_mapping())
    assert (again.counts.stored, again.counts.duplicates, again.counts.rejected) == (0, 6, 1)
    after = (
        _count(sql_engine, events),
        _count(sql_engine, orders),
        _count(sql_engine, order_lines),
    )
    assert after == before
    runs = list_imports(uow_factory=SqlUnitOfWorkFactory(sql_engine))
    assert [r.id for r in runs] == [again.id, runs[1].id]
    assert {r.file_sha256 for r in runs} == {file_sha256(path)}


def test_the_same_orders_from_parquet(
    importer: Importer, sql_engine: Engine, tmp_path: Path
) -> None:
    with (DATA / "orders_pos.csv").open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["Qty"] = int(row["Qty"]) if row["Qty"].isdigit() else row["Qty"]
    path = tmp_path / "orders_pos.parquet"
    table = pa.Table.from_pylist([r for r in rows if isinstance(r["Qty"], int)])
    pq.write_table(table, path, row_group_size=2)
    run, _ = _import(importer, path, ImportKind.ORDERS, _pos_mapping(), FileFormat.PARQUET)
    assert (run.status, run.counts.rows, run.counts.stored) == (ImportStatus.COMPLETED, 6, 6)
    assert _totals(sql_engine) == EXPECTED_ORDERS


def test_events_from_json_lines(importer: Importer, sql_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    shutil.copy(DATA / "events.jsonl", path)
    run, rejects = _import(
        importer, path, ImportKind.EVENTS, ImportMapping(ImportKind.EVENTS), FileFormat.JSONL
    )
    assert (run.counts.rows, run.counts.stored, run.counts.rejected) == (5, 3, 2)
    with Path(rejects.location).open(newline="") as handle:
        lines = [entry["line"] for entry in csv.DictReader(handle)]
    assert lines == ["4", "5"]
    with sql_engine.connect() as connection:
        names = sorted(
            str(name) for name in connection.execute(select(events.c.name)).scalars() if name
        )
    assert names == ["Home", "Product Viewed", "Signed Up"]


def test_customers_from_csv_are_stored_encrypted(
    importer: Importer, sql_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    shutil.copy(DATA / "customers.csv", path)
    run, _ = _import(importer, path, ImportKind.CUSTOMERS, ImportMapping(ImportKind.CUSTOMERS))
    assert (run.counts.stored, run.counts.rejected) == (4, 1)
    with sql_engine.connect() as connection:
        dump = "".join(
            str(row) for table in (events, customers) for row in connection.execute(select(table))
        )
    assert "Tarrant" not in dump
    assert "ivo.tarrant" not in dump
