"""The analytics warehouse's tables, declared once: the lake/warehouse build creates them, the
metrics read them. No column here may hold PII: customers appear only as keyed pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    """Portable column types (DuckDB and Spark SQL both spell these the same)."""

    TEXT = "VARCHAR"
    INTEGER = "INTEGER"
    BIGINT = "BIGINT"
    MONEY = "DECIMAL(14,2)"
    TIMESTAMP = "TIMESTAMP"  # UTC, without zone: every time in the warehouse is UTC
    DATE = "DATE"


@dataclass(frozen=True, slots=True)
class WarehouseColumn:
    name: str
    type: ColumnType
    description: str
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class WarehouseTable:
    name: str
    description: str
    columns: tuple[WarehouseColumn, ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)


def _col(
    name: str, type_: ColumnType, description: str, *, nullable: bool = True
) -> WarehouseColumn:
    return WarehouseColumn(name, type_, description, nullable)


_T = ColumnType

DIM_CUSTOMER = WarehouseTable(
    "dim_customer",
    "One row per customer, by pseudonym: banded demographics and purchase lifecycle.",
    (
        _col("customer_pseudonym", _T.TEXT, "keyed pseudonym of the customer", nullable=False),
        _col("age_band", _T.TEXT, "age in bands such as '25-34'; NULL when unknown"),
        _col("region", _T.TEXT, "country, or country-state, e.g. 'US-CA'; NULL when unknown"),
        _col("lifecycle_stage", _T.TEXT, "prospect, new, active, lapsing or lapsed"),
        _col("first_order_at", _T.TIMESTAMP, "time of the first order, NULL for prospects"),
        _col("last_order_at", _T.TIMESTAMP, "time of the latest order, NULL for prospects"),
    ),
    ("customer_pseudonym",),
)

FACT_ORDER = WarehouseTable(
    "fact_order",
    "One row per order.",
    (
        _col("order_id", _T.TEXT, "the store's order id (random, not personal)", nullable=False),
        _col("customer_pseudonym", _T.TEXT, "who ordered", nullable=False),
        _col("source", _T.TEXT, "name of the source the order came from", nullable=False),
        _col("ordered_at", _T.TIMESTAMP, "when the order was placed (UTC)", nullable=False),
        _col("total", _T.MONEY, "order total; negative for refunds", nullable=False),
        _col("currency", _T.TEXT, "ISO 4217 code", nullable=False),
    ),
    ("order_id",),
)

FACT_ORDER_LINE = WarehouseTable(
    "fact_order_line",
    "One row per order line.",
    (
        _col("order_id", _T.TEXT, "the order", nullable=False),
        _col("line_no", _T.INTEGER, "position in the order, from 1", nullable=False),
        _col("customer_pseudonym", _T.TEXT, "who ordered", nullable=False),
        _col("ordered_at", _T.TIMESTAMP, "when the order was placed (UTC)", nullable=False),
        _col("sku", _T.TEXT, "product", nullable=False),
        _col("name", _T.TEXT, "product name"),
        _col("quantity", _T.INTEGER, "units; negative for returns", nullable=False),
        _col("unit_price", _T.MONEY, "price of one unit", nullable=False),
    ),
    ("order_id", "line_no"),
)

FACT_EVENT = WarehouseTable(
    "fact_event",
    "One row per tracked event (track, page, screen); properties stay in the lake.",
    (
        _col("event_id", _T.TEXT, "the store's event id", nullable=False),
        _col("customer_pseudonym", _T.TEXT, "whose event", nullable=False),
        _col("source", _T.TEXT, "name of the source", nullable=False),
        _col("type", _T.TEXT, "track, page or screen", nullable=False),
        _col("name", _T.TEXT, "event name, e.g. 'Product Viewed'"),
        _col("occurred_at", _T.TIMESTAMP, "when it happened (UTC, skew-corrected)", nullable=False),
    ),
    ("event_id",),
)

WAREHOUSE_TABLES: tuple[WarehouseTable, ...] = (
    DIM_CUSTOMER,
    FACT_ORDER,
    FACT_ORDER_LINE,
    FACT_EVENT,
)
