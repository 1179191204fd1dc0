"""Incidents as stored (roles, tasks, an append-only timeline) and the ports incident response
works through: its own repository, and the containment it needs from principals and sources."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from strongroom.core.models import JsonObject
from strongroom.core.monitoring import Severity


class IncidentStatus(StrEnum):
    """The phases of NIST SP 800-61, in order; which moves are allowed is ``respond.models``."""

    DETECTION = "detection"
    TRIAGE = "triage"
    CONTAINMENT = "containment"
    ERADICATION = "eradication"
    RECOVERY = "recovery"
    CLOSED = "closed"


class IncidentRole(StrEnum):
    """Who does what in an incident (Netflix Dispatch's roles, plus the DPO)."""

    COMMANDER = "commander"
    SCRIBE = "scribe"
    LIAISON = "liaison"
    DPO = "dpo"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class TimelineKind(StrEnum):
    """What a timeline entry records."""

    OPENED = "opened"
    ALERT = "alert"
    STATUS = "status"
    ROLE = "role"
    TASK = "task"
    NOTE = "note"
    ACTION = "action"  # a containment action: started, succeeded, failed or refused
    AUDIT = "audit"  # an audit entry by one of the incident's principals
    REPORT = "report"  # a blast radius, deadlines or a notice was produced


@dataclass(frozen=True, slots=True)
class Incident:
    """One incident. ``aware_at`` is when Strongroom became aware: deadlines run from it."""

    id: str
    title: str
    severity: Severity
    status: IncidentStatus
    opened_at: datetime
    opened_by: str  # an audit actor label
    aware_at: datetime
    updated_at: datetime
    principals: tuple[str, ...] = ()  # audit actor labels under suspicion (the blast radius scope)
    alert_id: str | None = None  # the alert that opened it, if one did
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    incident_id: str
    role: IncidentRole
    assignee: str
    assigned_at: datetime


@dataclass(frozen=True, slots=True)
class IncidentTask:
    id: str
    incident_id: str
    title: str
    status: TaskStatus
    created_at: datetime
    owner: str | None = None
    done_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TimelineDraft:
    """A timeline entry to append. Names records and actions, never personal data."""

    incident_id: str
    at: datetime
    kind: TimelineKind
    actor: str
    text: str
    detail: JsonObject = field(default_factory=dict)
    audit_seq: int | None = None  # the audit entry that records the same act, if any


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """An appended timeline entry; ``id`` orders entries across all incidents."""

    id: int
    draft: TimelineDraft


@dataclass(frozen=True, slots=True)
class ExportFreeze:
    """Exports are frozen while this is stored: export code checks it before any export."""

    incident_id: str
    frozen_by: str
    frozen_at: datetime


class IncidentRepository(Protocol):
    """Incidents, their roles and tasks, and their timeline, which can only be appended to."""

    def add(self, incident: Incident) -> None:
        """Store a new incident; ConflictError if its id exists."""
        ...

    def update(self, incident: Incident) -> None:
        """Replace the stored incident of the same id; NotFoundError if there is none."""
        ...

    def get(self, incident_id: str) -> Incident | None: ...

    def by_alert(self, alert_id: str) -> Incident | None:
        """The incident an alert opened, if any."""
        ...

    def list(
        self, *, status: IncidentStatus | None = None, limit: int = 100
    ) -> builtins.list[Incident]:
        """Incidents, newest ``opened_at`` first, optionally of one status only."""
        ...

    def assign(self, assignment: RoleAssignment) -> None:
        """Give a role of an incident to someone, replacing whoever held it."""
        ...

    def roles(self, incident_id: str) -> builtins.list[RoleAssignment]:
        """The incident's roles, in the order of ``IncidentRole``."""
        ...

    def add_task(self, task: IncidentTask) -> None: ...

    def update_task(self, task: IncidentTask) -> None:
        """Replace a stored task; NotFoundError if there is none with its id and incident."""
        ...

    def tasks(self, incident_id: str) -> builtins.list[IncidentTask]:
        """The incident's tasks, oldest first."""
        ...

    def append(self, drafts: Sequence[TimelineDraft]) -> builtins.list[TimelineEntry]:
        """Append timeline entries; there is no way to change or remove one."""
        ...

    def timeline(self, incident_id: str) -> builtins.list[TimelineEntry]:
        """The incident's timeline, in the order appended."""
        ...

    def export_freeze(self) -> ExportFreeze | None:
        """The freeze in force, if exports are frozen."""
        ...

    def freeze_exports(self, freeze: ExportFreeze) -> None:
        """Freeze exports (replacing an earlier freeze)."""
        ...

    def thaw_exports(self) -> None:
        """Lift the freeze, if any."""
        ...


class ContainmentRepository(Protocol):
    """What containment changes outside incident records: principals and sources shut off."""

    def disable_principal(self, name: str, when: datetime) -> str | None:
        """Disable the principal ``name`` (its tokens stop working); its id, None if unknown."""
        ...

    def revoke_principal_tokens(self, principal_id: str, when: datetime) -> int:
        """Revoke every live token of the principal; returns how many."""
        ...

    def disable_source(self, name: str, when: datetime) -> str | None:
        """Disable the source ``name`` (ingest with its keys stops); its id, None if unknown."""
        ...

    def revoke_source_keys(self, source_id: str, when: datetime) -> int:
        """Revoke every live write key of the source; returns how many."""
        ...
