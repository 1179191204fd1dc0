"""The alert and honeytoken repositories behave alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.monitoring import Alert, AlertStatus, Honeytoken, Severity

from .conftest import T0


def _alert(n: int, **changes: object) -> Alert:
    alert = Alert(
        id=f"00000000-0000-0000-0000-{n:012d}",
        fingerprint=f"{n % 3:064d}",
        detector="volume_spike",
        severity=Severity.HIGH,
        status=AlertStatus.OPEN,
        principal="staff:ann",
        signal="records_per_day",
        summary=f"alert {n}",
        explanation={"seqs": [1, 2, n], "baseline": 40.5, "details": {"mad": 2.0}},
        first_seen=T0,
        last_seen=T0 + timedelta(hours=n),
        count=1,
        last_seq=n,
        deliveries={"webhook": "sent"},
    )
    return replace(alert, **changes)  # type: ignore[arg-type]


def test_an_alert_comes_back_exactly_as_stored(uow_factory) -> None:
    alert = _alert(1, note="n", handled_by="local:ops", handled_at=T0, last_seq=None)
    with uow_factory() as uow:
        uow.alerts.add([alert])
        uow.commit()
    with uow_factory() as uow:
        assert uow.alerts.get(alert.id) == alert
        assert uow.alerts.get("missing") is None


def test_an_alert_id_cannot_be_added_twice(uow_factory) -> None:
    with uow_factory() as uow:
        uow.alerts.add([_alert(1)])
        uow.commit()
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.alerts.add([_alert(1)])


def test_updating_replaces_the_alert_and_refuses_an_unknown_one(uow_factory) -> None:
    with uow_factory() as uow:
        uow.alerts.add([_alert(1)])
        uow.commit()
    changed = _alert(1, count=5, status=AlertStatus.ACKNOWLEDGED, deliveries={"email": "failed"})
    with uow_factory() as uow:
        uow.alerts.update([changed])
        uow.commit()
    with uow_factory() as uow:
        assert uow.alerts.get(changed.id) == changed
        with pytest.raises(NotFoundError):
            uow.alerts.update([_alert(9)])


def test_the_unclosed_alert_seen_last_is_found_by_fingerprint(uow_factory) -> None:
    alerts = [_alert(n) for n in range(1, 7)]  # fingerprints 1, 2, 0, 1, 2, 0
    alerts[3] = replace(alerts[3], status=AlertStatus.CLOSED)  # the newest of fingerprint 1
    with uow_factory() as uow:
        uow.alerts.add(alerts)
        uow.commit()
    with uow_factory() as uow:
        found = uow.alerts.unclosed_by_fingerprint([f"{1:064d}", f"{2:064d}", "nope"])
    assert {fp: a.id for fp, a in found.items()} == {
        f"{1:064d}": alerts[0].id,
        f"{2:064d}": alerts[4].id,
    }


def test_alerts_are_listed_newest_first_by_status_and_limit(uow_factory) -> None:
    alerts = [
        _alert(n, status=AlertStatus.CLOSED if n == 2 else AlertStatus.OPEN) for n in range(1, 5)
    ]
    with uow_factory() as uow:
        uow.alerts.add(alerts)
        uow.commit()
    with uow_factory() as uow:
        assert [a.summary for a in uow.alerts.list()] == [
            "alert 4",
            "alert 3",
            "alert 2",
            "alert 1",
        ]
        assert [a.summary for a in uow.alerts.list(status=AlertStatus.OPEN, limit=2)] == [
            "alert 4",
            "alert 3",
        ]
        assert [a.summary for a in uow.alerts.list(status=AlertStatus.CLOSED)] == ["alert 2"]
        with pytest.raises(ValueError, match="limit"):
            uow.alerts.list(limit=0)


def test_honeytokens_are_recorded_once_with_their_card_tokens(uow_factory, samples) -> None:
    customers = [samples.customer() for _ in range(3)]
    with uow_factory() as uow:
        uow.customers.add(customers)
        uow.commit()
    tokens = [
        Honeytoken(customers[0].id, T0, "tok_a"),
        Honeytoken(customers[1].id, T0 + timedelta(seconds=1), None),
    ]
    with uow_factory() as uow:
        uow.honeytokens.add(tokens)
        uow.commit()
    with uow_factory() as uow:
        assert uow.honeytokens.all() == tokens
    for duplicate in (
        Honeytoken(customers[0].id, T0, None),
        Honeytoken(customers[2].id, T0, "tok_a"),
    ):
        with uow_factory() as uow, pytest.raises(ConflictError):
            uow.honeytokens.add([duplicate])


def test_a_rolled_back_alert_is_not_stored(uow_factory) -> None:
    with uow_factory() as uow:
        uow.alerts.add([_alert(1)])
    with uow_factory() as uow:
        assert uow.alerts.list() == []
        assert uow.honeytokens.all() == []
