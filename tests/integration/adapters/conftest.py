"""Sample records for the storage contract suite."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from strongroom.core.models import (
    ApiToken,
    Channel,
    CustomerId,
    Event,
    Order,
    OrderLine,
    Principal,
    Source,
    StoredCustomer,
    WriteKey,
)
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.trail import (
    GENESIS_HASH,
    AuditAction,
    AuditDraft,
    AuditEntry,
    AuditHead,
    Origin,
    Outcome,
)

T0 = datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=UTC)


class Samples:
    """Builds valid records with unique ids; keyword arguments override fields."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def _n(self) -> int:
        return next(self._counter)

    def customer(self, **changes: Any) -> StoredCustomer:
        n = self._n()
        customer = StoredCustomer(
            id=CustomerId(str(uuid.uuid4())),
            created_at=T0,
            updated_at=T0 + timedelta(minutes=n),
            encrypted={"email": b"ct-email-%d" % n, "extra_traits": b"ct-extra-%d" % n},
            demographics={"age": 30 + n, "gender": "f", "income_band": "50-75k"},
        )
        return replace(customer, **changes)

    def source(self, **changes: Any) -> tuple[Source, WriteKey]:
        n = self._n()
        source = replace(Source(f"src-{n}", f"web shop {n}", Channel.WEB, T0), **changes)
        key = WriteKey(f"wk-{n}", source.id, b"write-key-hash-%d" % n, f"wk_{n}", T0)
        return source, key

    def event(self, customer_id: CustomerId, source_id: str, **changes: Any) -> Event:
        n = self._n()
        event = Event(
            id=str(uuid.uuid4()),
            source_id=source_id,
            message_id=f"msg-{n}",
            customer_id=customer_id,
            type="track",
            name="Product Viewed",
            properties={"sku": f"SKU-{n}", "price": 9.5, "tags": ["a", "b"], "nested": {"x": 1}},
            timestamp=T0 + timedelta(seconds=n),
            received_at=T0 + timedelta(seconds=n, milliseconds=5),
        )
        return replace(event, **changes)

    def order(self, customer_id: CustomerId, source_id: str, **changes: Any) -> Order:
        n = self._n()
        lines = (
            OrderLine("SKU-1", "Kettle", 1, Decimal("49.99")),
            OrderLine("SKU-2", None, 3, Decimal("0.10")),
        )
        order = Order(
            id=str(uuid.uuid4()),
            source_id=source_id,
            external_id=f"ord-{n}",
            customer_id=customer_id,
            total=Decimal("50.29"),
            currency="EUR",
            ordered_at=T0 + timedelta(hours=n),
            lines=lines,
        )
        return replace(order, **changes)

    def principal(self, **changes: Any) -> Principal:
        n = self._n()
        return replace(Principal(f"pr-{n}", f"analyst-{n}", "analyst", T0), **changes)

    def token(self, principal_id: str, **changes: Any) -> ApiToken:
        n = self._n()
        token = ApiToken(f"tok-{n}", principal_id, b"token-hash-%d" % n, f"sr_{n}", T0)
        return replace(token, **changes)

    def audit_entries(self, count: int, after: AuditHead | None = None) -> list[AuditEntry]:
        """``count`` entries chained after ``after`` (sha256 stands in for the real chain)."""
        head = after or AuditHead(0, GENESIS_HASH)
        entries, prev = [], head.entry_hash
        for seq in range(head.seq + 1, head.seq + count + 1):
            draft = AuditDraft(
                actor="staff:alice",
                action=AuditAction.CUSTOMER_READ,
                outcome=Outcome.SUCCESS,
                resource_type="customer",
                resource_ids=(f"cust-{seq}",),
                data_classes=("pii", "demographic"),
                purpose="support",
                detail={"fields": 3, "reason": "ticket"},
                # Every other entry came over the network: origins round-trip, and so does none.
                origin=Origin("203.0.113.7", "curl/8.5 \u00e9", f"req-{seq}") if seq % 2 else None,
            )
            digest = hashlib.sha256(prev + seq.to_bytes(8, "big")).digest()
            leaf = hashlib.sha256(b"leaf" + digest).digest()
            when = T0 + timedelta(seconds=seq)
            entries.append(AuditEntry(seq, when, draft, prev, digest, leaf_hash=leaf))
            prev = digest
        return entries


@pytest.fixture
def samples() -> Samples:
    """A builder of sample records."""
    return Samples()


@dataclass(frozen=True)
class Seeded:
    customer: StoredCustomer
    source: Source


@pytest.fixture
def seeded(uow_factory: UnitOfWorkFactory, samples: Samples) -> Seeded:
    """One committed customer and source, for records that refer to them."""
    customer = samples.customer()
    source, key = samples.source()
    with uow_factory() as uow:
        uow.customers.add([customer])
        uow.sources.add(source, key)
        uow.commit()
    return Seeded(customer, source)
