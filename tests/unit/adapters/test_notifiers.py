"""Alert sinks against real local servers: a webhook receiver, syslog sockets, an SMTP server."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from strongroom.adapters.notifiers import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    NotifierSecrets,
    build_notifiers,
    signature_valid,
)
from strongroom.core.errors import ConfigurationError, NotificationError
from strongroom.core.monitoring import Alert, AlertStatus, Severity

SECRET = "a-webhook-secret-of-some-length"
T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
SECRETS = NotifierSecrets(webhook_secret=SECRET, smtp_password="smtp-pass")


def _alert(severity: Severity = Severity.CRITICAL) -> Alert:
    return Alert(
        id="a-1",
        fingerprint="f" * 64,
        detector="honeytoken_access",
        severity=severity,
        status=AlertStatus.OPEN,
        principal="staff:eve",
        signal="honeytoken:c-1",
        summary="staff:eve read honeytoken customer c-1",
        explanation={"seqs": [7], "baseline": "no reads"},
        first_seen=T0,
        last_seen=T0,
        count=1,
        last_seq=7,
    )


def _one(kind: str, table: dict[str, object], secrets: NotifierSecrets = SECRETS) -> Any:
    [notifier] = build_notifiers({kind: table}, source="monitor.toml", secrets=secrets)
    return notifier


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("Handler", (Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    finally:
        server.shutdown()
        server.server_close()


def test_the_webhook_posts_the_alert_signed_with_hmac_sha256(receiver) -> None:
    url, handler = receiver
    _one("webhook", {"url": url}).send(_alert())
    [(headers, body)] = handler.received
    assert json.loads(body)["summary"] == "staff:eve read honeytoken customer c-1"
    assert headers["Content-Type"] == "application/json"
    assert signature_valid(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not signature_valid(
        "another-secret-entirely", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER]
    )
    assert not signature_valid(
        SECRET, headers[TIMESTAMP_HEADER], body + b" ", headers[SIGNATURE_HEADER]
    )


def test_a_webhook_that_answers_an_error_is_a_failed_delivery(receiver) -> None:
    url, handler = receiver
    handler.status = 500
    with pytest.raises(NotificationError, match=re.escape("webhook 127.0.0.1 answered 500")):
        _one("webhook", {"url": url}).send(_alert())


def test_an_unreachable_webhook_is_a_failed_delivery() -> None:
    notifier = _one("webhook", {"url": f"http://127.0.0.1:{_free_port()}/", "timeout_seconds": 2})
    with pytest.raises(NotificationError, match=re.escape("webhook 127.0.0.1: ConnectError")):
        notifier.send(_alert())


def test_syslog_over_udp_sends_one_rfc_5424_message() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        port = server.getsockname()[1]
        _one("syslog", {"address": f"udp://127.0.0.1:{port}"}).send(_alert())
        data = server.recv(65536).decode()
    assert data.startswith("<34>1 2026-03-02T10:00:00.000000Z ")  # auth (4) * 8 + critical (2)
    assert " strongroom - alert - " in data
    assert json.loads(data.split(" - alert - ", 1)[1])["id"] == "a-1"


def test_syslog_over_tcp_frames_the_message_by_octet_counting() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        notifier = _one("syslog", {"address": f"tcp://127.0.0.1:{port}", "facility": "local3"})
        sender = threading.Thread(target=notifier.send, args=(_alert(Severity.MEDIUM),))
        sender.start()
        connection, _ = server.accept()
        with connection:
            connection.settimeout(5)
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        sender.join()
    length, _, message = data.partition(b" ")
    assert int(length) == len(message)
    assert message.startswith(b"<156>1 ")  # local3 (19) * 8 + warning (4)


def test_syslog_over_a_unix_socket(tmp_path: Path) -> None:
    path = tmp_path / "log.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        server.settimeout(5)
        _one("syslog", {"address": f"unix://{path}"}).send(_alert())
        assert b'"principal":"staff:eve"' in server.recv(65536)


def test_an_unreachable_syslog_is_a_failed_delivery() -> None:
    notifier = _one("syslog", {"address": f"tcp://127.0.0.1:{_free_port()}"})
    with pytest.raises(NotificationError, match=re.escape("syslog tcp://127.0.0.1")):
        notifier.send(_alert())


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


def test_email_is_delivered_to_a_real_smtp_server(smtp_server) -> None:
    port, inbox = smtp_server
    table = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "strongroom@example.com",
        "recipients": ["security@example.com", "oncall@example.com"],
    }
    _one("email", table).send(_alert())
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "strongroom@example.com"
    assert envelope.rcpt_tos == ["security@example.com", "oncall@example.com"]
    assert isinstance(envelope.content, bytes)
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == "[Strongroom critical] honeytoken_access: staff:eve"
    assert "staff:eve read honeytoken customer c-1" in message.get_payload()


def test_an_unreachable_smtp_server_is_a_failed_delivery() -> None:
    table = {
        "host": "127.0.0.1",
        "port": _free_port(),
        "security": "none",
        "sender": "s@example.com",
        "recipients": ["r@example.com"],
        "timeout_seconds": 2,
    }
    with pytest.raises(NotificationError, match=re.escape("email via 127.0.0.1")):
        _one("email", table).send(_alert())


def test_only_alerts_at_or_above_a_sinks_minimum_severity_are_for_it() -> None:
    assert _one("syslog", {"address": "udp://127.0.0.1:514"}).min_severity is Severity.LOW
    email = {"host": "smtp.example.com", "sender": "s@example.com", "recipients": ["r@example.com"]}
    assert _one("email", email).min_severity is Severity.HIGH


@pytest.mark.parametrize(
    ("kind", "table", "secrets", "message"),
    [
        pytest.param(
            "pager", {}, SECRETS, "[sinks.pager] is not a sink; the sinks are: webhook", id="kind"
        ),
        pytest.param(
            "webhook",
            {"url": "http://hooks.example.com/x"},
            SECRETS,
            "must be an https:// URL (http:// only on a loopback address)",
            id="plain http to another host",
        ),
        pytest.param(
            "webhook",
            {"url": "https://hooks.example.com/x"},
            NotifierSecrets(),
            "a webhook needs STRONGROOM_ALERT_WEBHOOK_SECRET",
            id="no signing secret",
        ),
        pytest.param(
            "webhook",
            {"url": "https://hooks.example.com/x", "secret": "inline"},
            SECRETS,
            "unknown setting 'secret'",
            id="a secret in the file",
        ),
        pytest.param(
            "syslog", {"address": "syslog.example.com"}, SECRETS, "address =", id="bad address"
        ),
        pytest.param(
            "email", {"sender": "s@example.com"}, SECRETS, "host, recipients must be set", id="host"
        ),
        pytest.param(
            "email",
            {
                "host": "smtp.example.com",
                "security": "none",
                "sender": "s@x",
                "recipients": ["r@x"],
            },
            SECRETS,
            "allowed only to a loopback host",
            id="plain smtp to another host",
        ),
        pytest.param(
            "email",
            {"host": "smtp.example.com", "sender": "s@x", "recipients": ["r@x"], "username": "u"},
            NotifierSecrets(),
            "STRONGROOM_ALERT_SMTP_PASSWORD is not",
            id="login without password",
        ),
        pytest.param(
            "email",
            {"host": "h", "sender": "s", "recipients": ["r"], "port": 70000},
            SECRETS,
            "port = 70000 is above the maximum 65535",
            id="port out of range",
        ),
    ],
)
def test_a_bad_sink_stops_start_up_naming_the_file_and_setting(
    kind: str, table: dict[str, object], secrets: NotifierSecrets, message: str
) -> None:
    with pytest.raises(ConfigurationError) as raised:
        _one(kind, table, secrets)
    assert raised.value.message.startswith(f"monitor.toml: [sinks.{kind}]")
    assert message in raised.value.message
    assert SECRET not in raised.value.message
