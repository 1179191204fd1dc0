"""The raw event lake and the warehouse built from it: their records and ports.

The lake holds events, orders and order lines as Parquet files, Hive-partitioned by date and
source, with customers only as keyed pseudonyms. The warehouse (core.warehouse declares its
tables) is built from the lake and the store. Capabilities hand plain records to these ports;
only the adapters know Parquet or DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from strongroom.core.models import CustomerId, JsonValue, OrderLine


class LakeTable(StrEnum):
    """The lake's tables: one directory each, partitioned date=YYYY-MM-DD/source=NAME."""

    EVENTS = "events"
    ORDERS = "orders"
    ORDER_LINES = "order_lines"


class Feed(StrEnum):
    """What the store is read by, each after its own watermark (order lines go with orders)."""

    EVENTS = "events"
    ORDERS = "orders"


@dataclass(frozen=True, slots=True, order=True)
class FeedMark:
    """A position in a feed: every row up to (received_at, id) has been exported."""

    at: datetime
    id: str


# --- what the store hands the export ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """An event as the export reads it: still with the customer id, which never leaves."""

    id: str
    source: str  # the source's name: a partition of the lake
    customer_id: CustomerId
    type: str
    name: str | None
    properties: dict[str, JsonValue]
    occurred_at: datetime
    received_at: datetime
    # Protected properties, ciphertext under the customer's own key, when the store keeps them
    # (the events table's ``sealed`` column). Carried to the lake unchanged, never opened.
    sealed: bytes | None = None


@dataclass(frozen=True, slots=True)
class FeedOrder:
    """An order with its lines as the export reads it."""

    id: str
    source: str
    customer_id: CustomerId
    total: Decimal
    currency: str
    ordered_at: datetime
    received_at: datetime
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True, slots=True)
class FeedCustomer:
    """What the warehouse may know of a customer: plain demographics, and whether erased."""

    id: CustomerId
    demographics: dict[str, JsonValue]
    erased: bool  # no subject key any more: crypto-shredded


class LakeFeedRepository(Protocol):
    """Reads the store for the lake and the warehouse, in pages. Canary customers are left out."""

    def events_after(
        self, mark: FeedMark | None, *, until: datetime, limit: int
    ) -> list[FeedEvent]:
        """Events received after ``mark`` and at or before ``until``, by (received_at, id)."""
        ...

    def orders_after(
        self, mark: FeedMark | None, *, until: datetime, limit: int
    ) -> list[FeedOrder]:
        """Orders received after ``mark`` and at or before ``until``, by (received_at, id)."""
        ...

    def count_after(self, feed: Feed, mark: FeedMark | None, *, until: datetime) -> int:
        """How many rows ``events_after``/``orders_after`` would return in all."""
        ...

    def owners_after(
        self, feed: Feed, after: str | None, *, limit: int
    ) -> list[tuple[str, CustomerId]]:
        """(row id, current customer) of events or orders, by row id after ``after``."""
        ...

    def customers_after(self, after: CustomerId | None, *, limit: int) -> list[FeedCustomer]:
        """Customers by id after ``after``."""
        ...


# --- what the lake holds ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LakeEvent:
    event_id: str
    customer_pseudonym: str
    source: str
    type: str
    name: str | None
    occurred_at: datetime
    received_at: datetime
    properties: str  # JSON text: properties vary by event, a column each would not
    sealed: bytes | None


@dataclass(frozen=True, slots=True)
class LakeOrder:
    order_id: str
    customer_pseudonym: str
    source: str
    ordered_at: datetime
    received_at: datetime
    total: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class LakeOrderLine:
    order_id: str
    line_no: int
    customer_pseudonym: str
    source: str
    ordered_at: datetime
    sku: str
    name: str | None
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class LakeBatch:
    """One page of the export: written, then made visible by the manifest, all or nothing."""

    number: int
    events: Sequence[LakeEvent] = ()
    orders: Sequence[LakeOrder] = ()
    lines: Sequence[LakeOrderLine] = ()
    marks: dict[Feed, FeedMark] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LakeManifest:
    """The lake's state, written last by every change: what is committed and where the feeds are.

    Files of batches above ``last_batch`` belong to an export that did not finish.
    """

    last_batch: int = 0
    marks: dict[Feed, FeedMark] = field(default_factory=dict)
    rows: dict[LakeTable, int] = field(default_factory=dict)
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LakeRecovery:
    """What opening the lake cleaned up after an interrupted run."""

    orphan_files: int = 0  # files of an export batch the manifest never committed
    temp_files: int = 0  # half-written temporary files
    compactions_finished: int = 0  # partitions whose interrupted compaction was completed


@dataclass(frozen=True, slots=True)
class PartitionStatus:
    table: LakeTable
    date: str
    source: str
    files: int
    rows: int
    bytes: int


@dataclass(frozen=True, slots=True)
class CompactionReport:
    partitions: int  # partitions merged
    files_before: int
    files_after: int
    rows: int  # rows in the merged partitions, the same before and after


class Lake(Protocol):
    """The Parquet lake: committed batches, the manifest, compaction."""

    @property
    def location(self) -> str: ...

    def recover(self) -> LakeRecovery:
        """Remove what an interrupted export or compaction left; the lake is then consistent."""
        ...

    def manifest(self) -> LakeManifest: ...

    def commit(self, batch: LakeBatch) -> LakeManifest:
        """Write the batch's files, then the manifest naming it; returns the new manifest."""
        ...

    def partitions(self) -> list[PartitionStatus]: ...

    def compact(self, *, min_files: int) -> CompactionReport:
        """Merge each partition of at least ``min_files`` files into one, keeping every row."""
        ...

    def read(self, table: LakeTable) -> list[dict[str, object]]:
        """Every committed row of ``table``, columns unioned by name across files."""
        ...


# --- the warehouse ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DimCustomerRow:
    customer_pseudonym: str
    age_band: str | None
    region: str | None
    lifecycle_stage: str
    first_order_at: datetime | None
    last_order_at: datetime | None


@dataclass(frozen=True, slots=True)
class WarehouseStatus:
    location: str
    exists: bool
    lake_batch: int  # the last lake batch loaded
    built_at: datetime | None
    rows: dict[str, int]


class WarehouseSession(Protocol):
    """One warehouse transaction: nothing is visible until ``commit``; leaving rolls back."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def loaded_batch(self) -> int:
        """The last lake batch loaded into the facts (0 for a new warehouse)."""
        ...

    def load_lake(self, *, after: int, through: int) -> dict[str, int]:
        """Copy lake batches ``after`` < n <= ``through`` into the fact tables; rows per table."""
        ...

    def set_owners(self, feed: Feed, owners: Sequence[tuple[str, str]]) -> int:
        """Give facts of these (row id, pseudonym) that pseudonym; returns rows changed."""
        ...

    def order_spans(self) -> dict[str, tuple[datetime, datetime]]:
        """(first, last) order time per pseudonym, refunds (negative totals) left out."""
        ...

    def replace_customers(self, rows: Sequence[DimCustomerRow]) -> None:
        """Make ``rows`` the whole of dim_customer."""
        ...

    def commit(self, *, lake_batch: int, built_at: datetime) -> dict[str, int]:
        """Record the build and make it visible; returns rows per table."""
        ...


class Warehouse(Protocol):
    def session(self) -> WarehouseSession: ...

    def status(self) -> WarehouseStatus: ...
