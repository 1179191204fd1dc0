"""Retention: data past its period per data class is deleted by `strongroom retention run`,
after a dry run that shows the counts. Customers under a legal hold keep everything.

What is never deleted by retention: the audit log (tamper-evident, append-only), the consent
ledger (the proof of consent must outlive its use) and erasure receipts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.core.clock import Clock, add_months
from strongroom.core.models import Actor, CustomerId
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.schema import EVENT_DATA_CLASS, ORDER_DATA_CLASS
from strongroom.core.trail import AuditAction, AuditDraft, Outcome

BATCH = 5000
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """Keep records of ``data_class`` for ``months``; older ones go."""

    data_class: str
    records: str  # what the rule deletes: "events" or "orders"
    months: int


@dataclass(frozen=True, slots=True)
class RetentionCount:
    rule: RetentionRule
    cutoff: datetime
    due: int  # records past the period (before the run)
    deleted: int  # 0 in a dry run


def retention_rules(*, event_months: int, order_months: int) -> tuple[RetentionRule, ...]:
    """The rules in force, from the settings."""
    return (
        RetentionRule(EVENT_DATA_CLASS.value, "events", event_months),
        RetentionRule(ORDER_DATA_CLASS.value, "orders", order_months),
    )


@dataclass(frozen=True, slots=True)
class RetentionRunner:
    uow_factory: UnitOfWorkFactory
    audit: AuditTrail
    clock: Clock

    def run(
        self,
        *,
        actor: Actor,
        rules: Sequence[RetentionRule],
        dry_run: bool,
        progress: Progress | None = None,
        purpose: str = "administration",
    ) -> list[RetentionCount]:
        """Count (and unless ``dry_run``, delete) what each rule says is past its period.

        For the operator holding the root passphrase; staff go through ``run_for_staff``.
        """
        now = self.clock.now()
        with self.uow_factory() as uow:
            held = _held_customers(uow)
        counts = [
            self._apply(rule, add_months(now, -rule.months), held, dry_run, progress)
            for rule in rules
        ]
        with self.uow_factory() as uow:
            self.audit.record(uow, [_ran(actor, counts, dry_run, purpose)])
            uow.commit()
        return counts

    def run_for_staff(
        self,
        *,
        actor: Actor,
        rules: Sequence[RetentionRule],
        dry_run: bool,
        purpose: str | None = None,
    ) -> list[RetentionCount]:
        """``run`` for a staff member: a dry run needs ``privacy.manage``; a real run deletes
        personal data for good, so it needs ``customers.erase``."""
        permission = Permission.PRIVACY_MANAGE if dry_run else Permission.CUSTOMERS_ERASE
        stated = authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=permission,
            purpose=purpose,
            resource_type="retention",
        )
        return self.run(actor=actor, rules=rules, dry_run=dry_run, purpose=stated)

    def _apply(
        self,
        rule: RetentionRule,
        cutoff: datetime,
        held: list[CustomerId],
        dry_run: bool,
        progress: Progress | None,
    ) -> RetentionCount:
        with self.uow_factory() as uow:
            due = _repository(uow, rule).count_before(cutoff, keep=held)
        deleted = 0
        while not dry_run and deleted < due:
            # One transaction per batch: a long run never holds the write lock for long, and an
            # interrupted run resumes where it stopped.
            with self.uow_factory() as uow:
                done = _repository(uow, rule).delete_before(cutoff, keep=held, limit=BATCH)
                uow.commit()
            if done == 0:
                break
            deleted += done
            if progress:
                progress(rule.records, deleted, due)
        return RetentionCount(rule, cutoff, due, deleted)


def _repository(uow: UnitOfWork, rule: RetentionRule) -> _Deleter:
    return uow.events if rule.records == "events" else uow.orders


class _Deleter(Protocol):  # the part of the event and order repositories retention uses
    def count_before(self, cutoff: datetime, *, keep: Sequence[CustomerId]) -> int: ...

    def delete_before(self, cutoff: datetime, *, keep: Sequence[CustomerId], limit: int) -> int: ...


def _held_customers(uow: UnitOfWork) -> list[CustomerId]:
    return sorted({hold.customer_id for hold in uow.legal_holds.list(active_only=True)})


def _ran(actor: Actor, counts: Sequence[RetentionCount], dry_run: bool, purpose: str) -> AuditDraft:
    detail: dict[str, str | int] = {"dry_run": int(dry_run)}
    for count in counts:
        detail[f"{count.rule.records}_due"] = count.due
        detail[f"{count.rule.records}_deleted"] = count.deleted
        detail[f"{count.rule.records}_cutoff"] = count.cutoff.isoformat()
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.RETENTION_RUN,
        outcome=Outcome.SUCCESS,
        resource_type="retention",
        data_classes=tuple(sorted({count.rule.data_class for count in counts})),
        purpose=purpose,
        detail=detail,
        origin=actor.origin,
    )
