"""Serving the API: TLS by default, plain HTTP only on loopback and only when asked for."""

from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

import uvicorn

from strongroom.api.app import create_api
from strongroom.bootstrap import App
from strongroom.core.errors import ConfigurationError


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
    )
    config.load()
    if config.ssl is not None:
        config.ssl.minimum_version = ssl.TLSVersion.TLSv1_2
    return uvicorn.Server(config)
