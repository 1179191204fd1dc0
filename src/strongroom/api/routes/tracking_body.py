"""What a tracking request carries: its body (gunzipped as it streams, under the limits) and
the write key in its Authorization header."""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import Request

from strongroom.collect.segment import MAX_REQUEST_BYTES
from strongroom.core.errors import AuthenticationError, InvalidInputError, PayloadTooLargeError

_GZIP_WBITS = 16 + zlib.MAX_WBITS


@dataclass(frozen=True, slots=True)
class Body:
    raw: bytes  # as sent: what a batch signature covers
    json: bytes  # decompressed: what is parsed


async def read_body(request: Request) -> Body:
    """The body; gzip is decompressed while it streams, and both forms are capped."""
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding in {"", "identity"}:
        raw = await _read_capped(request.stream())
        return Body(raw, raw)
    if encoding in {"gzip", "x-gzip"}:
        return await _read_gzip(request.stream())
    raise InvalidInputError(
        f"Content-Encoding {encoding[:40]!r} is not supported: send gzip or no encoding"
    )


def _too_large(what: str) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"request body is over the limit of {MAX_REQUEST_BYTES} bytes{what}; send smaller batches"
    )


async def _read_capped(stream: AsyncIterator[bytes]) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise _too_large("")
        chunks.append(chunk)
    return b"".join(chunks)


async def _read_gzip(stream: AsyncIterator[bytes]) -> Body:
    inflater = zlib.decompressobj(wbits=_GZIP_WBITS)
    raw: list[bytes] = []
    out = bytearray()
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise _too_large("")
        raw.append(chunk)
        _inflate(inflater, chunk, out)
    if not inflater.eof:
        raise InvalidInputError("the gzip body is truncated: send the whole compressed body")
    return Body(b"".join(raw), bytes(out))


def _inflate(inflater: zlib._Decompress, chunk: bytes, out: bytearray) -> None:
    """Decompress ``chunk`` into ``out``, never past the limit (a gzip bomb stops there)."""
    pending = chunk
    while pending:
        if inflater.eof:
            raise InvalidInputError("the gzip body has data after its end: send one gzip stream")
        try:
            out += inflater.decompress(pending, MAX_REQUEST_BYTES + 1 - len(out))
        except zlib.error:
            raise InvalidInputError("the body is not valid gzip") from None
        if len(out) > MAX_REQUEST_BYTES:
            raise _too_large(" after decompression")
        pending = inflater.unconsumed_tail or inflater.unused_data


def header_write_key(request: Request) -> str | None:
    """The write key from HTTP Basic (the username) or ``Authorization: Bearer <key>``."""
    header = request.headers.get("authorization", "").strip()
    if not header:
        return None
    scheme, _, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return credentials
    if scheme.lower() != "basic" or not credentials:
        raise AuthenticationError("send the write key as HTTP Basic username or Bearer token")
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidInputError("the Authorization header is not valid HTTP Basic") from None
    return decoded.split(":", 1)[0] or None
