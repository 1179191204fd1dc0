"""Synthetic warehouses for the analytics tests, created from core/warehouse.py's declaration."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlglot import exp

from strongroom.analytics.models import Transaction
from strongroom.core.warehouse import WAREHOUSE_TABLES, WarehouseTable

CDNOW = Path(__file__).resolve().parents[2] / "data" / "cdnow" / "CDNOW_sample.txt"

Row = tuple[object, ...]


@dataclass
class Rows:
    """Rows for each warehouse table, in the declared column order."""

    dim_customer: list[Row] = field(default_factory=list)
    fact_order: list[Row] = field(default_factory=list)
    fact_order_line: list[Row] = field(default_factory=list)
    fact_event: list[Row] = field(default_factory=list)

    def add_order(
        self,
        customer: str,
        at: datetime,
        lines: list[tuple[str, int, str]],
        *,
        order_id: str | None = None,
    ) -> None:
        """One order of (sku, quantity, unit price) lines."""
        order_id = order_id or f"o{len(self.fact_order) + 1}"
        total = sum(Decimal(price) * quantity for _, quantity, price in lines)
        self.fact_order.append((order_id, customer, "web", at, total, "EUR"))
        for number, (sku, quantity, price) in enumerate(lines, start=1):
            self.fact_order_line.append(
                (order_id, number, customer, at, sku, sku.title(), quantity, Decimal(price))
            )

    def add_event(self, customer: str, name: str, at: datetime) -> None:
        event_id = f"e{len(self.fact_event) + 1}"
        self.fact_event.append((event_id, customer, "web", "track", name, at))


def create_statement(table: WarehouseTable) -> str:
    columns = [
        exp.ColumnDef(
            this=exp.to_identifier(column.name),
            kind=exp.DataType.build(column.type.value, dialect="duckdb"),
        )
        for column in table.columns
    ]
    schema = exp.Schema(this=exp.table_(table.name), expressions=columns)
    return exp.Create(this=schema, kind="TABLE").sql(dialect="duckdb")


def write_warehouse(path: Path, rows: Rows) -> Path:
    connection = duckdb.connect(str(path))
    try:
        for table in WAREHOUSE_TABLES:
            connection.execute(create_statement(table))
            values: list[Row] = getattr(rows, table.name)
            if values:  # through Arrow: executemany inserts one row at a time, slowly
                columns = {c.name: [row[i] for row in values] for i, c in enumerate(table.columns)}
                connection.register("incoming", pa.table(columns))
                insert = exp.insert(exp.select("*").from_("incoming"), exp.table_(table.name))
                connection.execute(insert.sql(dialect="duckdb"))
                connection.unregister("incoming")
    finally:
        connection.close()
    return path


def synthetic_rows(pseudonyms: list[str], *, seed: int = 7, end: datetime) -> Rows:
    """Customers buying 1..8 times over a year, a few SKUs, and a funnel of events."""
    rng = random.Random(seed)
    rows = Rows()
    skus = ["apple", "bread", "cheese", "dates", "eggs"]
    for customer in pseudonyms:
        rows.dim_customer.append((customer, "25-34", "DE", "active", None, None))
        start = end - timedelta(days=rng.randint(30, 360))
        for _ in range(rng.randint(1, 8)):
            at = start + timedelta(
                days=rng.randint(0, (end - start).days), hours=rng.randint(-11, 11)
            )
            picked = rng.sample(skus, rng.randint(1, 3))
            rows.add_order(customer, at, [(sku, rng.randint(1, 3), "4.50") for sku in picked])
        seen = end - timedelta(days=rng.randint(1, 20), hours=3)
        for step, name in enumerate(["Product Viewed", "Product Added", "Order Completed"]):
            if rng.random() < 0.85 - step * 0.2:
                rows.add_event(customer, name, seen + timedelta(minutes=5 * step + 1))
    return rows


def cdnow_rows(pseudonyms: dict[str, str]) -> tuple[Rows, list[Transaction]]:
    """The CDNOW 1/10 sample as warehouse orders of one line each, and as transactions.

    ``pseudonyms`` maps the summary's customer id (the second column) to a pseudonym.
    """
    rows, transactions = Rows(), []
    for line in CDNOW.read_text().splitlines():
        fields = line.split()
        customer = pseudonyms[str(int(fields[1]))]
        at = datetime.strptime(fields[2], "%Y%m%d")
        rows.add_order(customer, at + timedelta(hours=12), [("cd", 1, fields[4])])
        transactions.append(Transaction(customer, at.date(), float(fields[4])))
    return rows, transactions
