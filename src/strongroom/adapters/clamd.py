"""A small clamd client: PING and INSTREAM over a unix socket or TCP (clamd's own protocol).

Commands use the ``z`` prefix (NUL-terminated). INSTREAM sends the file in chunks, each after
its 4-byte big-endian length, ended by a zero length; clamd answers ``stream: OK``,
``stream: <signature> FOUND`` or ``... ERROR``. Only ``OK`` is clean: an error, a size limit,
a dropped connection or a timeout is ScannerUnavailableError, never a pass.
"""

from __future__ import annotations

import socket
from pathlib import Path

from strongroom.core.errors import ConfigurationError, ScannerUnavailableError
from strongroom.core.intake import ScanVerdict

CHUNK_BYTES = 1024 * 1024
CONNECT_TIMEOUT_SECONDS = 5.0
SCAN_TIMEOUT_SECONDS = 300.0
MAX_REPLY_BYTES = 4096


def parse_address(address: str) -> tuple[str, str | tuple[str, int]]:
    """``unix:/path``, ``/path`` or ``host:port`` as (family, address); ConfigurationError."""
    if address.startswith("unix:"):
        address = address.removeprefix("unix:")
    if address.startswith("/"):
        return "unix", address
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigurationError(
            f"STRONGROOM_CLAMD_ADDRESS {address!r} is neither an absolute unix socket path "
            "nor HOST:PORT"
        )
    return "tcp", (host.strip("[]"), int(port))


class ClamdScanner:
    """Implements ``core.intake.MalwareScanner`` by streaming files to clamd."""

    name = "clamd"

    def __init__(self, address: str, *, timeout: float = SCAN_TIMEOUT_SECONDS) -> None:
        self._family, self._address = parse_address(address)
        self._timeout = timeout

    def check_ready(self) -> None:
        reply = self._command(b"zPING\0")
        if reply != "PONG":
            raise ScannerUnavailableError(f"clamd answered PING with {reply[:60]!r}, not PONG")
        version = self._command(b"zVERSION\0")
        if not version.startswith("ClamAV"):
            raise ScannerUnavailableError("clamd did not report its version and signatures")

    def scan(self, path: Path) -> ScanVerdict:
        with self._connect() as connection:
            try:
                connection.sendall(b"zINSTREAM\0")
                with path.open("rb") as file:
                    while chunk := file.read(CHUNK_BYTES):
                        connection.sendall(len(chunk).to_bytes(4, "big") + chunk)
                connection.sendall(bytes(4))
            except OSError:
                pass  # clamd may stop reading early (a size limit); its answer says why
            reply = _reply(connection)
        return self._verdict(reply)

    def _verdict(self, reply: str) -> ScanVerdict:
        if reply == "stream: OK":
            return ScanVerdict(self.name)
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return ScanVerdict(self.name, reply.removeprefix("stream: ").removesuffix(" FOUND"))
        raise ScannerUnavailableError(
            f"clamd could not scan the file ({reply[:120] or 'no answer'}); nothing was "
            "accepted (is StreamMaxLength at least STRONGROOM_MAX_UPLOAD_BYTES?)"
        )

    def _command(self, command: bytes) -> str:
        with self._connect() as connection:
            try:
                connection.sendall(command)
            except OSError as error:
                raise _unreachable(error) from None
            return _reply(connection)

    def _connect(self) -> socket.socket:
        try:
            if self._family == "unix":
                connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    connection.settimeout(CONNECT_TIMEOUT_SECONDS)
                    connection.connect(self._address)
                except OSError:
                    connection.close()
                    raise
            else:
                assert isinstance(self._address, tuple)
                connection = socket.create_connection(self._address, CONNECT_TIMEOUT_SECONDS)
        except OSError as error:
            raise _unreachable(error) from None
        connection.settimeout(self._timeout)
        return connection


def _reply(connection: socket.socket) -> str:
    received = bytearray()
    try:
        while b"\0" not in received and len(received) < MAX_REPLY_BYTES:
            data = connection.recv(MAX_REPLY_BYTES)
            if not data:
                break
            received += data
    except OSError as error:
        raise _unreachable(error) from None
    return received.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _unreachable(error: OSError) -> ScannerUnavailableError:
    reason = error.strerror or type(error).__name__
    return ScannerUnavailableError(
        f"the malware scanner clamd is not reachable ({reason}); nothing was accepted: "
        "try again when it is back"
    )
