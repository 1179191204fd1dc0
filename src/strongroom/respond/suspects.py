"""Suspects' audit entries on the timeline: every act of an incident's suspect is copied once.

A suspect is an audit actor label (``staff:ann``, ``vendor:acme``). From the watch's ``since``
(the incident's ``aware_at`` unless set otherwise: the alert's first sighting, or a look-back
given with ``suspect add --since``) to the incident's closing, each audit entry whose actor is a
suspect is copied onto the timeline as an ``audit`` entry with its sequence number, so that
``strongroom audit proof SEQ`` proves it. Copies hold the action, outcome, resource type, the
number of resources, the sequence number and the time: never resource ids, details or origins.

Copying happens in passes (when an incident is shown or listed, and in the server's background
loop), each capped so that a flood of entries cannot stall a request; the last copy of a capped
pass says that more follow. A copy is never made twice: the watch remembers the last sequence
number looked at, and the store refuses a second copy of one entry for one incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from strongroom.core.errors import ConflictError
from strongroom.core.incidents import (
    Incident,
    IncidentStatus,
    SuspectAct,
    SuspectWatch,
    TimelineDraft,
    TimelineKind,
)
from strongroom.core.ports import UnitOfWork, UnitOfWorkFactory
from strongroom.respond.models import IncidentView
from strongroom.respond.service import IncidentService

PASS_CAP = 1000  # audit entries copied per pass, over all the incidents it syncs
MORE_FOLLOW = "more entries by the suspects follow at the next sync"


def copy_of(incident_id: str, act: SuspectAct) -> TimelineDraft:
    """The timeline entry for one suspect's act: what, how it ended, on how many; no PII."""
    noun = act.resource_type if act.resources == 1 else f"{act.resource_type} records"
    detail: dict[str, str | int | bool] = {
        "action": act.action.stored_name,
        "outcome": act.outcome.value,
        "resource_type": act.resource_type,
        "resources": act.resources,
        "seq": act.seq,
    }
    return TimelineDraft(
        incident_id,
        act.occurred_at,
        TimelineKind.AUDIT,
        act.actor,
        f"{act.action.stored_name} ({act.outcome.value}) on {act.resources} {noun}",
        dict(detail),
        act.seq,
    )


def _with_more_to_follow(draft: TimelineDraft) -> TimelineDraft:
    detail = {**draft.detail, "more_follow": True}
    return replace(draft, text=f"{draft.text}; {MORE_FOLLOW}", detail=detail)


@dataclass(frozen=True, slots=True)
class SyncReport:
    copied: int = 0
    capped: tuple[str, ...] = ()  # incidents with more entries waiting


class SuspectWatcher:
    """Copies suspects' audit entries onto incident timelines, in capped passes."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        incidents: IncidentService,
        reader: UnitOfWorkFactory | None = None,
        cap: int = PASS_CAP,
    ) -> None:
        """``reader`` (read-only) looks for new entries first: a pass with nothing to copy
        never takes the write lock."""
        if cap < 1:
            raise ValueError("cap must be at least 1")
        self._uow_factory, self._incidents, self._cap = uow_factory, incidents, cap
        self._reader = reader or uow_factory

    def sync(self, incident_ids: Sequence[str]) -> SyncReport:
        """One pass over these incidents; the cap is shared evenly among them."""
        ids = list(dict.fromkeys(incident_ids))
        if not ids:
            return SyncReport()
        share = max(1, self._cap // len(ids))
        copied, capped = 0, []
        for incident_id in ids:
            try:
                count, more = self._sync_one(incident_id, share)
            except ConflictError:
                continue  # another pass copied the same entries first: nothing is lost
            copied += count
            if more:
                capped.append(incident_id)
        return SyncReport(copied, tuple(capped))

    def sync_open(self, *, limit: int = 1000) -> SyncReport:
        """One pass over every incident not closed (the server's background loop)."""
        with self._reader() as uow:
            found = uow.incidents.list(limit=limit)
        return self.sync([i.id for i in found if i.status is not IncidentStatus.CLOSED])

    def show(self, incident_id: str) -> IncidentView:
        """The incident as ``IncidentService.show`` gives it, after one sync pass."""
        self._incidents.get(incident_id)  # NotFoundError first
        self.sync([incident_id])
        return self._incidents.show(incident_id)

    def list_incidents(
        self, *, status: IncidentStatus | None = None, limit: int = 100
    ) -> list[Incident]:
        """Incidents as ``IncidentService.list_incidents`` gives them, after one sync pass."""
        found = self._incidents.list_incidents(status=status, limit=limit)
        self.sync([i.id for i in found])
        return found

    def _sync_one(self, incident_id: str, budget: int) -> tuple[int, bool]:
        with self._reader() as uow:
            incident = uow.incidents.get(incident_id)
            if incident is None or not incident.principals:
                return 0, False
            plan, more = _plan(uow, incident, budget)
            if not plan:
                return 0, more
        with self._uow_factory() as uow:  # again, now in the writing transaction
            incident = uow.incidents.get(incident_id)
            if incident is None:
                return 0, False
            plan, more = _plan(uow, incident, budget)
            drafts: list[TimelineDraft] = []
            for watch, acts in plan:
                done = uow.incidents.named_seqs(incident_id, [a.seq for a in acts])
                drafts += [copy_of(incident_id, a) for a in acts if a.seq not in done]
                uow.incidents.save_watch(replace(watch, synced_seq=acts[-1].seq))
            if more and drafts:
                drafts[-1] = _with_more_to_follow(drafts[-1])
            uow.incidents.append(drafts)
            uow.commit()
        return len(drafts), more


def _plan(
    uow: UnitOfWork, incident: Incident, budget: int
) -> tuple[list[tuple[SuspectWatch, list[SuspectAct]]], bool]:
    """Each suspect's watch with the acts to copy now, within ``budget``; whether more wait.

    A suspect removed and added again is read from its ``since`` again: ``named_seqs`` then
    keeps the entries copied before from being copied twice (and an act the timeline records
    already, such as a suspect's own note on this incident, from being copied at all).
    """
    stored = {w.label: w for w in uow.incidents.watches(incident.id)}
    plan: list[tuple[SuspectWatch, list[SuspectAct]]] = []
    taken = 0
    for label in incident.principals:
        watch = stored.get(label) or SuspectWatch(incident.id, label, incident.aware_at)
        room = budget - taken
        acts = uow.incidents.suspect_acts(
            actor=label,
            after=watch.synced_seq,
            since=watch.since,
            until=incident.closed_at,
            limit=room + 1,
        )
        if len(acts) > room:
            if room:
                plan.append((watch, acts[:room]))
            return plan, True
        if acts:
            plan.append((watch, acts))
            taken += len(acts)
    return plan, False
