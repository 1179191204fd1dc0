"""Card numbers at ingest, on the fakes: orders and events keep only token, last4 and brand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.worlds import FixedClock, fresh_keyring, send_batch, web_source

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.collect.service import Ingestor, IngestResult
from strongroom.core.errors import ConfigurationError, InvalidInputError
from strongroom.core.models import Event, Order, Source
from strongroom.core.trail import AuditAction
from strongroom.vault.cards import is_card_token
from strongroom.vault.service import SubjectVault
from strongroom.vault.tokenization import CardVault

VISA = "4111111111111111"


@dataclass
class Shop:
    uow_factory: MemoryUnitOfWorkFactory
    ingestor: Ingestor
    source: Source

    def send(self, *messages: dict[str, Any]) -> IngestResult:
        return send_batch(self.ingestor, self.source, *messages)

    def orders(self) -> list[Order]:
        return sorted(self.uow_factory.store.orders.values(), key=lambda o: o.external_id)

    def events(self) -> list[Event]:
        return sorted(self.uow_factory.store.events.values(), key=lambda e: e.message_id)


def _shop(*, with_card_vault: bool = True) -> Shop:
    clock = FixedClock(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    keyring = fresh_keyring(clock.now())
    factory, audit = MemoryUnitOfWorkFactory(), AuditLog(clock)
    source = web_source(factory, audit, clock)
    ingestor = Ingestor(
        uow_factory=factory,
        vault=SubjectVault(keyring),
        audit=audit,
        clock=clock,
        cards=CardVault(keyring) if with_card_vault else None,
    )
    return Shop(factory, ingestor, source)


@pytest.fixture
def shop() -> Shop:
    return _shop()


def _order(order_id: str, user: str = "u1", **properties: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "userId": user,
        "event": "Order Completed",
        "messageId": f"m-{order_id}-{len(properties)}",
        "properties": {"order_id": order_id, "total": 25, **properties},
    }


def test_an_order_keeps_the_token_last_four_digits_and_brand_of_its_card(shop: Shop) -> None:
    shop.send(_order("A-1", card_number="4111 1111 1111 1111", cvv="123"))
    (order,) = shop.orders()
    assert order.card_token is not None
    assert is_card_token(order.card_token)
    assert (order.card_last4, order.card_brand) == ("1111", "visa")
    stored = shop.uow_factory.store.cards[order.card_token]
    assert (stored.customer_id, stored.last4, stored.brand) == (order.customer_id, "1111", "visa")


def test_the_stored_event_holds_the_token_instead_of_the_card_number(shop: Shop) -> None:
    shop.send(_order("A-1", payment={"card_number": VISA, "cvc": "123", "method": "card"}))
    (event,) = shop.events()
    (order,) = shop.orders()
    assert event.properties == {
        "order_id": "A-1",
        "total": 25,
        "payment": {"method": "card"},
        "card_token": order.card_token,
        "card_last4": "1111",
        "card_brand": "visa",
    }


def test_a_card_number_in_any_tracked_event_is_tokenised(shop: Shop) -> None:
    shop.send(
        {
            "type": "track",
            "userId": "u1",
            "event": "Payment Info Entered",
            "properties": {"cardNumber": "5555-5555-5555-4444"},
        }
    )
    (event,) = shop.events()
    assert event.properties["card_brand"] == "mastercard"
    assert "cardNumber" not in event.properties
    assert shop.orders() == []
    assert len(shop.uow_factory.store.cards) == 1


def test_the_same_card_of_the_same_customer_gets_the_same_token_across_orders(shop: Shop) -> None:
    shop.send(_order("A-1", card_number=VISA), _order("A-2", card_number=VISA))
    shop.send(_order("A-3", cardNumber="4111-1111-1111-1111"))
    shop.send(_order("B-1", user="u2", card_number=VISA))
    tokens = {order.external_id: order.card_token for order in shop.orders()}
    assert tokens["A-1"] == tokens["A-2"] == tokens["A-3"]
    assert tokens["B-1"] != tokens["A-1"]
    assert len(shop.uow_factory.store.cards) == 2


def test_an_order_without_a_card_has_no_card_fields(shop: Shop) -> None:
    shop.send(_order("A-1"))
    (order,) = shop.orders()
    assert (order.card_token, order.card_last4, order.card_brand) == (None, None, None)
    assert shop.uow_factory.store.cards == {}


def test_an_invalid_card_number_refuses_the_whole_batch_without_echoing_it(shop: Shop) -> None:
    with pytest.raises(InvalidInputError, match=r"batch\[1\]\.properties\.card_number") as refused:
        shop.send(_order("A-1"), _order("A-2", card_number="4111 1111 1111 1112"))
    assert "4111" not in refused.value.message
    assert shop.orders() == []
    assert shop.uow_factory.store.cards == {}


def test_the_ingest_audit_entry_names_payment_data_but_never_the_number(shop: Shop) -> None:
    shop.send(_order("A-1", card_number=VISA))
    entries = list(shop.uow_factory.store.audit_entries.values())
    ingest = next(e for e in entries if e.draft.action is AuditAction.INGEST_BATCH)
    assert "payment" in ingest.draft.data_classes
    assert VISA not in repr(entries)


def test_nothing_in_the_store_holds_the_card_number(shop: Shop) -> None:
    shop.send(_order("A-1", card_number=VISA, payment={"cardNumber": "4111 1111 1111 1111"}))
    everything = repr(shop.uow_factory.store)
    assert VISA not in everything
    assert "4111 1111" not in everything
    assert "111111111111" not in everything


def test_without_a_card_vault_a_card_number_is_refused_and_nothing_stored() -> None:
    shop = _shop(with_card_vault=False)
    shop.send(_order("A-1"))  # calls without cards still work
    with pytest.raises(ConfigurationError, match="no card vault"):
        shop.send(_order("A-2", card_number=VISA))
    assert [order.external_id for order in shop.orders()] == ["A-1"]
