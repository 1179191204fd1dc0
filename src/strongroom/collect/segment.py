"""The Segment tracking protocol: parse and validate what clients send, before anything is stored.

A request is rejected whole: either every message in it is valid, or none is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from strongroom.core.errors import InvalidInputError, PayloadTooLargeError

MAX_EVENT_BYTES = 32 * 1024
MAX_REQUEST_BYTES = 500 * 1024
MAX_DEPTH = 32  # nesting of objects and lists in a request; deeper is a bomb, not data
MessageType = Literal["identify", "track", "page", "screen", "group", "alias"]


class SegmentMessage(BaseModel):
    """One tracking call in Segment's format (fields we do not use are ignored)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    type: MessageType
    message_id: str | None = Field(default=None, alias="messageId", min_length=1, max_length=256)
    user_id: str | int | None = Field(default=None, alias="userId")
    anonymous_id: str | int | None = Field(default=None, alias="anonymousId")
    previous_id: str | int | None = Field(default=None, alias="previousId")
    group_id: str | int | None = Field(default=None, alias="groupId")
    event: str | None = Field(default=None, max_length=512)
    name: str | None = Field(default=None, max_length=512)
    traits: dict[str, Any] = Field(default_factory=dict)
    properties: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    timestamp: datetime | None = None
    sent_at: datetime | None = Field(default=None, alias="sentAt")

    @model_validator(mode="before")
    @classmethod
    def _traits_in_context(cls, data: Any) -> Any:
        # RudderStack's SDKs send an identify call's traits in context.traits instead.
        if isinstance(data, dict) and data.get("type") == "identify" and not data.get("traits"):
            context = data.get("context")
            if isinstance(context, dict) and isinstance(context.get("traits"), dict):
                return {**data, "traits": context["traits"]}
        return data

    @model_validator(mode="after")
    def _check_required(self) -> SegmentMessage:
        if _blank(self.user_id) and _blank(self.anonymous_id):
            raise ValueError("either userId or anonymousId is required")
        if self.type == "track" and not (self.event and self.event.strip()):
            raise ValueError("a track call needs a non-empty 'event'")
        if self.type == "alias" and _blank(self.previous_id):
            raise ValueError("an alias call needs 'previousId', the identity it joins")
        if self.type == "group" and _blank(self.group_id):
            raise ValueError("a group call needs a non-empty 'groupId'")
        return self

    @property
    def previous_key(self) -> str | None:
        """An alias call's previous identity (a userId or anonymousId)."""
        return None if _blank(self.previous_id) else str(self.previous_id).strip()

    @property
    def user_key(self) -> str | None:
        return None if _blank(self.user_id) else str(self.user_id).strip()

    @property
    def anonymous_key(self) -> str | None:
        return None if _blank(self.anonymous_id) else str(self.anonymous_id).strip()


def _blank(value: str | int | None) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    messages: tuple[SegmentMessage, ...]
    write_key: str | None  # the ``writeKey`` field of the body, if any
    sent_at: datetime | None


def parse_request(body: bytes, *, endpoint: MessageType | Literal["batch"]) -> ParsedRequest:
    """Validate a request body for ``/v1/<endpoint>``; raise InvalidInputError with the reason."""
    if len(body) > MAX_REQUEST_BYTES:
        raise PayloadTooLargeError(
            f"request body is {len(body)} bytes; the limit is {MAX_REQUEST_BYTES} bytes "
            "(send smaller batches)"
        )
    if b"\\u0000" in body:
        # PostgreSQL cannot store NUL in text or JSON; refuse it the same way on every store.
        raise InvalidInputError("request body contains a NUL character (\\u0000); remove it")
    document = _load_json(body)
    if not isinstance(document, dict):
        raise InvalidInputError("request body must be a JSON object")
    _check_depth(document)
    write_key = document.get("writeKey")
    if write_key is not None and not isinstance(write_key, str):
        raise InvalidInputError("'writeKey' must be a string")
    sent_at = _parse_sent_at(document.get("sentAt"))
    if endpoint == "batch":
        items = document.get("batch")
        if not isinstance(items, list) or not items:
            raise InvalidInputError("'batch' must be a non-empty list of messages")
        messages = tuple(_parse_message(item, index=i) for i, item in enumerate(items))
    else:
        document = {**document, "type": document.get("type", endpoint)}
        if document["type"] != endpoint:
            raise InvalidInputError(
                f"a message of type {document['type']!r} sent to /v1/{endpoint}"
            )
        messages = (_parse_message(document, index=None),)
    return ParsedRequest(messages, write_key, sent_at)


def _load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise InvalidInputError("request body is not valid UTF-8") from None
    except json.JSONDecodeError as error:
        raise InvalidInputError(
            f"request body is not valid JSON: {error.msg} "
            f"at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise InvalidInputError("request body is nested too deeply") from None


def _check_depth(document: Any) -> None:
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise InvalidInputError(
                f"request body is nested more than {MAX_DEPTH} levels deep; flatten it"
            )
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def with_client_ip(request: ParsedRequest, ip: str | None) -> ParsedRequest:
    """Every message with ``context.ip`` set to the connection's address, whatever was sent."""
    if ip is None:
        return request
    messages = tuple(
        message.model_copy(update={"context": {**message.context, "ip": ip}})
        for message in request.messages
    )
    return replace(request, messages=messages)


def _parse_sent_at(value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        return SegmentMessage.model_validate(
            {"type": "track", "event": "x", "anonymousId": "x", "sentAt": value}
        ).sent_at
    except ValidationError:
        raise InvalidInputError("'sentAt' must be an ISO-8601 timestamp") from None


def _parse_message(item: Any, *, index: int | None) -> SegmentMessage:
    where = "message" if index is None else f"batch[{index}]"
    if not isinstance(item, dict):
        raise InvalidInputError(f"{where} must be a JSON object")
    size = len(json.dumps(item, separators=(",", ":")).encode())
    if size > MAX_EVENT_BYTES:
        raise PayloadTooLargeError(
            f"{where} is {size} bytes; one event may be at most {MAX_EVENT_BYTES} bytes"
        )
    try:
        return SegmentMessage.model_validate(item)
    except ValidationError as error:
        raise InvalidInputError(f"{where}: {_describe(error)}") from None


def _describe(error: ValidationError) -> str:
    first = error.errors(include_url=False, include_input=False)[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"{location}: {message}" if location else message
