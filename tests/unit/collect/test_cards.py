"""Finding card numbers in tracking calls, and keeping them out of what is stored."""

from __future__ import annotations

from typing import Any

import pytest

from strongroom.collect.cards import card_in, without_card_data
from strongroom.collect.segment import SegmentMessage
from strongroom.core.errors import InvalidInputError
from strongroom.vault.tokenization import CardToken

TOKEN = CardToken("tok_" + "A" * 32, "1111", "visa")


def _call(properties: dict[str, Any], kind: str = "track") -> SegmentMessage:
    message: dict[str, Any] = {"type": kind, "userId": "u1", "properties": properties}
    if kind == "track":
        message["event"] = "Order Completed"
    return SegmentMessage.model_validate(message)


@pytest.mark.parametrize(
    "properties",
    [
        {"card_number": "4111111111111111"},
        {"cardNumber": "4111 1111 1111 1111"},
        {"payment": {"card_number": "4111-1111-1111-1111"}},
        {"payment": {"cardNumber": 4111111111111111}},
        {"card_number": "4111111111111111", "payment": {"card_number": "4111 1111 1111 1111"}},
    ],
)
def test_a_card_number_is_found_where_it_may_be_sent(properties: dict[str, Any]) -> None:
    card = card_in(_call(properties), where="batch[0]")
    assert card is not None
    assert card.digits == "4111111111111111"


@pytest.mark.parametrize(
    ("properties", "kind"),
    [
        ({}, "track"),
        ({"card_number": None}, "track"),
        ({"card_number": "  "}, "track"),
        ({"payment": "card"}, "track"),
        ({"payment": {"method": "card"}}, "track"),
        ({"card": "4111111111111111"}, "track"),  # not a name we read
        ({"card_number": "4111111111111111"}, "identify"),  # identify keeps no properties
    ],
)
def test_a_call_without_a_card_number_has_none(properties: dict[str, Any], kind: str) -> None:
    assert card_in(_call(properties, kind), where="batch[0]") is None


@pytest.mark.parametrize("kind", ["page", "screen"])
def test_page_and_screen_calls_are_checked_too(kind: str) -> None:
    assert card_in(_call({"cardNumber": "5555555555554444"}, kind), where="batch[0]") is not None


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        (
            {"card_number": "4111111111111112"},
            r"batch\[3\]\.properties\.card_number: .*check digit",
        ),
        (
            {"payment": {"cardNumber": "41111111"}},
            r"properties\.payment\.cardNumber: .*this one 8;",
        ),
        ({"cardNumber": "4111x1111x1111x1111"}, r"properties\.cardNumber: .*digits, spaces"),
        ({"card_number": True}, r"properties\.card_number: .*string of digits"),
        (
            {"card_number": "4111111111111111", "cardNumber": "5555555555554444"},
            r"batch\[3\]\.properties: two different card numbers",
        ),
    ],
)
def test_a_bad_card_number_refuses_the_call_saying_where_without_echoing_it(
    properties: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidInputError, match=reason) as refused:
        card_in(_call(properties), where="batch[3]")
    for digits in ("41111111", "55555555", "1111x1111"):
        assert digits not in refused.value.message


def test_stored_properties_keep_everything_but_the_card_number_and_gain_the_token() -> None:
    sent = {
        "order_id": "A-1",
        "total": 25,
        "card_number": "4111111111111111",
        "cvv": "123",
        "payment": {"cardNumber": "4111111111111111", "cvc": "123", "method": "card"},
    }
    assert without_card_data(sent, TOKEN) == {
        "order_id": "A-1",
        "total": 25,
        "payment": {"method": "card"},
        "card_token": TOKEN.token,
        "card_last4": "1111",
        "card_brand": "visa",
    }
    assert sent["card_number"] == "4111111111111111"  # what was sent is left as it was


@pytest.mark.parametrize(
    "name",
    ["cvv", "cvc", "cvv2", "cvc2", "card_cvv", "card_cvc", "cardCvv", "cardCvc", "security_code"],
)
def test_card_verification_codes_are_never_stored(name: str) -> None:
    kept = without_card_data({name: "123", "payment": {name: "123"}, "x": 1}, None)
    assert kept == {"payment": {}, "x": 1}
