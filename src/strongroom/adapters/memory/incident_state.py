"""What the incident fakes hold: one field of ``MemoryStore``, kept apart to stay small."""

from __future__ import annotations

from dataclasses import dataclass, field

from strongroom.core.incidents import (
    ExportFreeze,
    Incident,
    IncidentRole,
    IncidentTask,
    RoleAssignment,
    SuspectWatch,
    TimelineEntry,
)


@dataclass
class IncidentState:
    incidents: dict[str, Incident] = field(default_factory=dict)
    roles: dict[tuple[str, IncidentRole], RoleAssignment] = field(default_factory=dict)
    tasks: dict[str, IncidentTask] = field(default_factory=dict)
    timeline: list[TimelineEntry] = field(default_factory=list)
    export_freeze: ExportFreeze | None = None
    watches: dict[tuple[str, str], SuspectWatch] = field(default_factory=dict)
