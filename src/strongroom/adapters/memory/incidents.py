"""Fakes of the incident and containment repositories."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from strongroom.adapters.memory.incident_state import IncidentState
from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.adapters.paging import check_limit
from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.incidents import (
    ExportFreeze,
    Incident,
    IncidentRole,
    IncidentStatus,
    IncidentTask,
    RoleAssignment,
    SuspectAct,
    SuspectWatch,
    TimelineDraft,
    TimelineEntry,
    TimelineKind,
)


class MemoryIncidentRepository:
    """Fake of IncidentRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    @property
    def _state(self) -> IncidentState:
        return self._staging.store.incidents

    def add(self, incident: Incident) -> None:
        check_new(self._state.incidents, [incident.id], "incident id")
        if incident.alert_id is not None:
            taken = {i.alert_id for i in self._state.incidents.values()}
            check_new(taken, [incident.alert_id], "incident alert")
        self._state.incidents[incident.id] = as_utc(incident)

    def update(self, incident: Incident) -> None:
        if incident.id not in self._state.incidents:
            raise NotFoundError(f"no incident with id {incident.id!r}")
        self._state.incidents[incident.id] = as_utc(incident)

    def get(self, incident_id: str) -> Incident | None:
        return self._state.incidents.get(incident_id)

    def by_alert(self, alert_id: str) -> Incident | None:
        found = (i for i in self._state.incidents.values() if i.alert_id == alert_id)
        return next(found, None)

    def list(
        self, *, status: IncidentStatus | None = None, limit: int = 100
    ) -> builtins.list[Incident]:
        check_limit(limit)
        chosen = [i for i in self._state.incidents.values() if status in (None, i.status)]
        chosen.sort(key=lambda i: i.id)
        chosen.sort(key=lambda i: i.opened_at, reverse=True)
        return chosen[:limit]

    def assign(self, assignment: RoleAssignment) -> None:
        self._state.roles[(assignment.incident_id, assignment.role)] = as_utc(assignment)

    def roles(self, incident_id: str) -> builtins.list[RoleAssignment]:
        order = list(IncidentRole)
        mine = [a for a in self._state.roles.values() if a.incident_id == incident_id]
        return sorted(mine, key=lambda a: order.index(a.role))

    def add_task(self, task: IncidentTask) -> None:
        check_new(self._state.tasks, [task.id], "task id")
        self._state.tasks[task.id] = as_utc(task)

    def update_task(self, task: IncidentTask) -> None:
        stored = self._state.tasks.get(task.id)
        if stored is None or stored.incident_id != task.incident_id:
            raise NotFoundError(f"no task {task.id!r} in incident {task.incident_id!r}")
        self._state.tasks[task.id] = as_utc(task)

    def tasks(self, incident_id: str) -> builtins.list[IncidentTask]:
        mine = [t for t in self._state.tasks.values() if t.incident_id == incident_id]
        return sorted(mine, key=lambda t: (t.created_at, t.id))

    def append(self, drafts: Sequence[TimelineDraft]) -> builtins.list[TimelineEntry]:
        timeline = self._state.timeline
        copies = [(d.incident_id, d.audit_seq) for d in drafts if _is_copy(d)]
        taken = {(e.draft.incident_id, e.draft.audit_seq) for e in timeline if _is_copy(e.draft)}
        check_new(taken, copies, "copied audit entry")  # as the unique index does in SQL
        appended: builtins.list[TimelineEntry] = []
        for draft in drafts:
            next_id = timeline[-1].id + 1 if timeline else 1
            entry = TimelineEntry(next_id, as_utc(replace(draft, detail=dict(draft.detail))))
            timeline.append(entry)
            appended.append(entry)
        return appended

    def timeline(self, incident_id: str) -> builtins.list[TimelineEntry]:
        return [e for e in self._state.timeline if e.draft.incident_id == incident_id]

    def watches(self, incident_id: str) -> builtins.list[SuspectWatch]:
        mine = [w for (i, _), w in self._state.watches.items() if i == incident_id]
        return sorted(mine, key=lambda w: w.label)

    def save_watch(self, watch: SuspectWatch) -> None:
        if watch.incident_id not in self._state.incidents:
            raise ConflictError("the change conflicts with stored data (no such incident)")
        self._state.watches[(watch.incident_id, watch.label)] = as_utc(watch)

    def drop_watch(self, incident_id: str, label: str) -> None:
        self._state.watches.pop((incident_id, label), None)

    def suspect_acts(
        self, *, actor: str, after: int, since: datetime, until: datetime | None, limit: int
    ) -> builtins.list[SuspectAct]:
        check_limit(limit)
        stored = self._staging.store.audit_entries
        found: builtins.list[SuspectAct] = []
        for seq in sorted(s for s in stored if s > after):
            entry = stored[seq]
            draft = entry.draft
            in_window = entry.occurred_at >= since and (until is None or entry.occurred_at <= until)
            if draft.actor != actor or not in_window:
                continue
            found.append(
                SuspectAct(
                    seq,
                    entry.occurred_at,
                    draft.actor,
                    draft.action,
                    draft.outcome,
                    draft.resource_type,
                    len(draft.resource_ids),
                )
            )
            if len(found) == limit:
                break
        return found

    def named_seqs(self, incident_id: str, seqs: Sequence[int]) -> set[int]:
        wanted = set(seqs)
        named = (e.draft.audit_seq for e in self.timeline(incident_id))
        return {seq for seq in named if seq is not None and seq in wanted}

    def export_freeze(self) -> ExportFreeze | None:
        return self._state.export_freeze

    def freeze_exports(self, freeze: ExportFreeze) -> None:
        self._state.export_freeze = as_utc(freeze)

    def thaw_exports(self) -> None:
        self._state.export_freeze = None


def _is_copy(draft: TimelineDraft) -> bool:
    return draft.kind is TimelineKind.AUDIT and draft.audit_seq is not None


class MemoryContainmentRepository:
    """Fake of ContainmentRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def disable_principal(self, name: str, when: datetime) -> str | None:
        store = self._staging.store
        principal = next((p for p in store.principals.values() if p.name == name), None)
        if principal is None:
            return None
        if principal.disabled_at is None:
            store.principals[principal.id] = as_utc(replace(principal, disabled_at=when))
        return principal.id

    def revoke_principal_tokens(self, principal_id: str, when: datetime) -> int:
        tokens = self._staging.store.tokens
        live = [t for t in tokens.values() if t.principal_id == principal_id and not t.revoked_at]
        for token in live:
            tokens[token.id] = as_utc(replace(token, revoked_at=when))
        return len(live)

    def disable_source(self, name: str, when: datetime) -> str | None:
        store = self._staging.store
        source = next((s for s in store.sources.values() if s.name == name), None)
        if source is None:
            return None
        if source.disabled_at is None:
            store.sources[source.id] = as_utc(replace(source, disabled_at=when))
        return source.id

    def revoke_source_keys(self, source_id: str, when: datetime) -> int:
        keys = self._staging.store.write_keys
        live = [k for k in keys.values() if k.source_id == source_id and not k.revoked_at]
        for key in live:
            keys[key.id] = as_utc(replace(key, revoked_at=when))
        return len(live)
