"""Analytics reads who granted a purpose in one query: alike on the fakes, SQLite, PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from strongroom.core.models import Consent

T0 = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def test_granted_customers_are_those_whose_newest_decision_grants(uow_factory, samples, seeded):
    granted, withdrawn, silent = seeded.customer, samples.customer(), samples.customer()
    regranted = samples.customer()
    sid = seeded.source.id
    with uow_factory() as uow:
        uow.customers.add([withdrawn, silent, regranted])
        uow.consents.add(
            [
                Consent(granted.id, "analytics", True, sid, T0),
                Consent(withdrawn.id, "analytics", True, sid, T0),
                Consent(withdrawn.id, "analytics", False, sid, T0 + timedelta(hours=1)),
                Consent(regranted.id, "analytics", True, sid, T0 + timedelta(hours=2)),
                Consent(regranted.id, "analytics", False, sid, T0 + timedelta(hours=1)),
                Consent(silent.id, "marketing", True, sid, T0),
            ]
        )
        uow.commit()

    with uow_factory() as uow:
        assert uow.consents.granted_customers("analytics") == sorted([granted.id, regranted.id])
        assert uow.consents.granted_customers("marketing") == [silent.id]
        assert uow.consents.granted_customers("third_party_sharing") == []
