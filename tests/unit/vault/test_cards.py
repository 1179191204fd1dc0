"""Card number rules: Luhn, brands by IIN range and length, normalisation, tokens."""

from __future__ import annotations

import pytest

from strongroom.core.errors import InvalidInputError
from strongroom.vault.cards import (
    BRANDS,
    CardNumber,
    card_brand,
    is_card_token,
    last4,
    luhn_valid,
    new_card_token,
    normalise_card_number,
    parse_card_number,
)

# Published test card numbers of the networks and payment processors, and a few made to measure.
BRAND_TABLE = [
    ("4111111111111111", "visa"),
    ("4012888888881881", "visa"),
    ("4222222222222", "visa"),  # the 13-digit Visa
    ("5555555555554444", "mastercard"),
    ("5105105105105100", "mastercard"),
    ("2223003122003222", "mastercard"),  # the 2-series
    ("2221000000000009", "mastercard"),  # lowest 2-series prefix
    ("2720000000000005", "mastercard"),  # highest 2-series prefix
    ("378282246310005", "amex"),
    ("371449635398431", "amex"),
    ("6011111111111117", "discover"),
    ("6011000990139424", "discover"),
    ("64400000000000002", "discover"),
    ("3530111333300000", "jcb"),
    ("3566002020360505", "jcb"),
    ("3589000000000000009", "jcb"),
    ("30569309025904", "diners"),
    ("38520000023237", "diners"),
    ("36227206271667", "diners"),
    ("30950000000000", "diners"),
    ("6200000000000005", "unionpay"),
    ("6205500000000000004", "unionpay"),
    ("6221260000000000", "unionpay"),  # co-branded with Discover; issued by UnionPay
    ("8100000000000002", "unionpay"),
    ("9000000000000001", "unknown"),
    ("2220000000000000", "unknown"),  # just below the Mastercard 2-series
    ("2721000000000004", "unknown"),  # just above it
    ("411111111111116", "unknown"),  # a Visa prefix with a length Visa does not issue
    ("3411111111111110", "unknown"),  # an Amex prefix with 16 digits
]


@pytest.mark.parametrize(("number", "brand"), BRAND_TABLE)
def test_the_brand_is_read_from_the_issuer_range_and_length(number: str, brand: str) -> None:
    assert luhn_valid(number)
    assert card_brand(number) == brand
    assert parse_card_number(number).brand == brand
    assert brand in BRANDS


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("4111111111111111", True),
        ("4111111111111112", False),
        ("378282246310005", True),
        ("378282246310006", False),
        ("0", True),
        ("18", True),
        ("19", False),
        ("", False),
        ("4111 1111 1111 1111", False),  # luhn_valid takes digits only
        ("٤١١١١١١١١١١١١١١١", False),  # other scripts' digits are not card digits
    ],
)
def test_the_luhn_check_accepts_exactly_the_numbers_with_a_right_check_digit(
    digits: str, valid: bool
) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("sent", "digits"),
    [
        ("4111111111111111", "4111111111111111"),
        ("4111 1111 1111 1111", "4111111111111111"),
        ("4111-1111-1111-1111", "4111111111111111"),
        ("  3782 822463 10005 ", "378282246310005"),
        (4111111111111111, "4111111111111111"),
        ("411111111111", "411111111111"),  # 12 digits: the shortest accepted
        ("4" * 19, "4" * 19),  # 19 digits: the longest
    ],
)
def test_a_card_number_is_normalised_to_its_digits(sent: object, digits: str) -> None:
    assert normalise_card_number(sent) == digits


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        ("41111111111", "12 to 19 digits, this one 11"),
        ("4" * 20, "12 to 19 digits, this one 20"),
        ("", "this one 0"),
        ("4111.1111.1111.1111", "only digits, spaces and dashes"),
        ("4111111111111111x", "only digits, spaces and dashes"),
        ("٤١١١١١١١١١١١١١١١", "only digits, spaces and dashes"),
        (-4111111111111111, "must be a string of digits"),
        (True, "must be a string of digits"),
        (4111111111111111.0, "must be a string of digits"),
        (None, "must be a string of digits"),
        (["4111111111111111"], "must be a string of digits"),
    ],
)
def test_what_is_not_a_card_number_is_refused_with_a_reason(sent: object, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        normalise_card_number(sent)


@pytest.mark.parametrize("number", ["4111111111111112", "5555 5555 5555 4445", "378282246310006"])
def test_a_wrong_check_digit_is_refused_without_echoing_the_number(number: str) -> None:
    with pytest.raises(InvalidInputError, match="check digit") as refused:
        parse_card_number(number)
    digits = number.replace(" ", "")
    assert digits not in refused.value.message
    assert digits[:6] not in refused.value.message


def test_a_card_number_never_shows_its_digits_when_printed() -> None:
    card = parse_card_number("4111 1111 1111 1111")
    assert repr(card) == "CardNumber(visa ending 1111)"
    assert str(card) == repr(card)
    assert f"{card}" == repr(card)
    assert "41111111" not in repr([card, {"card": card}])
    assert card.last4 == last4(card.digits) == "1111"


def test_a_card_number_cannot_be_made_from_unchecked_digits() -> None:
    with pytest.raises(InvalidInputError):
        CardNumber("4111111111111112")
    with pytest.raises(InvalidInputError):
        CardNumber("4111 1111 1111 1111")


def test_tokens_are_random_and_never_look_like_card_numbers() -> None:
    tokens = {new_card_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert is_card_token(token)
        assert token.startswith("tok_")
        assert len(token) == 36
        with pytest.raises(InvalidInputError):
            normalise_card_number(token)


@pytest.mark.parametrize(
    "value",
    [
        "4111111111111111",
        "tok_",
        "tok_short",
        "tok_" + "a" * 33,
        "TOK_" + "a" * 32,
        "tok_" + "!" * 32,
    ],
)
def test_only_the_token_shape_passes_as_a_token(value: str) -> None:
    assert not is_card_token(value)
