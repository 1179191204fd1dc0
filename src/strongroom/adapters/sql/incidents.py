"""SQL repositories of incident response: incidents (roles, tasks, suspects, timeline) and
containment."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import chunked, domain_errors, unique, write
from strongroom.adapters.sql.tables import (
    api_tokens,
    audit_entries,
    principals,
    sources,
    write_keys,
)
from strongroom.adapters.sql.tables_respond import (
    export_freeze,
    incident_roles,
    incident_suspects,
    incident_tasks,
    incident_timeline,
    incidents,
)
from strongroom.core.errors import NotFoundError
from strongroom.core.incidents import (
    ExportFreeze,
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentTask,
    RoleAssignment,
    SuspectAct,
    SuspectWatch,
    TaskStatus,
    TimelineDraft,
    TimelineEntry,
    TimelineKind,
)
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction, Outcome

_FREEZE_ROW = 1


def _incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity.value,
        "status": incident.status.value,
        "opened_at": incident.opened_at,
        "opened_by": incident.opened_by,
        "aware_at": incident.aware_at,
        "updated_at": incident.updated_at,
        "principals": list(incident.principals),
        "alert_id": incident.alert_id,
        "closed_at": incident.closed_at,
    }


def _incident(row: Row[Any]) -> Incident:
    return Incident(
        id=row.id,
        title=row.title,
        severity=Severity(row.severity),
        status=IncidentStatus(row.status),
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        aware_at=row.aware_at,
        updated_at=row.updated_at,
        principals=tuple(str(p) for p in row.principals),
        alert_id=row.alert_id,
        closed_at=row.closed_at,
    )


def _task_row(task: IncidentTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "incident_id": task.incident_id,
        "title": task.title,
        "status": task.status.value,
        "owner": task.owner,
        "created_at": task.created_at,
        "done_at": task.done_at,
    }


def _task(row: Row[Any]) -> IncidentTask:
    return IncidentTask(
        id=row.id,
        incident_id=row.incident_id,
        title=row.title,
        status=TaskStatus(row.status),
        created_at=row.created_at,
        owner=row.owner,
        done_at=row.done_at,
    )


def _entry(row: Row[Any]) -> TimelineEntry:
    draft = TimelineDraft(
        incident_id=row.incident_id,
        at=row.at,
        kind=TimelineKind(row.kind),
        actor=row.actor,
        text=row.text,
        detail=dict(row.detail),
        audit_seq=row.audit_seq,
    )
    return TimelineEntry(row.id, draft)


class SqlIncidentRepository:
    """Incidents and what hangs off them; the timeline is only ever inserted into."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, incident: Incident) -> None:
        write(self._connection, insert(incidents), [_incident_row(incident)])

    def update(self, incident: Incident) -> None:
        statement = (
            update(incidents).where(incidents.c.id == incident.id).values(_incident_row(incident))
        )
        with domain_errors():
            if self._connection.execute(statement).rowcount != 1:
                raise NotFoundError(f"no incident with id {incident.id!r}")

    def get(self, incident_id: str) -> Incident | None:
        statement = select(incidents).where(incidents.c.id == incident_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _incident(row)

    def by_alert(self, alert_id: str) -> Incident | None:
        statement = select(incidents).where(incidents.c.alert_id == alert_id)
        row = self._connection.execute(statement).first()
        return None if row is None else _incident(row)

    def list(
        self, *, status: IncidentStatus | None = None, limit: int = 100
    ) -> builtins.list[Incident]:
        check_limit(limit)
        statement = select(incidents).order_by(incidents.c.opened_at.desc(), incidents.c.id)
        if status is not None:
            statement = statement.where(incidents.c.status == status.value)
        return [_incident(row) for row in self._connection.execute(statement.limit(limit))]

    def assign(self, assignment: RoleAssignment) -> None:
        key = (incident_roles.c.incident_id == assignment.incident_id) & (
            incident_roles.c.role == assignment.role.value
        )
        row = {
            "incident_id": assignment.incident_id,
            "role": assignment.role.value,
            "assignee": assignment.assignee,
            "assigned_at": assignment.assigned_at,
        }
        with domain_errors():
            self._connection.execute(delete(incident_roles).where(key))
            self._connection.execute(insert(incident_roles), [row])

    def roles(self, incident_id: str) -> builtins.list[RoleAssignment]:
        statement = select(incident_roles).where(incident_roles.c.incident_id == incident_id)
        found = [
            RoleAssignment(row.incident_id, IncidentRole(row.role), row.assignee, row.assigned_at)
            for row in self._connection.execute(statement)
        ]
        order = list(IncidentRole)
        return sorted(found, key=lambda a: order.index(a.role))

    def add_task(self, task: IncidentTask) -> None:
        write(self._connection, insert(incident_tasks), [_task_row(task)])

    def update_task(self, task: IncidentTask) -> None:
        statement = (
            update(incident_tasks)
            .where(incident_tasks.c.id == task.id)
            .where(incident_tasks.c.incident_id == task.incident_id)
            .values(_task_row(task))
        )
        with domain_errors():
            if self._connection.execute(statement).rowcount != 1:
                raise NotFoundError(f"no task {task.id!r} in incident {task.incident_id!r}")

    def tasks(self, incident_id: str) -> builtins.list[IncidentTask]:
        statement = (
            select(incident_tasks)
            .where(incident_tasks.c.incident_id == incident_id)
            .order_by(incident_tasks.c.created_at, incident_tasks.c.id)
        )
        return [_task(row) for row in self._connection.execute(statement)]

    def append(self, drafts: Sequence[TimelineDraft]) -> builtins.list[TimelineEntry]:
        appended: builtins.list[TimelineEntry] = []
        for draft in drafts:  # one by one: each needs its generated id back
            row = {
                "incident_id": draft.incident_id,
                "at": draft.at,
                "kind": draft.kind.value,
                "actor": draft.actor,
                "text": draft.text,
                "detail": dict(draft.detail),
                "audit_seq": draft.audit_seq,
                "copied_seq": draft.audit_seq if draft.kind is TimelineKind.AUDIT else None,
            }
            statement = insert(incident_timeline).returning(incident_timeline.c.id)
            with domain_errors():
                new_id = self._connection.execute(statement, row).scalar_one()
            appended.append(TimelineEntry(int(new_id), draft))
        return appended

    def timeline(self, incident_id: str) -> builtins.list[TimelineEntry]:
        statement = (
            select(incident_timeline)
            .where(incident_timeline.c.incident_id == incident_id)
            .order_by(incident_timeline.c.id)
        )
        return [_entry(row) for row in self._connection.execute(statement)]

    def watches(self, incident_id: str) -> builtins.list[SuspectWatch]:
        statement = (
            select(incident_suspects)
            .where(incident_suspects.c.incident_id == incident_id)
            .order_by(incident_suspects.c.label)
        )
        return [
            SuspectWatch(row.incident_id, row.label, row.since, int(row.synced_seq))
            for row in self._connection.execute(statement)
        ]

    def save_watch(self, watch: SuspectWatch) -> None:
        row = {
            "incident_id": watch.incident_id,
            "label": watch.label,
            "since": watch.since,
            "synced_seq": watch.synced_seq,
        }
        with domain_errors():
            self._connection.execute(delete(incident_suspects).where(_watch_key(watch)))
            self._connection.execute(insert(incident_suspects), [row])

    def drop_watch(self, incident_id: str, label: str) -> None:
        key = SuspectWatch(incident_id, label, datetime.min)
        self._connection.execute(delete(incident_suspects).where(_watch_key(key)))

    def suspect_acts(
        self, *, actor: str, after: int, since: datetime, until: datetime | None, limit: int
    ) -> builtins.list[SuspectAct]:
        check_limit(limit)
        a = audit_entries.c
        statement = (
            select(a.seq, a.occurred_at, a.actor, a.action, a.outcome, a.resource_type)
            .add_columns(a.resource_ids)  # counted here; the ids never leave the adapter
            .where(a.actor == actor, a.seq > after, a.occurred_at >= since)
            .order_by(a.seq)
            .limit(limit)
        )
        if until is not None:
            statement = statement.where(a.occurred_at <= until)
        return [
            SuspectAct(
                int(row.seq),
                row.occurred_at,
                row.actor,
                AuditAction.from_stored(row.action),
                Outcome(row.outcome),
                row.resource_type,
                len(row.resource_ids),
            )
            for row in self._connection.execute(statement)
        ]

    def named_seqs(self, incident_id: str, seqs: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for chunk in chunked(unique(seqs)):
            statement = select(incident_timeline.c.audit_seq).where(
                incident_timeline.c.incident_id == incident_id,
                incident_timeline.c.audit_seq.in_(chunk),
            )
            found.update(int(seq) for seq in self._connection.scalars(statement))
        return found

    def export_freeze(self) -> ExportFreeze | None:
        row = self._connection.execute(select(export_freeze)).first()
        return None if row is None else ExportFreeze(row.incident_id, row.frozen_by, row.frozen_at)

    def freeze_exports(self, freeze: ExportFreeze) -> None:
        row = {
            "id": _FREEZE_ROW,
            "incident_id": freeze.incident_id,
            "frozen_by": freeze.frozen_by,
            "frozen_at": freeze.frozen_at,
        }
        with domain_errors():
            self._connection.execute(delete(export_freeze))
            self._connection.execute(insert(export_freeze), [row])

    def thaw_exports(self) -> None:
        self._connection.execute(delete(export_freeze))


def _watch_key(watch: SuspectWatch) -> Any:
    return (incident_suspects.c.incident_id == watch.incident_id) & (
        incident_suspects.c.label == watch.label
    )


class SqlContainmentRepository:
    """Disabling principals and sources and revoking their credentials, for containment."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def disable_principal(self, name: str, when: datetime) -> str | None:
        statement = select(principals.c.id, principals.c.disabled_at).where(
            principals.c.name == name
        )
        row = self._connection.execute(statement).first()
        if row is None:
            return None
        if row.disabled_at is None:
            change = update(principals).where(principals.c.id == row.id).values(disabled_at=when)
            self._connection.execute(change)
        return str(row.id)

    def revoke_principal_tokens(self, principal_id: str, when: datetime) -> int:
        statement = (
            update(api_tokens)
            .where(api_tokens.c.principal_id == principal_id)
            .where(api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        return int(self._connection.execute(statement).rowcount)

    def disable_source(self, name: str, when: datetime) -> str | None:
        statement = select(sources.c.id, sources.c.disabled_at).where(sources.c.name == name)
        row = self._connection.execute(statement).first()
        if row is None:
            return None
        if row.disabled_at is None:
            change = update(sources).where(sources.c.id == row.id).values(disabled_at=when)
            self._connection.execute(change)
        return str(row.id)

    def revoke_source_keys(self, source_id: str, when: datetime) -> int:
        statement = (
            update(write_keys)
            .where(write_keys.c.source_id == source_id)
            .where(write_keys.c.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        return int(self._connection.execute(statement).rowcount)
