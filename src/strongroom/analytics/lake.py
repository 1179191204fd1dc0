"""The lake export: the store read in pages after a watermark, pseudonymized, committed in batches.

Each page becomes one lake batch, committed by the lake's manifest together with the page's
watermark, so an export that stops loses at most the page it was writing and the next run goes
on from there. Customer ids never reach the lake: rows carry the customer's keyed pseudonym, and
protected properties travel as the ciphertext they are in the store, under the customer's key.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from strongroom.access.holds import refuse_if_exports_frozen
from strongroom.core.clock import Clock
from strongroom.core.lake import (
    CompactionReport,
    Feed,
    FeedEvent,
    FeedMark,
    FeedOrder,
    Lake,
    LakeBatch,
    LakeEvent,
    LakeManifest,
    LakeOrder,
    LakeOrderLine,
    LakeRecovery,
    LakeTable,
    PartitionStatus,
)
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.pseudonyms import Pseudonymizer

DEFAULT_PAGE = 5000
DEFAULT_SETTLE = timedelta(seconds=60)
LAKE_DATA_CLASSES = ("behavioral", "transactional")
Progress = Callable[[Feed, int], None]


@dataclass(slots=True)
class ExportReport:
    """What one export did."""

    events: int = 0
    orders: int = 0
    order_lines: int = 0
    batches: int = 0
    last_batch: int = 0
    started_at: datetime | None = None
    until: datetime | None = None  # rows received after this are left for the next run
    future_dated: int = 0  # rows dated after the export ran: kept, in their own partitions
    refunds: int = 0  # orders with a negative total: kept as they are
    zero_value: int = 0  # orders with a total of zero: kept as they are
    recovery: LakeRecovery = field(default_factory=LakeRecovery)


@dataclass(frozen=True, slots=True)
class LakeStatus:
    location: str
    manifest: LakeManifest
    partitions: list[PartitionStatus]
    pending: dict[Feed, int]  # rows in the store not yet in the lake


class PseudonymCache:
    """Pseudonyms of the customers met in one run, each computed once."""

    def __init__(self, pseudonyms: Pseudonymizer) -> None:
        self._pseudonyms = pseudonyms
        self._known: dict[CustomerId, str] = {}

    def __call__(self, customer_id: CustomerId) -> str:
        known = self._known.get(customer_id)
        if known is None:
            known = self._known[customer_id] = self._pseudonyms.pseudonym(customer_id)
        return known


def lake_event(event: FeedEvent, pseudonym: str) -> LakeEvent:
    """The lake's row of an event: the pseudonym instead of the id, sealed bytes untouched."""
    return LakeEvent(
        event_id=event.id,
        customer_pseudonym=pseudonym,
        source=event.source,
        type=event.type,
        name=event.name,
        occurred_at=event.occurred_at,
        received_at=event.received_at,
        properties=json.dumps(event.properties, sort_keys=True, separators=(",", ":")),
        sealed=event.sealed,
    )


def lake_order(order: FeedOrder, pseudonym: str) -> tuple[LakeOrder, list[LakeOrderLine]]:
    """The lake's rows of an order and its lines (numbered from 1)."""
    row = LakeOrder(
        order_id=order.id,
        customer_pseudonym=pseudonym,
        source=order.source,
        ordered_at=order.ordered_at,
        received_at=order.received_at,
        total=order.total,
        currency=order.currency,
    )
    lines = [
        LakeOrderLine(
            order_id=order.id,
            line_no=line_no,
            customer_pseudonym=pseudonym,
            source=order.source,
            ordered_at=order.ordered_at,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            unit_price=line.unit_price,
        )
        for line_no, line in enumerate(order.lines, start=1)
    ]
    return row, lines


