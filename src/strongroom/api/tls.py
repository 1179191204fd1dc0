"""TLS client certificates for the app.

uvicorn (0.54, h11) does not pass the peer certificate to the ASGI app: its scope has no TLS
extension. This protocol class adds the SHA-256 fingerprint of the client certificate, which the
TLS layer has already verified against STRONGROOM_TLS_CLIENT_CA, to the per-connection state that
uvicorn copies into every request's ``scope["state"]``. Clients cannot set that state.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl

from fastapi import Request
from uvicorn.protocols.http.h11_impl import H11Protocol

CLIENT_CERT_STATE = "tls_client_cert_sha256"


class ClientCertProtocol(H11Protocol):
    """HTTP/1.1 over TLS that tells the app which client certificate the connection presented."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        der = (
            ssl_object.getpeercert(binary_form=True)
            if isinstance(ssl_object, ssl.SSLObject)
            else None
        )
        if der:
            # Our own copy: app_state is shared by every connection.
            self.app_state = {**self.app_state, CLIENT_CERT_STATE: hashlib.sha256(der).hexdigest()}


def client_cert_fingerprint(request: Request) -> str | None:
    """The verified client certificate's SHA-256 in hex, if the connection presented one."""
    value = request.scope.get("state", {}).get(CLIENT_CERT_STATE)
    return value if isinstance(value, str) else None
