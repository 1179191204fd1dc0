"""Honeytokens: canary customers planted in the store, and the alarm raised when one is read.

Planting sends made-up customers through the real ingest path (``TrackingFeed``, Strongroom's
internal source), so they are stored exactly like real ones: encrypted, blind-indexed, their
card tokenised. Their ids and card tokens are then recorded as honeytokens. No real workflow
ever reads them, so any read is a critical alert: at once (``HoneytokenAlarm``, told of every
read by the access services) and again by the ``honeytoken_access`` detector in every scan;
both make the same fingerprint, so they are one alert.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from strongroom.core.clock import Clock
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import Actor, CustomerId, IdentifierKind
from strongroom.core.monitoring import Honeytoken, TrackingFeed
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.monitor.alerts import AlertService
from strongroom.monitor.canaries import Canary, make_canaries
from strongroom.monitor.detectors.security import HoneytokenAccessDetector
from strongroom.vault.service import SubjectVault

MAX_PLANTED = 100  # per call: a few canaries catch a harvest; thousands would skew the data
REFRESH_SECONDS = 5.0  # how stale the live alarm's list of honeytokens may be
logger = logging.getLogger("strongroom.monitor")


def plant_honeytokens(
    *,
    uow_factory: UnitOfWorkFactory,
    vault: SubjectVault,
    feed: TrackingFeed,
    audit: AuditTrail,
    clock: Clock,
    actor: Actor,
    count: int,
    email_domain: str | None = None,
    seed: int | None = None,
) -> list[Honeytoken]:
    """Ingest ``count`` canary customers and record them (and their cards) as honeytokens."""
    if not 1 <= count <= MAX_PLANTED:
        raise InvalidInputError(f"plant 1 to {MAX_PLANTED} honeytokens at a time, not {count}")
    now = clock.now()
    canaries = make_canaries(count, now=now, email_domain=email_domain, seed=seed)
    feed.ingest_calls([call for canary in canaries for call in canary.calls])
    with uow_factory() as uow:
        planted = [_honeytoken(uow, vault, canary, now) for canary in canaries]
        uow.honeytokens.add(planted)
        audit.record(uow, [_planted_draft(actor, len(planted))])
        uow.commit()
    return planted


def _honeytoken(uow: UnitOfWork, vault: SubjectVault, canary: Canary, now: datetime) -> Honeytoken:
    lookups = [
        lookup for _, lookup in vault.lookup_values(IdentifierKind.USER_ID.value, canary.user_id)
    ]
    found = uow.identifiers.resolve(IdentifierKind.USER_ID, lookups)
    if not found:
        raise AssertionError(f"the canary {canary.user_id} was ingested but cannot be found")
    customer_id = CustomerId(next(iter(found.values())))
    cards = [o.card_token for o in uow.orders.for_customer(customer_id) if o.card_token]
    return Honeytoken(customer_id, now, cards[0] if cards else None)


def _planted_draft(actor: Actor, count: int) -> AuditDraft:
    # The count only: listing the canaries here would tell every reader of the log which they are.
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.HONEYTOKENS_PLANTED,
        outcome=Outcome.SUCCESS,
        resource_type="honeytoken",
        purpose="security",
        detail={"count": count},
        origin=actor.origin,
    )


class HoneytokenAlarm:
    """The live watch (implements ``core.ports.HoneytokenWatch``): a canary read alerts at once.

    The alert is stored and sent on a worker thread, so a canary read takes as long as any other
    and its caller cannot tell a canary by the delay. Call ``close`` (the app does) to finish
    pending alarms before the process exits.
    """

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        alerts: AlertService,
        detector: HoneytokenAccessDetector,
        clock: Clock,
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._uow_factory, self._alerts, self._detector = uow_factory, alerts, detector
        self._clock, self._refresh, self._monotonic = clock, refresh_seconds, monotonic
        self._lock = threading.Lock()
        self._customers: frozenset[str] = frozenset()
        self._cards: frozenset[str] = frozenset()
        self._loaded_at = float("-inf")
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="honeytoken-alarm")

    def observe(self, draft: AuditDraft, seq: int) -> None:
        """Check one committed read; a canary in it raises a critical alert in the background."""
        customers, cards = self._honeytokens()
        canaries = self._detector.canaries_in(draft, customers, cards)
        if canaries:
            when = self._clock.now()
            self._worker.submit(self._raise, draft, seq, canaries, when)

    def refresh(self) -> None:
        """Forget the cached honeytokens (after planting in this process)."""
        with self._lock:
            self._loaded_at = float("-inf")

    def flush(self) -> None:
        """Wait until every alarm raised so far is stored and sent."""
        self._worker.submit(lambda: None).result()

    def close(self) -> None:
        self._worker.shutdown(wait=True)

    def _honeytokens(self) -> tuple[frozenset[str], frozenset[str]]:
        with self._lock:
            if self._monotonic() - self._loaded_at >= self._refresh:
                with self._uow_factory() as uow:
                    planted = uow.honeytokens.all()
                self._customers = frozenset(h.customer_id for h in planted)
                self._cards = frozenset(h.card_token for h in planted if h.card_token)
                self._loaded_at = self._monotonic()
            return self._customers, self._cards

    def _raise(self, draft: AuditDraft, seq: int, canaries: list[str], when: datetime) -> None:
        findings = [self._detector.finding(draft, canary, seq, when) for canary in canaries]
        try:
            report = self._alerts.raise_findings(findings)
        except Exception as error:
            # A worker thread: nobody else would ever see this. The next scan raises it again.
            logger.error("honeytoken alarm not stored (%s): the next scan raises it", error)
            return
        for failure in report.failures:
            logger.error("honeytoken alert %s not sent to %s", failure.alert_id, failure.sink)
