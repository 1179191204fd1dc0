"""Checkpoint sinks against real receivers started by the tests: a directory, a UDP and a TCP
syslog server, an HTTP witness (http.server); and each sink failing cleanly when its receiver is
down."""

from __future__ import annotations

import socket
import socketserver
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from strongroom.adapters.checkpoint_sinks import (
    DirectoryCheckpointSink,
    HttpWitnessSink,
    SyslogCheckpointSink,
    checkpoint_sinks,
    rfc5424_message,
)
from strongroom.core.errors import CheckpointExportError, ConfigurationError

DOCUMENT = '{"root_hash":"ab","tree_size":7,"type":"strongroom-audit-checkpoint"}'


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- directory --------------------------------------------------------------------------------


def test_the_directory_keeps_one_private_file_per_checkpoint(tmp_path: Path) -> None:
    sink = DirectoryCheckpointSink(tmp_path / "checkpoints")
    sink.publish(7, DOCUMENT)
    sink.publish(12, DOCUMENT.replace("7", "12"))
    path = tmp_path / "checkpoints" / "checkpoint-000000000007.json"
    assert path.read_text() == DOCUMENT + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "checkpoints").stat().st_mode) == 0o700
    assert [Path(where).name for where, _ in sink.exported()] == [
        "checkpoint-000000000007.json",
        "checkpoint-000000000012.json",
    ]


def test_publishing_the_same_checkpoint_again_is_harmless(tmp_path: Path) -> None:
    sink = DirectoryCheckpointSink(tmp_path)
    sink.publish(7, DOCUMENT)
    sink.publish(7, DOCUMENT)
    assert len(sink.exported()) == 1


def test_a_different_checkpoint_never_overwrites_a_kept_one(tmp_path: Path) -> None:
    sink = DirectoryCheckpointSink(tmp_path)
    sink.publish(7, DOCUMENT)
    with pytest.raises(CheckpointExportError, match="already holds a different checkpoint"):
        sink.publish(7, DOCUMENT.replace("ab", "cd"))
    assert sink.exported()[0][1] == DOCUMENT + "\n"


def test_a_renamed_checkpoint_file_is_still_read_back(tmp_path: Path) -> None:
    sink = DirectoryCheckpointSink(tmp_path)
    sink.publish(7, DOCUMENT)
    (tmp_path / "checkpoint-000000000007.json").rename(tmp_path / "old.json")
    assert [Path(where).name for where, _ in sink.exported()] == ["old.json"]


def test_an_unwritable_directory_fails_with_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(CheckpointExportError, match=r"could not write .*not-a-directory"):
        DirectoryCheckpointSink(blocker).publish(7, DOCUMENT)


def test_a_missing_directory_has_nothing_exported(tmp_path: Path) -> None:
    assert DirectoryCheckpointSink(tmp_path / "none").exported() == []


# --- syslog -----------------------------------------------------------------------------------


class _Received(list[bytes]):
    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()


@pytest.fixture
def udp_server() -> Iterator[tuple[int, _Received]]:
    received = _Received()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            received.append(self.request[0])
            received.arrived.set()

    with socketserver.UDPServer(("127.0.0.1", 0), Handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server.server_address[1], received
        server.shutdown()
        thread.join()


@pytest.fixture
def tcp_server() -> Iterator[tuple[int, _Received]]:
    received = _Received()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            received.append(self.rfile.read())
            received.arrived.set()

    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield server.server_address[1], received
        server.shutdown()
        thread.join()


def _assert_rfc5424(message: bytes) -> None:
    header, _, body = message.decode().partition(" \ufeff")
    # PRI and VERSION, TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID, STRUCTURED-DATA
    start, timestamp, host, app, pid, msgid, data = header.split(" ")
    assert (start, app, msgid, data) == ("<109>1", "strongroom", "checkpoint", "-")
    assert timestamp.endswith("Z")
    assert host
    assert pid.isdigit()
    assert body == DOCUMENT


def test_syslog_over_udp_receives_an_rfc5424_message(udp_server: tuple[int, _Received]) -> None:
    port, received = udp_server
    SyslogCheckpointSink("127.0.0.1", port).publish(7, DOCUMENT)
    assert received.arrived.wait(5)
    _assert_rfc5424(received[0])


def test_syslog_over_tcp_frames_the_message_by_octet_count(
    tcp_server: tuple[int, _Received],
) -> None:
    port, received = tcp_server
    SyslogCheckpointSink("127.0.0.1", port, tcp=True).publish(7, DOCUMENT)
    assert received.arrived.wait(5)
    length, _, message = received[0].partition(b" ")
    assert int(length) == len(message)
    _assert_rfc5424(message)


def test_syslog_over_tcp_with_no_server_fails_with_the_sink_name() -> None:
    port = _closed_port()
    sink = SyslogCheckpointSink("127.0.0.1", port, tcp=True)
    with pytest.raises(CheckpointExportError, match=f"syslog\\+tcp://127.0.0.1:{port}"):
        sink.publish(7, DOCUMENT)


def test_the_syslog_header_keeps_to_printable_ascii() -> None:
    message = rfc5424_message("{}", hostname="h\u00f6st name", now=datetime(2026, 1, 2, tzinfo=UTC))
    assert message.startswith(b"<109>1 2026-01-02T00:00:00.000000Z hstname strongroom ")


# --- HTTP witness -----------------------------------------------------------------------------


@pytest.fixture
def witness() -> Iterator[tuple[str, list[tuple[str, str, bytes]], list[int]]]:
    """An http.server that keeps what is POSTed and answers with the next queued status."""
    received: list[tuple[str, str, bytes]] = []
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(statuses.pop(0) if statuses else 201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # the stdlib's name
            """Quiet."""

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/checkpoints", received, statuses
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_witness_receives_the_checkpoint_as_json(witness) -> None:
    url, received, _ = witness
    HttpWitnessSink(url).publish(7, DOCUMENT)
    assert received == [("/checkpoints", "application/json", DOCUMENT.encode())]


def test_a_witness_that_refuses_fails_with_the_status(witness) -> None:
    url, _, statuses = witness
    statuses.append(503)
    with pytest.raises(CheckpointExportError, match="refused checkpoint 7: HTTP 503"):
        HttpWitnessSink(url).publish(7, DOCUMENT)


def test_an_unreachable_witness_fails_without_showing_credentials() -> None:
    url = f"http://user:s3cret@127.0.0.1:{_closed_port()}/cp?token=t0ps3cret"
    with pytest.raises(CheckpointExportError) as caught:
        HttpWitnessSink(url).publish(7, DOCUMENT)
    assert "s3cret" not in caught.value.message
    assert "t0ps3cret" not in caught.value.message
    assert "http://127.0.0.1:" in caught.value.message


# --- the setting ------------------------------------------------------------------------------


def test_the_sinks_setting_builds_each_sink_and_finds_the_directory(tmp_path: Path) -> None:
    sinks, archive = checkpoint_sinks(
        ["dir", "syslog://127.0.0.1:5514", "syslog+tcp://[::1]:6514", "https://w.example/cp"],
        directory=tmp_path,
    )
    assert [sink.name for sink in sinks] == [
        f"dir:{tmp_path}",
        "syslog://127.0.0.1:5514",
        "syslog+tcp://::1:6514",
        "https://w.example/cp",
    ]
    assert archive is sinks[0]


def test_an_unknown_sink_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown audit checkpoint sink 'ftp://x'"):
        checkpoint_sinks(["ftp://x"], directory=tmp_path)