@dataclass(frozen=True, slots=True)
class LakeExporter:
    """Exports the store to the lake incrementally, compacts it, reports on it; all audited."""

    uow_factory: UnitOfWorkFactory
    reader: UnitOfWorkFactory  # read-only: pages of the store
    lake: Lake
    pseudonyms: Pseudonymizer
    audit: AuditTrail
    clock: Clock

    def export(
        self,
        *,
        actor: Actor,
        settle: timedelta = DEFAULT_SETTLE,
        page_size: int = DEFAULT_PAGE,
        progress: Progress | None = None,
    ) -> ExportReport:
        """Copy rows received since the last export (and ``settle`` ago or earlier)."""
        with self.reader() as uow:
            refuse_if_exports_frozen(uow, act="lake export")
        report = ExportReport(recovery=self.lake.recover())
        report.started_at = self.clock.now()
        report.until = report.started_at - settle
        manifest = self.lake.manifest()
        pseudonym = PseudonymCache(self.pseudonyms)
        for feed in Feed:
            manifest = self._export_feed(feed, manifest, report, pseudonym, page_size, progress)
        report.last_batch = manifest.last_batch
        self._record(actor, AuditAction.LAKE_EXPORTED, _export_detail(report))
        return report

    def compact(self, *, actor: Actor, min_files: int = 2) -> CompactionReport:
        """Merge each partition of at least ``min_files`` files into one file."""
        self.lake.recover()
        compaction = self.lake.compact(min_files=min_files)
        detail: dict[str, str | int] = {
            "partitions": compaction.partitions,
            "files_before": compaction.files_before,
            "files_after": compaction.files_after,
            "rows": compaction.rows,
        }
        self._record(actor, AuditAction.LAKE_COMPACTED, detail)
        return compaction

    def status(self) -> LakeStatus:
        """The lake's manifest and partitions, and what the store holds beyond it."""
        manifest = self.lake.manifest()
        until = self.clock.now()
        with self.reader() as uow:
            pending = {
                feed: uow.lake_feed.count_after(feed, manifest.marks.get(feed), until=until)
                for feed in Feed
            }
        return LakeStatus(self.lake.location, manifest, self.lake.partitions(), pending)

    def _export_feed(  # noqa: PLR0917 - private, one call site
        self,
        feed: Feed,
        manifest: LakeManifest,
        report: ExportReport,
        pseudonym: PseudonymCache,
        page_size: int,
        progress: Progress | None,
    ) -> LakeManifest:
        assert report.until is not None
        while True:
            mark = manifest.marks.get(feed)
            with self.reader() as uow:
                if feed is Feed.EVENTS:
                    events = uow.lake_feed.events_after(mark, until=report.until, limit=page_size)
                    batch = _event_batch(manifest.last_batch + 1, events, pseudonym, report)
                else:
                    orders = uow.lake_feed.orders_after(mark, until=report.until, limit=page_size)
                    batch = _order_batch(manifest.last_batch + 1, orders, pseudonym, report)
            if batch is None:
                return manifest
            manifest = self.lake.commit(batch)
            report.batches += 1
            if progress is not None:
                progress(feed, len(batch.events) + len(batch.orders))

    def _record(self, actor: Actor, action: AuditAction, detail: dict[str, str | int]) -> None:
        draft = AuditDraft(
            actor=actor.label,
            action=action,
            outcome=Outcome.SUCCESS,
            resource_type="lake",
            data_classes=LAKE_DATA_CLASSES,
            purpose="analytics",
            detail={"location": "lake", **detail},
            origin=actor.origin,
        )
        with self.uow_factory() as uow:
            self.audit.record(uow, [draft])
            uow.commit()


def _event_batch(
    number: int, events: Sequence[FeedEvent], pseudonym: PseudonymCache, report: ExportReport
) -> LakeBatch | None:
    if not events:
        return None
    rows = [lake_event(event, pseudonym(event.customer_id)) for event in events]
    report.events += len(rows)
    report.future_dated += sum(_is_future(event.occurred_at, report) for event in events)
    last = events[-1]
    return LakeBatch(number, events=rows, marks={Feed.EVENTS: FeedMark(last.received_at, last.id)})


def _order_batch(
    number: int, orders: Sequence[FeedOrder], pseudonym: PseudonymCache, report: ExportReport
) -> LakeBatch | None:
    if not orders:
        return None
    rows: list[LakeOrder] = []
    lines: list[LakeOrderLine] = []
    for order in orders:
        row, order_lines = lake_order(order, pseudonym(order.customer_id))
        rows.append(row)
        lines.extend(order_lines)
        report.refunds += order.total < 0
        report.zero_value += order.total == 0
        report.future_dated += _is_future(order.ordered_at, report)
    report.orders += len(rows)
    report.order_lines += len(lines)
    last = orders[-1]
    mark = FeedMark(last.received_at, last.id)
    return LakeBatch(number, orders=rows, lines=lines, marks={Feed.ORDERS: mark})


def _is_future(moment: datetime, report: ExportReport) -> bool:
    return report.started_at is not None and moment > report.started_at


def _export_detail(report: ExportReport) -> dict[str, str | int]:
    return {
        LakeTable.EVENTS.value: report.events,
        LakeTable.ORDERS.value: report.orders,
        LakeTable.ORDER_LINES.value: report.order_lines,
        "batches": report.batches,
        "last_batch": report.last_batch,
    }
