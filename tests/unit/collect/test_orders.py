"""Order Completed calls become orders; bad order data refuses the request."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from strongroom.collect.orders import order_draft
from strongroom.collect.segment import SegmentMessage
from strongroom.core.errors import InvalidInputError


def _order(**properties: Any) -> SegmentMessage:
    return SegmentMessage.model_validate(
        {"type": "track", "userId": "u1", "event": "Order Completed", "properties": properties}
    )


def test_an_order_with_lines_is_read_exactly() -> None:
    draft = order_draft(
        _order(
            order_id="o-1",
            total=30.5,
            currency="eur",
            products=[{"sku": "A", "price": 10.25, "quantity": 2}, {"product_id": 7, "price": 10}],
        ),
        where="batch[0]",
    )
    assert draft is not None
    assert draft.external_id == "o-1"
    assert draft.total == Decimal("30.50")
    assert draft.currency == "EUR"
    assert [(line.sku, line.quantity, line.unit_price) for line in draft.lines] == [
        ("A", 2, Decimal("10.25")),
        ("7", 1, Decimal("10.00")),
    ]


def test_the_total_defaults_to_the_sum_of_the_lines() -> None:
    draft = order_draft(
        _order(order_id=9, products=[{"sku": "A", "price": "2.50", "quantity": 3}]), where="m"
    )
    assert draft is not None
    assert draft.total == Decimal("7.50")


def test_other_calls_are_not_orders() -> None:
    message = SegmentMessage.model_validate({"type": "track", "userId": "u", "event": "Viewed"})
    assert order_draft(message, where="m") is None


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        ({}, "order_id"),
        ({"order_id": True}, "order_id"),
        ({"order_id": "o", "total": "lots"}, "total must be a number"),
        ({"order_id": "o", "total": "NaN"}, "out of range|must be a number"),
        ({"order_id": "o", "total": 1e300}, "out of range|must be a number"),
        ({"order_id": "o", "currency": "euro"}, "currency"),
        ({"order_id": "o", "products": "A"}, "products must be a list"),
        ({"order_id": "o", "products": [{"price": 1}]}, "sku or product_id"),
        ({"order_id": "o", "products": [{"sku": "A", "quantity": 0}]}, "quantity"),
        ({"order_id": "o", "products": [{"sku": "A", "quantity": 1.5}]}, "quantity"),
    ],
)
def test_bad_order_data_is_refused_with_where_it_is(
    properties: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        order_draft(_order(**properties), where="batch[3]")
