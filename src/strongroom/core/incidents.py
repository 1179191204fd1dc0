"""Incidents as stored (roles, tasks, suspects, an append-only timeline) and the ports incident
response works through: its own repository, the containment it needs from principals and
sources, and the renderer that turns a notice's document model into a PDF."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from strongroom.core.models import JsonObject
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction, Outcome


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
    AUDIT = "audit"  # an audit entry by one of the incident's suspects, copied (no PII)
    REPORT = "report"  # a blast radius, deadlines or a notice was produced
    SUSPECT = "suspect"  # a suspect was added or removed


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
    principals: tuple[str, ...] = ()  # the suspects: audit actor labels such as ``staff:ann``
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
class SuspectWatch:
    """Where copying a suspect's audit entries onto the timeline stands.

    Entries by ``label`` from ``since`` on are copied; ``synced_seq`` is the highest audit
    sequence number of that actor looked at so far. An incident's suspect without a stored
    watch is watched from the incident's ``aware_at``, from the start.
    """

    incident_id: str
    label: str
    since: datetime
    synced_seq: int = 0


@dataclass(frozen=True, slots=True)
class SuspectAct:
    """What a suspect's audit entry says, as far as the timeline may copy it: no resource ids,
    no detail, no origin; only how many resources it named."""

    seq: int
    occurred_at: datetime
    actor: str
    action: AuditAction
    outcome: Outcome
    resource_type: str
    resources: int


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

    def watches(self, incident_id: str) -> builtins.list[SuspectWatch]:
        """The stored watches of the incident's suspects."""
        ...

    def save_watch(self, watch: SuspectWatch) -> None:
        """Store a watch, replacing the one of the same incident and label."""
        ...

    def drop_watch(self, incident_id: str, label: str) -> None:
        """Forget the watch of one suspect, if stored."""
        ...

    def suspect_acts(
        self, *, actor: str, after: int, since: datetime, until: datetime | None, limit: int
    ) -> builtins.list[SuspectAct]:
        """Up to ``limit`` audit entries by ``actor`` numbered above ``after`` that occurred
        from ``since`` (to ``until``, if given), in sequence order, without their PII."""
        ...

    def named_seqs(self, incident_id: str, seqs: Sequence[int]) -> set[int]:
        """Which of these audit sequence numbers an entry of the incident's timeline names
        (``audit_seq``): a copy, or the incident's own record of the same act."""
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


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a notice's document model: a heading, a paragraph or a bullet list."""

    kind: str  # heading, paragraph, bullets
    text: str = ""
    items: tuple[str, ...] = ()
    level: int = 2


class PdfRenderer(Protocol):
    """Renders a notice's blocks as a PDF document (an adapter does it with fpdf2)."""

    def render(self, blocks: Sequence[Block], *, title: str) -> bytes:
        """The PDF bytes; never fails on characters its font lacks (it substitutes them)."""
        ...
