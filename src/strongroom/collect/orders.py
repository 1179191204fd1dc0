"""E-commerce orders: an ``Order Completed`` track call becomes an order with its lines."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from strongroom.collect.segment import SegmentMessage
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import OrderLine

ORDER_COMPLETED = "Order Completed"
_MAX_LINES = 500


@dataclass(frozen=True, slots=True)
class OrderDraft:
    external_id: str
    total: Decimal
    currency: str
    lines: tuple[OrderLine, ...]


def order_draft(message: SegmentMessage, *, where: str) -> OrderDraft | None:
    """The order an ``Order Completed`` call describes, or None for any other call."""
    if message.type != "track" or message.event != ORDER_COMPLETED:
        return None
    props = message.properties
    order_id = props.get("order_id", props.get("orderId"))
    if not isinstance(order_id, str | int) or isinstance(order_id, bool) or str(order_id) == "":
        raise InvalidInputError(f"{where}: an Order Completed call needs properties.order_id")
    products = props.get("products", [])
    if not isinstance(products, list) or len(products) > _MAX_LINES:
        raise InvalidInputError(
            f"{where}: properties.products must be a list of at most {_MAX_LINES}"
        )
    lines = tuple(
        _line(item, where=f"{where}.properties.products[{i}]") for i, item in enumerate(products)
    )
    total_value = props.get("total", props.get("revenue"))
    total = (
        _money(total_value, where=f"{where}.properties.total")
        if total_value is not None
        else sum((line.unit_price * line.quantity for line in lines), Decimal(0))
    )
    currency = props.get("currency", "USD")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
        raise InvalidInputError(
            f"{where}: properties.currency must be a three-letter ISO 4217 code"
        )
    return OrderDraft(str(order_id), total, currency.upper(), lines)


def _line(item: Any, *, where: str) -> OrderLine:
    if not isinstance(item, dict):
        raise InvalidInputError(f"{where} must be an object")
    sku = item.get("sku", item.get("product_id"))
    if not isinstance(sku, str | int) or isinstance(sku, bool) or str(sku) == "":
        raise InvalidInputError(f"{where} needs a sku or product_id")
    quantity = item.get("quantity", 1)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 < quantity <= 100_000:
        raise InvalidInputError(f"{where}.quantity must be a whole number from 1 to 100000")
    name = item.get("name")
    return OrderLine(
        sku=str(sku),
        name=name if isinstance(name, str) else None,
        quantity=quantity,
        unit_price=_money(item.get("price", 0), where=f"{where}.price"),
    )


def _money(value: Any, *, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInputError(f"{where} must be a number")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInputError(f"{where} must be a number") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise InvalidInputError(f"{where} is out of range")
    return amount
