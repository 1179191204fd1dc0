"""Card numbers on each store: tokenised at ingest, never in the clear at rest, revealed audited."""

from __future__ import annotations

import json
import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from strongroom.access.cards import CardDetokenizer
from strongroom.adapters.sql.schema import metadata
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.models import Actor, Channel, CustomerId, Order, PrincipalKind, Source
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.trail import AuditAction
from strongroom.vault.cards import luhn_valid
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault
from strongroom.vault.tokenization import CardVault

from ...conftest import StaffTrainer

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
PAYMENTS = Actor(PrincipalKind.STAFF, "pat", role="payments")


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def random_visa() -> str:
    """A Luhn-valid 16-digit Visa number no other test uses: a match can only be a leak."""
    body = "4" + "".join(str(secrets.randbelow(10)) for _ in range(14))
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def _wire(factory: UnitOfWorkFactory) -> tuple[Ingestor, CardDetokenizer, Source]:
    root = LocalRootKey(os.urandom(32))
    keyring = Keyring.open(root, Keyring.create_initial(root, now=Clock().now()))
    audit, cards = AuditLog(Clock()), CardVault(keyring)
    source = create_source(
        uow_factory=factory,
        audit=audit,
        clock=Clock(),
        actor=OPERATOR,
        name="shop",
        channel=Channel.WEB,
    ).source
    ingestor = Ingestor(
        uow_factory=factory, vault=SubjectVault(keyring), audit=audit, clock=Clock(), cards=cards
    )
    return ingestor, CardDetokenizer(uow_factory=factory, cards=cards, audit=audit), source


def _orders_with_cards(numbers: list[str]) -> bytes:
    batch: list[dict[str, Any]] = []
    for n, number in enumerate(numbers):
        spaced = " ".join(number[i : i + 4] for i in range(0, 16, 4))
        properties = {"order_id": f"card-order-{n}", "total": 12.5, "card_number": spaced}
        batch.append(
            {
                "type": "track",
                "userId": f"u{n}",
                "event": "Order Completed",
                "properties": properties,
            }
        )
    return json.dumps({"batch": batch}).encode()


def _ingest(factory: UnitOfWorkFactory, numbers: list[str]) -> tuple[CardDetokenizer, list[Order]]:
    """Send one order per number; the detokeniser, and the stored orders by order id."""
    ingestor, detokenizer, source = _wire(factory)
    request = parse_request(_orders_with_cards(numbers), endpoint="batch")
    ingestor.ingest(source=source, request=request)
    with factory() as uow:
        ingest = next(e for e in uow.audit.scan() if e.draft.action is AuditAction.INGEST_BATCH)
        owners = [CustomerId(cid) for cid in ingest.draft.resource_ids]
        orders = [order for cid in owners for order in uow.orders.for_customer(cid)]
    return detokenizer, sorted(orders, key=lambda order: order.external_id)


def test_a_card_sent_with_an_order_is_revealed_to_payments_only_through_its_token(
    uow_factory: UnitOfWorkFactory, train_staff: StaffTrainer
) -> None:
    numbers = [random_visa(), random_visa()]
    detokenizer, orders = _ingest(uow_factory, numbers)
    train_staff(uow_factory, PAYMENTS)
    assert [order.card_last4 for order in orders] == [number[-4:] for number in numbers]
    for order, number in zip(orders, numbers, strict=True):
        assert order.card_token is not None
        revealed = detokenizer.detokenize(actor=PAYMENTS, token=order.card_token, purpose="payment")
        assert (revealed.card_number, revealed.brand) == (number, "visa")
    with uow_factory() as uow:
        actions = [entry.draft.action for entry in uow.audit.scan()]
    assert actions.count(AuditAction.CARD_DETOKENIZED) == 2
    assert verify_audit_log(uow_factory=uow_factory).entries_checked == len(actions)


def _leaks(haystack: str, numbers: list[str]) -> list[str]:
    """Where a number shows: whole, grouped as sent, or all but its last four digits."""
    found = []
    for number in numbers:
        for form in (number, number[:12], " ".join(number[i : i + 4] for i in range(0, 16, 4))):
            if form in haystack or form.encode().hex() in haystack:
                found.append(form[-4:])
    return found


def test_no_table_holds_a_card_number_in_the_clear(sql_engine: Engine) -> None:
    numbers = [random_visa() for _ in range(5)]
    _, orders = _ingest(SqlUnitOfWorkFactory(sql_engine), numbers)
    assert len(orders) == 5
    with sql_engine.connect() as connection:
        dumps = {t.name: repr(connection.execute(select(t)).all()) for t in metadata.sorted_tables}
    for table, dump in dumps.items():
        assert _leaks(dump, numbers) == [], f"a card number in plaintext in {table}"
    # The control: the tables read do hold these orders and their cards' last four digits.
    for number in numbers:
        assert f"'{number[-4:]}'" in dumps["orders"]
        assert f"'{number[-4:]}'" in dumps["card_vault"]


def test_the_sqlite_file_holds_no_card_number(sqlite_engine: Engine, sqlite_path: Path) -> None:
    numbers = [random_visa() for _ in range(5)]
    _ingest(SqlUnitOfWorkFactory(sqlite_engine), numbers)
    sqlite_engine.dispose()  # close connections, so everything is in the files we read
    files = [p for p in sqlite_path.parent.iterdir() if p.name.startswith(sqlite_path.name)]
    content = b"".join(path.read_bytes() for path in files).decode("latin-1")
    assert _leaks(content, numbers) == []
    assert "card-order-0" in content  # the control: the orders are in what was read


def test_the_leak_search_would_find_a_number_in_any_of_its_forms() -> None:
    number = random_visa()
    grouped = " ".join(number[i : i + 4] for i in range(0, 16, 4))
    assert _leaks(f"x{number}x", [number]) != []
    assert _leaks(f"({grouped})", [number]) != []
    assert _leaks(number[:12].encode().hex(), [number]) != []
    assert _leaks(number[-4:], [number]) == []
