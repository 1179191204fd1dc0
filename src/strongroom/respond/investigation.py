"""The blast-radius use case: scan, find card owners and places, prove, record that it was done."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from strongroom.core.incidents import TimelineKind
from strongroom.core.models import Actor, CustomerId, StoredCard
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditCheckpoint, AuditDraft, Outcome
from strongroom.respond.blast_radius import (
    BlastRadius,
    BlastScope,
    Scan,
    add_cards,
    assess_exemption,
    customer_touches,
    scan_entries,
)
from strongroom.respond.evidence import EntryProof, prove_many
from strongroom.respond.places import UNKNOWN, PlaceReader
from strongroom.respond.service import PURPOSE, IncidentService

PAGE = 5000
_PLACE_BATCH = 500
Checkpoint = Callable[[Actor], None]  # makes a signed checkpoint now


class BlastRadiusService:
    """Computes blast radii over the audit log; each computation is itself audited."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        reader: UnitOfWorkFactory,
        audit: AuditTrail,
        places: PlaceReader,
        incidents: IncidentService,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self._uow_factory, self._reader, self._audit = uow_factory, reader, audit
        self._places, self._incidents, self._checkpoint = places, incidents, checkpoint

    def compute(
        self, *, actor: Actor, scope: BlastScope, incident_id: str | None = None
    ) -> BlastRadius:
        """The blast radius of ``scope``; cited entries not yet signed get a checkpoint first."""
        if incident_id is not None:
            self._incidents.get(incident_id)  # NotFoundError before the long read
        with self._reader() as uow:
            scan = scan_entries(uow.audit.scan(batch_size=PAGE), scope)
            owners = {token: _owner(uow.cards.get(token)) for token in scan.cards}
        add_cards(scan, owners)
        touches = customer_touches(scan)
        checkpoint, proofs = self._prove(actor, scan, [s for t in touches for s in t.seqs])
        by_country, by_state = self._count_places(touches_ids=[t.customer_id for t in touches])
        radius = BlastRadius(
            scope=scope,
            entries_scanned=scan.entries_scanned,
            matched_entries=scan.matched,
            customers=tuple(touches),
            by_country=by_country,
            by_us_state=by_state,
            bulk_exports=tuple(scan.bulk),
            exemption=assess_exemption(scan, touches, scope.keys_exposed),
            checkpoint=checkpoint,
            proofs=proofs,
        )
        self._record(actor, radius, incident_id)
        return radius

    def _prove(
        self, actor: Actor, scan: Scan, seqs: list[int]
    ) -> tuple[AuditCheckpoint | None, dict[int, EntryProof]]:
        cited = seqs + [seq for seq, _, _ in scan.bulk]
        with self._reader() as uow:
            latest = uow.audit.latest_checkpoint()
        covered = latest.tree_size if latest is not None else 0
        if cited and max(cited) > covered and self._checkpoint is not None:
            self._checkpoint(actor)
        with self._reader() as uow:
            latest = uow.audit.latest_checkpoint()
            if latest is None or not cited:
                return latest, {}
            leaves = uow.audit.leaf_hashes(stop=latest.tree_size)
        return latest, prove_many(latest, leaves, cited)

    def _count_places(self, *, touches_ids: list[str]) -> tuple[dict[str, int], dict[str, int]]:
        countries: Counter[str] = Counter()
        states: Counter[str] = Counter()
        for start in range(0, len(touches_ids), _PLACE_BATCH):
            batch = [CustomerId(c) for c in touches_ids[start : start + _PLACE_BATCH]]
            with self._reader() as uow:
                places = self._places.places(uow, batch)
            for customer_id in batch:
                place = places.get(customer_id)
                countries[place.country if place else UNKNOWN] += 1
                if place is not None and place.us_state is not None:
                    states[place.us_state] += 1
        return dict(sorted(countries.items())), dict(sorted(states.items()))

    def _record(self, actor: Actor, radius: BlastRadius, incident_id: str | None) -> None:
        detail: dict[str, str | int] = {
            "principals": ",".join(radius.scope.principals)[:500],
            "window_start": radius.scope.start.isoformat(),
            "window_end": radius.scope.end.isoformat(),
            "entries_scanned": radius.entries_scanned,
            "customers": len(radius.customers),
        }
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.BLAST_RADIUS_READ,
            outcome=Outcome.SUCCESS,
            resource_type="incident" if incident_id else "audit_log",
            resource_ids=(incident_id,) if incident_id else (),
            purpose=PURPOSE,
            detail=detail,
            origin=actor.origin,
        )
        if incident_id is None:
            with self._uow_factory() as uow:
                self._audit.record(uow, [draft])
                uow.commit()
            return
        self._incidents.record_event(
            incident_id=incident_id,
            actor=actor.label,
            kind=TimelineKind.REPORT,
            text=(
                f"Blast radius: {len(radius.customers)} customers touched, "
                f"exemption {'applies' if radius.exemption.applies else 'does not apply'}"
            ),
            detail={"customers": len(radius.customers), "by_access": dict(radius.by_access)},
            audit=draft,
        )


def _owner(card: StoredCard | None) -> CustomerId | None:
    return card.customer_id if card is not None else None
