"""Serving the API: TLS by default, plain HTTP only on loopback and only when asked for.

TLS 1.2 and 1.3 only. TLS 1.2 suites are limited to ECDHE key exchange (forward secrecy) with
AES-GCM or ChaCha20-Poly1305; TLS 1.3 suites are all AEAD and need no list. A plain HTTP request
to the TLS port fails the handshake: it is never answered, so never redirected. With
STRONGROOM_TLS_CLIENT_CA set, clients may present a certificate signed by that CA (mutual TLS);
keys bound to a certificate fingerprint then need it (see api/tls.py).
"""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

import uvicorn

from strongroom.api.app import create_api
from strongroom.api.tls import ClientCertProtocol
from strongroom.bootstrap import App
from strongroom.core.errors import ConfigurationError

TLS12_CIPHERS = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!MD5:!DSS:!SHA1"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_server(
    app: App,
    *,
    host: str,
    port: int,
    cert: Path | None,
    key: Path | None,
    insecure_dev: bool = False,
) -> uvicorn.Server:
    """A configured server, not yet started; refuses unsafe transport settings."""
    certfile: str | None = None
    keyfile: str | None = None
    client_ca = app.settings.tls_client_ca
    if insecure_dev:
        if not is_loopback(host):
            raise ConfigurationError(
                f"--insecure-dev serves plain HTTP and is allowed only on loopback, not {host}"
            )
    else:
        cert, key = cert or app.settings.tls_cert_path, key or app.settings.tls_key_path
        for path in (cert, key):
            if not path.is_file():
                raise ConfigurationError(
                    f"TLS file {path} not found: run `strongroom init`, or pass --cert and --key"
                )
        certfile, keyfile = str(cert), str(key)
        if client_ca is not None and not client_ca.is_file():
            raise ConfigurationError(f"STRONGROOM_TLS_CLIENT_CA: {client_ca} is not a file")
    config = uvicorn.Config(
        create_api(app),
        host=host,
        port=port,
        access_log=False,  # request lines can carry PII in query strings; we never log them
        server_header=False,
        proxy_headers=False,
        log_level="warning",
        # Idle keep-alive clients (Segment's keep a pool) must not hold a shutdown for 30 s.
        timeout_graceful_shutdown=5,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        ssl_ciphers=TLS12_CIPHERS,
        ssl_cert_reqs=ssl.CERT_OPTIONAL if client_ca and certfile else ssl.CERT_NONE,
        ssl_ca_certs=str(client_ca) if client_ca and certfile else None,
        http=ClientCertProtocol,
    )
    config.load()
    if config.ssl is not None:
        config.ssl.minimum_version = ssl.TLSVersion.TLSv1_2
        config.ssl.maximum_version = ssl.TLSVersion.TLSv1_3
        config.ssl.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION
    return uvicorn.Server(config)
