"""Bulk export of customer profiles: every customer, read through the policy as the exporting
staff member, with four eyes, and charged to the volume cap as a whole before anything is read.

The file holds exactly what that person's reads would show: the role's masking, the training
gate, the consent ledger (customers whose consent does not allow the purpose are left out) and
legal holds (a customer under hold is not exported); erased customers have nothing left to
export. The approval binds the format, the purpose and the person (``bulk_export_payload``). It
is used up, the whole export is charged against the role's hourly cap, and one
``customers.exported`` entry (the count; no ids, no data) is recorded in one transaction before
the first profile is decrypted. Over the cap, or with a bad approval, nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from strongroom.access.approvals import FourEyes
from strongroom.access.consent import consent_allows
from strongroom.access.gate import authorise
from strongroom.access.holds import refuse_if_exports_frozen
from strongroom.access.permissions import Permission
from strongroom.access.policy import FieldDecision, field_decision, role_named
from strongroom.access.profiles import CustomerView, customer_view, trained_for
from strongroom.access.volume import charge, refusal
from strongroom.core.clock import Clock
from strongroom.core.models import Actor, CustomerId, JsonValue
from strongroom.core.monitoring import HoneytokenWatch
from strongroom.core.policy import ApprovalKind
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.schema import CUSTOMER_FIELDS, DataClass
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.service import SubjectVault

EXPORT_BATCH = 500  # customers read, decrypted and written at a time: memory stays flat

Row = dict[str, JsonValue]
RowSink = Callable[[Iterator[list[Row]]], int]  # writes every batch; returns the rows written
ExportProgress = Callable[[int, int], None]  # (customers written so far, customers to write)

FIELD_COLUMNS = tuple(spec.name for spec in CUSTOMER_FIELDS)
_DETAIL_COLUMNS = ("masked_fields", "identifiers", "consents", "event_count", "order_count")
CSV_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    *FIELD_COLUMNS,
    "other_traits",  # traits outside the known fields, as JSON
    *_DETAIL_COLUMNS,
    "order_total",
    "cards",
)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def bulk_export_payload(*, export_format: ExportFormat, purpose: str, reader: str) -> str:
    """What an approval of a bulk export binds: what is exported, in which format, for which
    purpose, and who reads it (the staff member whose token runs the export)."""
    return f"bulk_export:customers:{export_format.value}:{purpose}:{reader}"


@dataclass(frozen=True, slots=True)
class BulkExportReport:
    records: int  # profiles written
    purpose: str
    approval_id: str
    pii_masked: bool  # the role (or missing training) masks PII in the file


@dataclass(frozen=True, slots=True)
class _Plan:
    """One export as approved and charged."""

    actor: Actor
    export_format: ExportFormat
    purpose: str
    approval_id: str
    records: int  # the customers to export: the count approved, charged and audited
    pii_masked: bool

    @property
    def payload(self) -> str:
        return bulk_export_payload(
            export_format=self.export_format, purpose=self.purpose, reader=self.actor.name
        )


@dataclass(frozen=True, slots=True)
class CustomerExporter:
    uow_factory: UnitOfWorkFactory
    reader: UnitOfWorkFactory  # read-only: batches are read without taking the write lock
    vault: SubjectVault
    audit: AuditTrail
    clock: Clock
    four_eyes: FourEyes
    watch: HoneytokenWatch | None = None  # shown each batch's ids: a canary in it alerts at once

    def export(
        self,
        *,
        actor: Actor,
        export_format: ExportFormat,
        purpose: str,
        approval_id: str | None,
        sink: RowSink,
        progress: ExportProgress | None = None,
    ) -> BulkExportReport:
        """Every customer ``actor`` may read for ``purpose``, as they may see them, handed to
        ``sink`` in batches; refused (and audited) without a valid approval or over the cap."""
        stated = authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.CUSTOMERS_READ,
            purpose=purpose,
        )
        if approval_id is None:
            payload = bulk_export_payload(
                export_format=export_format, purpose=stated, reader=actor.name
            )
            raise self.four_eyes.missing(
                actor=actor, kind=ApprovalKind.BULK_EXPORT, payload=payload
            )
        role = role_named(actor.role or "")
        with self.reader() as uow:
            trained = trained_for(uow, actor, role, self.clock.now())
        plan = _Plan(
            actor=actor,
            export_format=export_format,
            purpose=stated,
            approval_id=approval_id,
            records=sum(len(ids) for ids in self._eligible(stated)),
            pii_masked=field_decision(role, DataClass.PII, trained=trained) is FieldDecision.MASK,
        )
        seq = self._approve_and_charge(plan)
        written = sink(self._rows(plan, seq, progress))
        return BulkExportReport(written, stated, approval_id, plan.pii_masked)

    def _approve_and_charge(self, plan: _Plan) -> int:
        """Use the approval up, charge the cap and record the export, all in one transaction;
        the sequence number of the ``customers.exported`` entry."""
        actor, now = plan.actor, self.clock.now()
        with self.uow_factory() as uow:
            refuse_if_exports_frozen(uow, act="bulk export")
            approval, problem = self.four_eyes.use_in(
                uow,
                actor=actor,
                approval_id=plan.approval_id,
                kind=ApprovalKind.BULK_EXPORT,
                payload=plan.payload,
            )
            over = None if problem else charge(uow, actor=actor, records=plan.records, now=now)
            if problem is None and over is None:
                self.audit.record(uow, [_exported_draft(plan)])
                seq = uow.audit.head().seq  # ours: the head is locked until the commit
                uow.commit()
                return seq
        if problem is not None:  # left uncommitted: nothing was used up or charged
            raise self.four_eyes.refuse(actor, approval, problem)
        assert over is not None
        raise refusal(
            uow_factory=self.uow_factory, audit=self.audit, actor=actor, limit=over, now=now
        )

    def _eligible(self, purpose: str) -> Iterator[list[CustomerId]]:
        """Batches of the ids of customers with a key (not erased), not under legal hold, whose
        consent allows ``purpose``; in id order. Each batch is read in its own transaction."""
        after: CustomerId | None = None
        while True:
            with self.reader() as uow:
                ids = uow.erasures.keyed_customers(after=after, limit=EXPORT_BATCH)
                held = {hold.customer_id for hold in uow.legal_holds.active_for(ids)}
                allowed = [
                    cid for cid in ids if cid not in held and consent_allows(uow, cid, purpose)
                ]
            if not ids:
                return
            yield allowed
            after = ids[-1]

    def _rows(self, plan: _Plan, seq: int, progress: ExportProgress | None) -> Iterator[list[Row]]:
        """The rows of at most ``plan.records`` customers (what was approved and charged).

        The honeytoken watch is shown each batch's ids as the export entry ``seq`` (the entry
        itself names no one: listing only the canaries would tell an auditor which they are)."""
        role = role_named(plan.actor.role or "")
        shape = csv_row if plan.export_format is ExportFormat.CSV else profile_record
        done = 0
        for eligible in self._eligible(plan.purpose):
            ids = eligible[: plan.records - done]
            with self.reader() as uow:
                trained = trained_for(uow, plan.actor, role, self.clock.now())
                found = uow.customers.get_many(ids)
                rows = [
                    shape(customer_view(self.vault, uow, found[cid], role=role, trained=trained))
                    for cid in ids
                    if cid in found
                ]
            done += len(rows)
            if self.watch is not None:
                self.watch.observe(replace(_exported_draft(plan), resource_ids=tuple(ids)), seq)
            if progress is not None:
                progress(done, plan.records)
            if rows:
                yield rows
            if done >= plan.records:
                return


def profile_record(view: CustomerView) -> Row:
    """One profile as a JSON object: the shape of ``customers show --json``."""
    return {
        "id": view.id,
        "created_at": view.created_at.isoformat(),
        "updated_at": view.updated_at.isoformat(),
        "traits": view.traits,
        "masked_fields": list(view.masked_fields),
        "identifiers": [{"kind": kind, "value": value} for kind, value in view.identifiers],
        "consents": dict(view.consents),
        "event_count": view.event_count,
        "order_count": view.order_count,
        "order_total": str(view.order_total),
        "cards": [
            {"token": card.token, "brand": card.brand, "last4": card.last4} for card in view.cards
        ],
    }


def csv_row(view: CustomerView) -> Row:
    """One profile flattened to ``CSV_COLUMNS``: a column per known field, the rest as JSON."""
    record = profile_record(view)
    others = {name: value for name, value in view.traits.items() if name not in FIELD_COLUMNS}
    return {
        "id": view.id,
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
        **{name: view.traits.get(name) for name in FIELD_COLUMNS},
        "other_traits": others or None,
        **{name: record[name] for name in _DETAIL_COLUMNS},
        "order_total": record["order_total"],
        "cards": record["cards"],
    }


def _exported_draft(plan: _Plan) -> AuditDraft:
    return AuditDraft(
        actor=plan.actor.label,
        action=AuditAction.CUSTOMERS_EXPORTED,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        purpose=plan.purpose,
        detail={
            "records": plan.records,
            "format": plan.export_format.value,
            "approval": plan.approval_id,
            "masked": "yes" if plan.pii_masked else "no",
        },
        origin=plan.actor.origin,
    )
