"""The warehouse build: facts from the lake, customers from the store, nothing personal.

Each build (one warehouse transaction):
1. copies the lake batches committed since the last build into the fact tables;
2. gives every fact its owner's current pseudonym, read from the store: identity merges (and
   their undoing) move events and orders between customers, and a new pseudonym key version
   renames everyone; the lake keeps the owner at export time, the warehouse follows the store;
3. rebuilds dim_customer from plain demographics and the order history. Erased customers (their
   subject key destroyed) get no row: their facts stay, under a pseudonym nothing in the
   warehouse links to a person, so revenue and funnels still add up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from strongroom.analytics.lake import LAKE_DATA_CLASSES, PseudonymCache
from strongroom.core.clock import Clock
from strongroom.core.lake import (
    DimCustomerRow,
    Feed,
    Lake,
    Warehouse,
    WarehouseSession,
    WarehouseStatus,
)
from strongroom.core.models import Actor, CustomerId, JsonValue
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.pseudonyms import Pseudonymizer

# Lifecycle stages, by days since the first and the latest order (refunds do not count).
NEW_DAYS = 30  # first order at most this long ago: new
ACTIVE_DAYS = 90  # latest order at most this long ago: active
LAPSED_DAYS = 180  # latest order more than this long ago: lapsed; in between: lapsing
AGE_BANDS = ((18, "under 18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"),
             (65, "55-64"), (121, "65+"))  # fmt: skip
PAGE = 5000
Progress = Callable[[str, int], None]


def lifecycle_stage(
    first_order: datetime | None, last_order: datetime | None, *, now: datetime
) -> str:
    """prospect, new, active, lapsing or lapsed; orders dated in the future count as today."""
    if first_order is None or last_order is None:
        return "prospect"
    if now - first_order <= timedelta(days=NEW_DAYS):
        return "new"
    since_last = now - last_order
    if since_last <= timedelta(days=ACTIVE_DAYS):
        return "active"
    if since_last <= timedelta(days=LAPSED_DAYS):
        return "lapsing"
    return "lapsed"


def age_band(age: JsonValue) -> str | None:
    """The band of a plain 'age' demographic; None when missing or not a plausible age."""
    if isinstance(age, bool) or not isinstance(age, int) or age < 0:
        return None
    return next((band for limit, band in AGE_BANDS if age < limit), None)


def region(demographics: Mapping[str, JsonValue]) -> str | None:
    """'US' or 'US-CA' from plain 'country' and 'state' demographics, when the schema has them.

    Never from the postal address: that is PII, encrypted, and the warehouse decrypts nothing.
    """
    country = demographics.get("country")
    if not isinstance(country, str) or not country.strip():
        return None
    state = demographics.get("state", demographics.get("region"))
    code = country.strip().upper()
    return f"{code}-{state.strip().upper()}" if isinstance(state, str) and state.strip() else code


@dataclass(slots=True)
class BuildReport:
    lake_batch: int = 0  # the lake batch the warehouse now holds up to
    lake_empty: bool = False
    loaded: dict[str, int] = field(default_factory=dict)  # new fact rows per table
    owners_changed: int = 0  # facts moved to another pseudonym (merges, key rotation)
    customers: int = 0
    erased_left_out: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # rows per table after the build


@dataclass(frozen=True, slots=True)
class WarehouseBuilder:
    """Builds and refreshes the warehouse from the lake and the store; audited."""

    uow_factory: UnitOfWorkFactory
    reader: UnitOfWorkFactory
    lake: Lake
    warehouse: Warehouse
    pseudonyms: Pseudonymizer
    audit: AuditTrail
    clock: Clock

    def build(self, *, actor: Actor, progress: Progress | None = None) -> BuildReport:
        """Bring the warehouse up to the lake's last committed batch and the store's owners."""
        now = self.clock.now()
        manifest = self.lake.manifest()
        report = BuildReport(lake_batch=manifest.last_batch, lake_empty=manifest.last_batch == 0)
        pseudonym = PseudonymCache(self.pseudonyms)
        with self.warehouse.session() as session:
            if not report.lake_empty:
                after = session.loaded_batch()
                report.loaded = session.load_lake(after=after, through=manifest.last_batch)
                report.owners_changed = self._resolve_owners(session, pseudonym, progress)
                self._customers(session, pseudonym, report, now, progress)
            report.rows = session.commit(lake_batch=manifest.last_batch, built_at=now)
        self._record(actor, report)
        return report

    def status(self) -> WarehouseStatus:
        return self.warehouse.status()

    def _resolve_owners(
        self, session: WarehouseSession, pseudonym: PseudonymCache, progress: Progress | None
    ) -> int:
        changed = 0
        for feed in Feed:
            after: str | None = None
            while True:
                with self.reader() as uow:
                    owners = uow.lake_feed.owners_after(feed, after, limit=PAGE)
                if not owners:
                    break
                changed += session.set_owners(feed, [(i, pseudonym(c)) for i, c in owners])
                after = owners[-1][0]
                if progress is not None:
                    progress(f"owners of {feed.value}", len(owners))
        return changed

    def _customers(
        self,
        session: WarehouseSession,
        pseudonym: PseudonymCache,
        report: BuildReport,
        now: datetime,
        progress: Progress | None,
    ) -> None:
        spans = session.order_spans()
        rows: list[DimCustomerRow] = []
        after: CustomerId | None = None
        while True:
            with self.reader() as uow:
                customers = uow.lake_feed.customers_after(after, limit=PAGE)
            if not customers:
                break
            for customer in customers:
                if customer.erased:
                    report.erased_left_out += 1
                    continue
                name = pseudonym(customer.id)
                first, last = spans.get(name, (None, None))
                rows.append(
                    DimCustomerRow(
                        customer_pseudonym=name,
                        age_band=age_band(customer.demographics.get("age")),
                        region=region(customer.demographics),
                        lifecycle_stage=lifecycle_stage(first, last, now=now),
                        first_order_at=first,
                        last_order_at=last,
                    )
                )
            after = customers[-1].id
            if progress is not None:
                progress("customers", len(customers))
        session.replace_customers(rows)
        report.customers = len(rows)

    def _record(self, actor: Actor, report: BuildReport) -> None:
        detail: dict[str, str | int] = {
            "lake_batch": report.lake_batch,
            "owners_changed": report.owners_changed,
            "customers": report.customers,
            "erased_left_out": report.erased_left_out,
            **{f"loaded_{name}": count for name, count in report.loaded.items()},
        }
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.WAREHOUSE_BUILT,
            outcome=Outcome.SUCCESS,
            resource_type="warehouse",
            data_classes=(*LAKE_DATA_CLASSES, "demographic"),
            purpose="analytics",
            detail=detail,
            origin=actor.origin,
        )
        with self.uow_factory() as uow:
            self.audit.record(uow, [draft])
            uow.commit()
