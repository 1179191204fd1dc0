"""Where signed audit checkpoints go outside the database: a directory, syslog, an HTTP witness.

Each sink implements core.ports.CheckpointSink and raises CheckpointExportError, with a message
that names the sink but no credentials, when a checkpoint did not arrive. The directory also
reads its checkpoints back (core.ports.CheckpointArchive) for ``strongroom audit verify``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from strongroom.core.errors import CheckpointExportError, ConfigurationError
from strongroom.core.ports import CheckpointSink

TIMEOUT_SECONDS = 5.0
# RFC 5424: facility 13 (log audit), severity 5 (notice).
_SYSLOG_PRIORITY = 13 * 8 + 5
_BOM = "\ufeff"


class DirectoryCheckpointSink:
    """One JSON file per checkpoint, mode 0600, on stable storage before ``publish`` returns."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def name(self) -> str:
        return f"dir:{self.directory}"

    @property
    def location(self) -> str:
        return str(self.directory)

    def publish(self, tree_size: int, document: str) -> None:
        path = self.directory / f"checkpoint-{tree_size:012d}.json"
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                _write_new(path, (document + "\n").encode())
            except FileExistsError:
                if path.read_text(encoding="utf-8").strip() != document:
                    raise CheckpointExportError(
                        f"{path} already holds a different checkpoint of tree size {tree_size}; "
                        "it was kept: check it with `strongroom audit verify`"
                    ) from None
        except OSError as error:
            raise CheckpointExportError(
                f"could not write {path}: {error.strerror or type(error).__name__}"
            ) from None

    def exported(self) -> list[tuple[str, str]]:
        """Every ``*.json`` file here, by name: whatever its name, a checkpoint is checked."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                found.append((str(path), path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as error:
                raise ConfigurationError(
                    f"cannot read the checkpoint file {path} ({type(error).__name__}): "
                    "fix its permissions; it is needed to verify the audit log"
                ) from None
        return found


def _write_new(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the new name is durable too, not only the bytes
    finally:
        os.close(directory)


class SyslogCheckpointSink:
    """RFC 5424 messages over UDP, or over TCP with octet-counting framing (RFC 6587)."""

    def __init__(self, host: str, port: int, *, tcp: bool = False) -> None:
        self.host, self.port, self.tcp = host, port, tcp

    @property
    def name(self) -> str:
        return f"syslog{'+tcp' if self.tcp else ''}://{self.host}:{self.port}"

    def publish(self, tree_size: int, document: str) -> None:
        message = rfc5424_message(document, hostname=socket.gethostname())
        try:
            if self.tcp:
                with socket.create_connection((self.host, self.port), TIMEOUT_SECONDS) as conn:
                    conn.sendall(f"{len(message)} ".encode() + message)
            else:
                family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
                with socket.socket(family, socket.SOCK_DGRAM) as conn:
                    conn.settimeout(TIMEOUT_SECONDS)
                    conn.sendto(message, (self.host, self.port))
        except OSError as error:
            raise CheckpointExportError(
                f"could not send checkpoint {tree_size} to {self.name}: "
                f"{error.strerror or type(error).__name__}"
            ) from None


def rfc5424_message(document: str, *, hostname: str, now: datetime | None = None) -> bytes:
    """``<PRI>1 TIMESTAMP HOSTNAME strongroom PROCID checkpoint - BOM document``."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    timestamp = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    host = "".join(c for c in hostname if "!" <= c <= "~")[:255] or "-"
    header = f"<{_SYSLOG_PRIORITY}>1 {timestamp} {host} strongroom {os.getpid()} checkpoint -"
    return f"{header} {_BOM}{document}".encode()


class HttpWitnessSink:
    """POSTs each checkpoint as JSON to a witness that keeps it; any 2xx answer is a receipt."""

    def __init__(self, url: str) -> None:
        self._url = url

    @property
    def name(self) -> str:
        parts = urlsplit(self._url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"  # never the query or credentials

    def publish(self, tree_size: int, document: str) -> None:
        try:
            response = httpx.post(
                self._url,
                content=document.encode(),
                headers={"Content-Type": "application/json"},
                timeout=TIMEOUT_SECONDS,
            )
        except httpx.HTTPError as error:
            raise CheckpointExportError(
                f"could not send checkpoint {tree_size} to {self.name}: {type(error).__name__}"
            ) from None
        if not response.is_success:
            raise CheckpointExportError(
                f"{self.name} refused checkpoint {tree_size}: HTTP {response.status_code}"
            )


def checkpoint_sinks(
    specs: Sequence[str], *, directory: Path
) -> tuple[list[CheckpointSink], DirectoryCheckpointSink | None]:
    """The sinks ``STRONGROOM_AUDIT_CHECKPOINT_SINKS`` names, and the directory among them."""
    sinks: list[CheckpointSink] = []
    archive: DirectoryCheckpointSink | None = None
    for spec in specs:
        if spec == "dir" or spec.startswith("dir:"):
            if archive is not None:
                raise ConfigurationError("name at most one checkpoint directory (`dir`)")
            archive = DirectoryCheckpointSink(Path(spec[4:]) if spec != "dir" else directory)
            sinks.append(archive)
            continue
        parts = urlsplit(spec)
        if parts.scheme in ("syslog", "syslog+udp", "syslog+tcp") and parts.hostname:
            port = parts.port or 514
            sinks.append(
                SyslogCheckpointSink(parts.hostname, port, tcp=parts.scheme.endswith("tcp"))
            )
        elif parts.scheme in ("http", "https") and parts.hostname:
            sinks.append(HttpWitnessSink(spec))
        else:
            raise ConfigurationError(f"unknown audit checkpoint sink {spec!r}")
    return sinks, archive
