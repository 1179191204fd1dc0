"""SQL repositories of the monitor: alerts and honeytokens."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Row

from strongroom.adapters.paging import check_limit
from strongroom.adapters.sql._support import chunked, domain_errors, unique, write
from strongroom.adapters.sql.tables import alerts, honeytokens
from strongroom.core.errors import NotFoundError
from strongroom.core.models import CustomerId
from strongroom.core.monitoring import Alert, AlertStatus, Honeytoken, Severity


def _alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "fingerprint": alert.fingerprint,
        "detector": alert.detector,
        "severity": alert.severity.value,
        "status": alert.status.value,
        "principal": alert.principal,
        "signal": alert.signal,
        "summary": alert.summary,
        "explanation": dict(alert.explanation),
        "first_seen": alert.first_seen,
        "last_seen": alert.last_seen,
        "count": alert.count,
        "last_seq": alert.last_seq,
        "deliveries": dict(alert.deliveries),
        "note": alert.note,
        "handled_by": alert.handled_by,
        "handled_at": alert.handled_at,
    }


def _alert(row: Row[Any]) -> Alert:
    return Alert(
        id=row.id,
        fingerprint=row.fingerprint,
        detector=row.detector,
        severity=Severity(row.severity),
        status=AlertStatus(row.status),
        principal=row.principal,
        signal=row.signal,
        summary=row.summary,
        explanation=dict(row.explanation),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        count=row._mapping["count"],  # Row.count is the tuple method
        last_seq=row.last_seq,
        deliveries={str(k): str(v) for k, v in row.deliveries.items()},
        note=row.note,
        handled_by=row.handled_by,
        handled_at=row.handled_at,
    )


class SqlAlertRepository:
    """Alerts, one row each; the fingerprint index finds the alert a repeat belongs to."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, new: Sequence[Alert]) -> None:
        write(self._connection, insert(alerts), [_alert_row(alert) for alert in new])

    def update(self, changed: Sequence[Alert]) -> None:
        for alert in changed:
            row = _alert_row(alert)
            statement = update(alerts).where(alerts.c.id == alert.id).values(row)
            with domain_errors():
                updated = self._connection.execute(statement).rowcount
            if updated != 1:
                raise NotFoundError(f"no alert with id {alert.id!r}")

    def get(self, alert_id: str) -> Alert | None:
        row = self._connection.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        return None if row is None else _alert(row)

    def unclosed_by_fingerprint(self, fingerprints: Sequence[str]) -> dict[str, Alert]:
        found: dict[str, Alert] = {}
        for chunk in chunked(unique(fingerprints)):
            statement = (
                select(alerts)
                .where(alerts.c.fingerprint.in_(chunk))
                .where(alerts.c.status != AlertStatus.CLOSED.value)
                .order_by(alerts.c.last_seen, alerts.c.id)
            )
            for row in self._connection.execute(statement):
                found[row.fingerprint] = _alert(row)  # ordered, so the last seen wins
        return found

    def list(self, *, status: AlertStatus | None = None, limit: int = 100) -> builtins.list[Alert]:
        check_limit(limit)
        statement = select(alerts).order_by(alerts.c.last_seen.desc(), alerts.c.id).limit(limit)
        if status is not None:
            statement = statement.where(alerts.c.status == status.value)
        return [_alert(row) for row in self._connection.execute(statement)]


class SqlHoneytokenRepository:
    """The canary customers and their card tokens."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, canaries: Sequence[Honeytoken]) -> None:
        rows = [
            {"customer_id": h.customer_id, "card_token": h.card_token, "planted_at": h.planted_at}
            for h in canaries
        ]
        write(self._connection, insert(honeytokens), rows)

    def all(self) -> list[Honeytoken]:
        statement = select(honeytokens).order_by(
            honeytokens.c.planted_at, honeytokens.c.customer_id
        )
        return [
            Honeytoken(CustomerId(row.customer_id), row.planted_at, row.card_token)
            for row in self._connection.execute(statement)
        ]
