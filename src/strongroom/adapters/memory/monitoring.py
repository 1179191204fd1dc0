"""In-memory fakes of the monitor's repositories: alerts and honeytokens."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from copy import deepcopy

from strongroom.adapters.memory.store import Staging, as_utc, check_new
from strongroom.adapters.paging import check_limit
from strongroom.core.errors import NotFoundError
from strongroom.core.monitoring import Alert, AlertStatus, Honeytoken


class MemoryAlertRepository:
    """Fake of AlertRepository."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, alerts: Sequence[Alert]) -> None:
        stored = self._staging.store.alerts
        check_new(stored, (a.id for a in alerts), "alert id")
        stored.update((a.id, as_utc(deepcopy(a))) for a in alerts)

    def update(self, alerts: Sequence[Alert]) -> None:
        stored = self._staging.store.alerts
        for alert in alerts:
            if alert.id not in stored:
                raise NotFoundError(f"no alert with id {alert.id!r}")
            stored[alert.id] = as_utc(deepcopy(alert))

    def get(self, alert_id: str) -> Alert | None:
        alert = self._staging.store.alerts.get(alert_id)
        return None if alert is None else deepcopy(alert)

    def unclosed_by_fingerprint(self, fingerprints: Sequence[str]) -> dict[str, Alert]:
        wanted = set(fingerprints)
        found: dict[str, Alert] = {}
        alerts = sorted(self._staging.store.alerts.values(), key=lambda a: (a.last_seen, a.id))
        for alert in alerts:
            if alert.fingerprint in wanted and alert.status is not AlertStatus.CLOSED:
                found[alert.fingerprint] = deepcopy(alert)
        return found

    def list(self, *, status: AlertStatus | None = None, limit: int = 100) -> builtins.list[Alert]:
        check_limit(limit)
        alerts = [
            a for a in self._staging.store.alerts.values() if status is None or a.status is status
        ]
        alerts.sort(key=lambda a: a.id)
        alerts.sort(key=lambda a: a.last_seen, reverse=True)
        return [deepcopy(a) for a in alerts[:limit]]


class MemoryHoneytokenRepository:
    """Fake of HoneytokenRepository (the foreign key to customers is not checked)."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def add(self, honeytokens: Sequence[Honeytoken]) -> None:
        stored = self._staging.store.honeytokens
        check_new(stored, (h.customer_id for h in honeytokens), "honeytoken customer")
        cards = {h.card_token for h in stored.values() if h.card_token}
        check_new(cards, (h.card_token for h in honeytokens if h.card_token), "honeytoken card")
        stored.update((h.customer_id, as_utc(h)) for h in honeytokens)

    def all(self) -> list[Honeytoken]:
        return sorted(
            self._staging.store.honeytokens.values(), key=lambda h: (h.planted_at, h.customer_id)
        )
