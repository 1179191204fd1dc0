"""Tampering with the audit log in the database itself (raw SQL), on SQLite and PostgreSQL.

Each kind of tampering makes `verify` fail, naming the entry or the checkpoint file; nothing is
repaired. The exported checkpoint directory is what catches the attacker who also rewrites the
hashes and the head.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update

from strongroom.adapters.checkpoint_sinks import DirectoryCheckpointSink
from strongroom.adapters.sql.tables import (
    AUDIT_HEAD_ID,
    audit_checkpoints,
    audit_entries,
    audit_head,
)
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.chain import extend
from strongroom.audit.checkpointer import AuditCheckpointer
from strongroom.audit.checkpoints import sign_checkpoint
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.core.errors import AuditIntegrityError
from strongroom.core.trail import AuditAction, AuditDraft, AuditHead, Origin, Outcome
from strongroom.vault.keyring import KeyKind, Keyring

OPERATOR = "local:ops"


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class World:
    engine: Engine
    factory: SqlUnitOfWorkFactory
    audit: AuditLog
    keys: Keyring
    archive: DirectoryCheckpointSink
    checkpointer: AuditCheckpointer

    def record(self, count: int) -> None:
        drafts = [_draft(n) for n in range(count)]
        for start in range(0, count, 7):  # batches, as the hot paths append them
            with self.factory() as uow:
                self.audit.record(uow, drafts[start : start + 7])
                uow.commit()

    def verify(self) -> None:
        verify_audit_log(uow_factory=self.factory, keys=self.keys, archive=self.archive)

    def rows(self) -> list[dict[str, object]]:
        with self.engine.connect() as connection:
            result = connection.execute(select(audit_entries).order_by(audit_entries.c.seq))
            return [dict(row._mapping) for row in result]

    def set_head(self, seq: int) -> None:
        with self.engine.begin() as connection:
            digest = connection.execute(
                select(audit_entries.c.entry_hash).where(audit_entries.c.seq == seq)
            ).scalar_one()
            connection.execute(
                update(audit_head)
                .where(audit_head.c.id == AUDIT_HEAD_ID)
                .values(seq=seq, entry_hash=digest)
            )


def _draft(n: int) -> AuditDraft:
    return AuditDraft(
        actor=f"staff:person{n % 3}",
        action=AuditAction.CUSTOMER_READ,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(f"cust-{n}",),
        data_classes=("pii",),
        purpose="support",
        origin=Origin("198.51.100.4", "httpx/0.28", f"req-{n}") if n % 2 else None,
    )


@pytest.fixture
def world(sql_engine: Engine, tmp_path: Path) -> World:
    """30 entries and a checkpoint exported to a directory (it covers 31: its own entry too)."""
    factory = SqlUnitOfWorkFactory(sql_engine)
    audit = AuditLog(Clock())
    keys = Keyring({KeyKind.AUDIT_SIGNING: {1: os.urandom(32)}})
    archive = DirectoryCheckpointSink(tmp_path / "audit-checkpoints")
    checkpointer = AuditCheckpointer(
        uow_factory=factory, audit=audit, keys=keys, clock=Clock(), sinks=[archive]
    )
    built = World(sql_engine, factory, audit, keys, archive, checkpointer)
    built.record(30)
    checkpointer.checkpoint_if_due()
    return built


def _checkpoint_file(world: World) -> Path:
    (only,) = world.archive.exported()
    return Path(only[0])


def test_an_untouched_log_verifies_against_its_exported_checkpoint(world: World) -> None:
    report = verify_audit_log(uow_factory=world.factory, keys=world.keys, archive=world.archive)
    assert report.entries_checked == 31
    assert report.exported_checkpoints == 1
    assert report.stored_checkpoints == 1
    assert report.latest_exported == str(_checkpoint_file(world))
    assert report.warnings == ()


def test_an_edited_row_is_named(world: World) -> None:
    with world.engine.begin() as connection:
        connection.execute(
            update(audit_entries).where(audit_entries.c.seq == 5).values(actor="staff:nobody")
        )
    with pytest.raises(AuditIntegrityError, match="audit entry 5 was changed") as caught:
        world.verify()
    assert caught.value.seq == 5


def test_an_edited_origin_is_named(world: World) -> None:
    with world.engine.begin() as connection:
        connection.execute(
            update(audit_entries).where(audit_entries.c.seq == 8).values(ip="10.0.0.1")
        )
    with pytest.raises(AuditIntegrityError, match="audit entry 8 was changed"):
        world.verify()


def test_reordered_rows_are_named(world: World) -> None:
    rows = world.rows()
    third, fourth = rows[2], rows[3]
    with world.engine.begin() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq.in_([3, 4])))
        connection.execute(audit_entries.insert(), [{**fourth, "seq": 3}, {**third, "seq": 4}])
    with pytest.raises(AuditIntegrityError, match="audit entry 3 does not follow entry 2"):
        world.verify()


def test_an_inserted_row_is_named(world: World) -> None:
    rows = world.rows()
    with world.engine.begin() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq > 10))
        shifted = [{**row, "seq": int(str(row["seq"])) + 1} for row in rows[10:]]
        connection.execute(audit_entries.insert(), [{**rows[9], "seq": 11}, *shifted])
    with pytest.raises(AuditIntegrityError, match="audit entry 11 does not follow entry 10"):
        world.verify()


def test_a_deleted_row_is_named(world: World) -> None:
    with world.engine.begin() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq == 7))
    with pytest.raises(AuditIntegrityError, match="audit entry 7 is missing") as caught:
        world.verify()
    assert caught.value.seq == 7


def test_a_changed_leaf_hash_is_named(world: World) -> None:
    with world.engine.begin() as connection:
        connection.execute(
            update(audit_entries).where(audit_entries.c.seq == 12).values(leaf_hash=bytes(32))
        )
    with pytest.raises(AuditIntegrityError, match="audit entry 12 has a stored leaf hash"):
        world.verify()


def test_a_truncated_tail_with_the_head_moved_back_is_caught_by_the_exported_checkpoint(
    world: World,
) -> None:
    with world.engine.begin() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq > 20))
        connection.execute(delete(audit_checkpoints))  # the attacker covers this up too
    world.set_head(20)
    path = _checkpoint_file(world)
    with pytest.raises(AuditIntegrityError) as caught:
        world.verify()
    assert str(path) in caught.value.message
    assert "holds 20 entries" in caught.value.message
    assert "entries 21 to 31 were deleted" in caught.value.message
    assert (caught.value.seq, caught.value.checkpoint) == (21, str(path))


def _rewrite(world: World, seq: int) -> None:
    """Change entry ``seq``'s actor and recompute every hash from it on, and the head, as a
    careful attacker with write access to the database would; drop the stored checkpoints."""
    rows = world.rows()
    with world.factory() as uow:
        entries = list(uow.audit.scan())
    head = AuditHead(seq - 1, entries[seq - 2].entry_hash)
    drafts = [replace(entries[seq - 1].draft, actor="staff:somebody-else")]
    drafts += [entry.draft for entry in entries[seq:]]
    forged = []
    for entry, draft in zip(entries[seq - 1 :], drafts, strict=True):
        forged += extend(head, entry.occurred_at, [draft])
        head = AuditHead(forged[-1].seq, forged[-1].entry_hash)
    with world.engine.begin() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.seq >= seq))
        connection.execute(delete(audit_checkpoints))
        connection.execute(
            audit_entries.insert(),
            [
                {
                    **row,
                    "actor": entry.draft.actor,
                    "prev_hash": entry.prev_hash,
                    "entry_hash": entry.entry_hash,
                    "leaf_hash": entry.leaf_hash,
                }
                for row, entry in zip(rows[seq - 1 :], forged, strict=True)
            ],
        )
    world.set_head(len(rows))


def test_a_history_rewritten_with_fresh_hashes_is_caught_by_the_exported_checkpoint(
    world: World,
) -> None:
    _rewrite(world, 5)
    verify_audit_log(uow_factory=world.factory)  # the chain alone is fooled
    with pytest.raises(AuditIntegrityError, match="does not match checkpoint file") as caught:
        world.verify()
    assert caught.value.checkpoint == str(_checkpoint_file(world))
    assert "the change lies in entries 1 to 31" in caught.value.message


def test_a_rewrite_is_narrowed_down_to_between_two_checkpoints(world: World) -> None:
    world.record(10)
    world.checkpointer.checkpoint_if_due(final=True)  # a second checkpoint, of 42 entries
    _rewrite(world, 35)
    with pytest.raises(AuditIntegrityError) as caught:
        world.verify()
    assert caught.value.checkpoint is not None
    assert caught.value.checkpoint.endswith("checkpoint-000000000042.json")
    assert "so the change lies in entries 32 to 42" in caught.value.message


def test_a_forged_checkpoint_file_is_named(world: World) -> None:
    path = _checkpoint_file(world)
    document = json.loads(path.read_text())
    document["tree_size"] = 3
    path.write_text(json.dumps(document))
    with pytest.raises(AuditIntegrityError, match="signature does not match") as caught:
        world.verify()
    assert caught.value.checkpoint == str(path)
    assert str(path) in caught.value.message


def test_a_checkpoint_signed_with_another_key_is_named(world: World) -> None:
    stranger = Keyring({KeyKind.AUDIT_SIGNING: {1: os.urandom(32)}})
    forged = sign_checkpoint(
        stranger, tree_size=20, root_hash=bytes(32), timestamp=datetime.now(UTC)
    )
    path = world.archive.directory / "checkpoint-000000000020.json"
    path.write_text(forged.to_json())
    with pytest.raises(AuditIntegrityError, match="not this data home's audit-signing key"):
        world.verify()


def test_a_changed_checkpoint_row_in_the_database_is_named(world: World) -> None:
    with world.engine.begin() as connection:
        connection.execute(update(audit_checkpoints).values(root_hash=bytes(32)))
    with pytest.raises(AuditIntegrityError, match="tree size 31 stored in the database"):
        world.verify()


def test_a_checkpoint_is_never_signed_over_a_tampered_tail(world: World) -> None:
    world.record(5)
    with world.engine.begin() as connection:
        connection.execute(
            update(audit_entries).where(audit_entries.c.seq == 33).values(purpose="marketing")
        )
    with pytest.raises(AuditIntegrityError, match="audit entry 33 was changed"):
        world.checkpointer.checkpoint_if_due(final=True)
    with world.factory() as uow:
        assert uow.audit.latest_checkpoint().tree_size == 31  # type: ignore[union-attr]
        assert uow.audit.head().seq == 36  # the checkpoint's own entry was rolled back
