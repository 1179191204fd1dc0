"""Erasure receipts: Ed25519 over canonical JSON; any change, or another key, is told apart."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from typing import Any

import pytest

from strongroom.core.errors import InvalidInputError
from strongroom.vault.keyring import KeyKind, Keyring
from strongroom.vault.receipts import (
    ErasureReceipt,
    audit_signing_public_keys,
    check_receipt,
    parse_receipt,
    sign_receipt,
)

ERASED_AT = datetime(2026, 11, 29, 12, 30, 15, 123456, tzinfo=UTC)


def _keyring(*versions: int) -> Keyring:
    return Keyring({KeyKind.AUDIT_SIGNING: {v: os.urandom(32) for v in versions or (1,)}})


def _receipt(keyring: Keyring, **changes: Any) -> ErasureReceipt:
    facts: dict[str, Any] = {
        "customer_pseudonym": "ps1_" + "a" * 32,
        "erased_at": ERASED_AT,
        "actor": "staff:dana",
        "reason": "Löschantrag 2026-117",
        "key_versions_destroyed": {"subject_key": 1, "wrapped_by_field_kek": 2},
    }
    return sign_receipt(keyring, **{**facts, **changes})


def _document(receipt: ErasureReceipt) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(receipt.to_json())
    return document


def test_a_receipt_verifies_with_its_own_key_and_with_the_home_key() -> None:
    keyring = _keyring()
    check = check_receipt(_receipt(keyring), trusted_keys=audit_signing_public_keys(keyring))
    assert (check.ok, check.signature_valid, check.home_key_matches, check.problems) == (
        True,
        True,
        True,
        (),
    )


def test_without_a_home_key_only_the_signature_is_checked() -> None:
    check = check_receipt(_receipt(_keyring()))
    assert (check.ok, check.home_key_matches) == (True, None)


def test_the_receipt_is_canonical_json_with_exactly_the_documented_fields() -> None:
    receipt = _receipt(_keyring())
    text = receipt.to_json()
    document = json.loads(text)
    assert set(document) == {
        "type",
        "version",
        "customer_pseudonym",
        "erased_at",
        "actor",
        "reason",
        "key_versions_destroyed",
        "signing_key_version",
        "public_key",
        "signature",
    }
    assert (document["type"], document["version"]) == ("strongroom-erasure-receipt", 1)
    assert document["erased_at"] == "2026-11-29T12:30:15.123456Z"
    assert text == json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert "\n" not in text
    assert len(base64.b64decode(document["signature"])) == 64


def test_a_receipt_survives_parsing_and_pretty_printing() -> None:
    receipt = _receipt(_keyring())
    pretty = json.dumps(_document(receipt), indent=4)
    assert parse_receipt(pretty) == receipt
    assert check_receipt(parse_receipt(pretty)).ok


def test_it_is_signed_with_the_current_audit_signing_version() -> None:
    keyring = _keyring(1, 2)
    receipt = _receipt(keyring)
    assert receipt.signing_key_version == 2
    assert receipt.public_key == audit_signing_public_keys(keyring)[2]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("customer_pseudonym", "ps1_" + "b" * 32),
        ("erased_at", "2026-11-29T12:30:16.123456Z"),
        ("actor", "staff:mallory"),
        ("reason", "Löschantrag 2026-118"),
        ("key_versions_destroyed", {"subject_key": 1, "wrapped_by_field_kek": 3}),
        ("signing_key_version", 1),
    ],
)
def test_changing_any_signed_field_breaks_the_signature(name: str, value: Any) -> None:
    keyring = _keyring(1, 2)
    document = _document(_receipt(keyring))
    document[name] = value
    check = check_receipt(parse_receipt(json.dumps(document)), trusted_keys=None)
    assert not check.signature_valid
    assert not check.ok
    assert "changed after it was signed" in check.problems[0]


def test_a_receipt_forged_with_another_key_fails_only_the_home_key_check() -> None:
    home, forger = _keyring(), _keyring()
    forged = _receipt(forger)
    check = check_receipt(forged, trusted_keys=audit_signing_public_keys(home))
    assert (check.signature_valid, check.home_key_matches, check.ok) == (True, False, False)
    assert "not this data home's audit-signing key version 1" in check.problems[0]


def test_swapping_in_the_home_public_key_breaks_the_signature() -> None:
    home, forger = _keyring(), _keyring()
    document = _document(_receipt(forger))
    document["public_key"] = base64.b64encode(audit_signing_public_keys(home)[1]).decode()
    check = check_receipt(
        parse_receipt(json.dumps(document)), trusted_keys=audit_signing_public_keys(home)
    )
    assert (check.signature_valid, check.home_key_matches) == (False, True)


def test_a_version_the_home_does_not_hold_is_named() -> None:
    receipt = _receipt(_keyring(1, 2, 3))
    check = check_receipt(receipt, trusted_keys=audit_signing_public_keys(_keyring(1)))
    assert check.home_key_matches is False
    assert "no audit-signing key version 3" in check.problems[0]


@pytest.mark.parametrize(
    ("mangle", "problem"),
    [
        (lambda d: "not json at all", "not JSON"),
        (lambda d: "[1, 2]", "not a JSON object"),
        (lambda d: {**d, "type": "something-else"}, '"type"'),
        (lambda d: {**d, "version": True}, "version is not 1"),
        (lambda d: {**d, "version": 2}, "version is not 1"),
        (lambda d: {k: v for k, v in d.items() if k != "reason"}, "missing: ['reason']"),
        (lambda d: {**d, "extra": 1}, "unexpected: ['extra']"),
        (lambda d: {**d, "actor": ""}, "actor is not a non-empty string"),
        (lambda d: {**d, "erased_at": "2026-11-29 12:30"}, "erased_at is not a UTC time"),
        (lambda d: {**d, "erased_at": "2026-11-29T12:30:15.1234560Z"}, "erased_at is not"),
        (lambda d: {**d, "signing_key_version": 0}, "signing_key_version"),
        (lambda d: {**d, "key_versions_destroyed": {}}, "key_versions_destroyed"),
        (lambda d: {**d, "key_versions_destroyed": {"x": True}}, "key_versions_destroyed"),
        (lambda d: {**d, "public_key": "!!"}, "public_key is not 32 bytes"),
        (lambda d: {**d, "signature": base64.b64encode(b"short").decode()}, "signature is not"),
    ],
)
def test_a_malformed_receipt_is_refused_naming_what_is_wrong(mangle: Any, problem: str) -> None:
    mangled = mangle(_document(_receipt(_keyring())))
    text = mangled if isinstance(mangled, str) else json.dumps(mangled)
    with pytest.raises(InvalidInputError, match="not a Strongroom erasure receipt") as caught:
        parse_receipt(text)
    assert problem in caught.value.message
