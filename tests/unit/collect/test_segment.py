"""Parsing tracking calls: every malformed request is refused whole, with its reason."""

from __future__ import annotations

import json
from typing import Any

import pytest

from strongroom.collect.segment import MAX_EVENT_BYTES, MAX_REQUEST_BYTES, parse_request
from strongroom.core.errors import InvalidInputError, PayloadTooLargeError


def _body(document: Any) -> bytes:
    return json.dumps(document).encode()


def test_a_batch_parses_every_message_and_the_body_write_key() -> None:
    body = _body(
        {
            "writeKey": "srk_x",
            "sentAt": "2026-01-01T00:00:00Z",
            "batch": [
                {"type": "identify", "userId": 42, "traits": {"email": "a@b.co"}},
                {"type": "track", "anonymousId": "anon", "event": "Viewed", "messageId": "m1"},
            ],
        }
    )
    parsed = parse_request(body, endpoint="batch")
    assert parsed.write_key == "srk_x"
    assert [message.type for message in parsed.messages] == ["identify", "track"]
    assert parsed.messages[0].user_key == "42"
    assert parsed.messages[1].message_id == "m1"
    assert parsed.sent_at is not None


def test_a_single_call_takes_its_type_from_the_path() -> None:
    parsed = parse_request(_body({"userId": "u1", "event": "Signed Up"}), endpoint="track")
    assert parsed.messages[0].type == "track"


@pytest.mark.parametrize(
    ("body", "endpoint", "reason"),
    [
        (b"{not json", "batch", "not valid JSON"),
        (b"\xff\xfe", "batch", "not valid"),
        (_body([1, 2]), "batch", "must be a JSON object"),
        (_body({"batch": []}), "batch", "non-empty list"),
        (_body({"batch": "x"}), "batch", "non-empty list"),
        (_body({"batch": [1]}), "batch", r"batch\[0\] must be a JSON object"),
        (_body({"batch": [{"type": "track", "event": "x"}]}), "batch", "userId or anonymousId"),
        (_body({"batch": [{"type": "track", "userId": "u"}]}), "batch", "non-empty 'event'"),
        (_body({"batch": [{"type": "fly", "userId": "u"}]}), "batch", r"batch\[0\]: type"),
        (_body({"userId": "u", "traits": "x"}), "identify", "traits"),
        (_body({"userId": "u", "event": "x", "timestamp": "yesterday"}), "track", "timestamp"),
        (_body({"type": "track", "userId": "u", "event": "x"}), "identify", "sent to /v1/identify"),
        (_body({"writeKey": 5, "userId": "u"}), "identify", "'writeKey' must be a string"),
        (_body({"sentAt": "soon", "userId": "u"}), "identify", "'sentAt'"),
        (b'{"userId": "u\\u0000"}', "identify", "NUL character"),
        (b"[" * 100_000 + b"]" * 100_000, "batch", "nested too deeply|must be a JSON object"),
    ],
)
def test_malformed_requests_are_refused_with_a_reason(
    body: bytes, endpoint: Any, reason: str
) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        parse_request(body, endpoint=endpoint)


def test_an_event_over_32_kb_is_too_large() -> None:
    big = {"type": "track", "userId": "u", "event": "x", "properties": {"p": "a" * MAX_EVENT_BYTES}}
    with pytest.raises(PayloadTooLargeError, match=r"batch\[0\] is \d+ bytes"):
        parse_request(_body({"batch": [big]}), endpoint="batch")


def test_a_request_over_500_kb_is_too_large() -> None:
    with pytest.raises(PayloadTooLargeError, match="the limit is"):
        parse_request(b" " * (MAX_REQUEST_BYTES + 1), endpoint="batch")
