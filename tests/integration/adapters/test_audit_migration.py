"""Revision 0005 gives entries written before it their leaf hashes; their chain still verifies."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, update

from strongroom.adapters.sql.migrate import alembic_config, upgrade_database
from strongroom.adapters.sql.tables import AUDIT_HEAD_ID, audit_entries, audit_head
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.chain import entry_leaf_hash, extend
from strongroom.audit.service import verify_audit_log
from strongroom.core.trail import GENESIS_HASH, AuditAction, AuditDraft, AuditHead, Outcome

WHEN = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def _old_entries() -> list[dict[str, object]]:
    drafts = [
        AuditDraft(
            actor="local:ops",
            action=AuditAction.TOKEN_CREATED,
            outcome=Outcome.SUCCESS,
            resource_type="api_token",
            resource_ids=(f"tok-{n}",),
            purpose="administration",
            detail={"role": "support", "n": n, "note": "caf\u00e9"},
        )
        for n in range(12)
    ]
    return [
        {
            "seq": entry.seq,
            "occurred_at": entry.occurred_at,
            "actor": entry.draft.actor,
            "action": entry.draft.action.stored_name,
            "outcome": entry.draft.outcome.value,
            "resource_type": entry.draft.resource_type,
            "resource_ids": list(entry.draft.resource_ids),
            "data_classes": [],
            "purpose": entry.draft.purpose,
            "detail": dict(entry.draft.detail),
            "prev_hash": entry.prev_hash,
            "entry_hash": entry.entry_hash,
        }
        for entry in extend(AuditHead(0, GENESIS_HASH), WHEN, drafts)
    ]


def test_upgrading_computes_the_leaf_hash_of_every_existing_entry(sql_engine: Engine) -> None:
    with sql_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0004")
    try:
        rows = _old_entries()
        with sql_engine.begin() as connection:
            # The 0004 schema: the insert names only the columns it had.
            connection.execute(audit_entries.insert(), rows)
            connection.execute(
                update(audit_head)
                .where(audit_head.c.id == AUDIT_HEAD_ID)
                .values(seq=rows[-1]["seq"], entry_hash=rows[-1]["entry_hash"])
            )
    finally:
        upgrade_database(sql_engine)
    factory = SqlUnitOfWorkFactory(sql_engine)
    assert verify_audit_log(uow_factory=factory).entries_checked == 12
    with factory() as uow:
        entries = list(uow.audit.scan())
    assert all(entry.leaf_hash == entry_leaf_hash(entry) for entry in entries)
    assert all(entry.draft.origin is None for entry in entries)
