"""Monitoring end to end: the real CLI and TLS server, a webhook receiver, syslog, SMTP.

A data home configured with all three sinks plants honeytokens; a staff member reads one over
the API and the alert arrives signed at the webhook, in syslog and by email at once; the scan
agrees without a second alert; an injection-shaped id is refused, audited and alerted; a bad
config file stops every command naming the setting and the file.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from strongroom.adapters.notifiers import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_valid

from .harness import DataHome, RunningServer, create_home, free_port, serving, trained_token

pytestmark = pytest.mark.e2e
SECRET = "e2e-webhook-secret-0123456789"
WAIT_SECONDS = 20.0


@dataclass
class Sinks:
    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    datagrams: list[bytes] = field(default_factory=list)
    mails: list[Envelope] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - the name aiosmtpd calls
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.mails.append(envelope)
        return "250 OK"


def _webhook(sinks: Sinks) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            sinks.posts.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _syslog(sinks: Sinks) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))

    def listen() -> None:
        while True:
            try:
                sinks.datagrams.append(sock.recv(65536))
            except OSError:
                return

    threading.Thread(target=listen, daemon=True).start()
    return sock


@dataclass(frozen=True)
class Monitored:
    home: DataHome
    server: RunningServer
    sinks: Sinks
    canaries: list[dict[str, Any]]


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Monitored]:
    root = tmp_path_factory.mktemp("monitoring")
    sinks = Sinks()
    webhook, syslog = _webhook(sinks), _syslog(sinks)
    smtp = Controller(sinks, hostname="127.0.0.1", port=free_port())
    smtp.start()
    config = root / "monitor.toml"
    config.write_text(
        f"""
[detectors.off_hours]
enabled = false

[sinks.webhook]
url = "http://127.0.0.1:{webhook.server_address[1]}/alerts"

[sinks.syslog]
address = "udp://127.0.0.1:{syslog.getsockname()[1]}"
facility = "local4"

[sinks.email]
host = "127.0.0.1"
port = {smtp.port}
security = "none"
sender = "strongroom@example.com"
recipients = ["security@example.com"]
min_severity = "critical"
"""
    )
    home = create_home(root / "home")
    home.env["STRONGROOM_MONITOR_CONFIG"] = str(config)
    home.env["STRONGROOM_ALERT_WEBHOOK_SECRET"] = SECRET
    canaries = home.cli_json("honeytokens", "plant", "--count", "2")
    issued = {role: trained_token(home, f"mon-{role}", role) for role in ("dpo", "payments")}
    try:
        with serving(home, root / "server.log") as served:
            yield Monitored(
                home,
                RunningServer(
                    base_url=served.base_url,
                    port=served.port,
                    cert=home.cert,
                    write_key="",
                    tokens={role: token["token"] for role, token in issued.items()},
                    token_ids={role: token["id"] for role, token in issued.items()},
                    home=home.path,
                    env=home.env,
                    database=home.database,
                ),
                sinks,
                canaries,
            )
    finally:
        smtp.stop()
        webhook.shutdown()
        webhook.server_close()
        syslog.close()


def _wait_for(predicate: Any) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not predicate():
        assert time.monotonic() < deadline, "the alert did not arrive"
        time.sleep(0.1)


def test_planting_prints_canary_customers_with_card_tokens(monitored: Monitored) -> None:
    assert len(monitored.canaries) == 2
    for canary in monitored.canaries:
        assert canary["card_token"].startswith("tok_")


def test_reading_a_honeytoken_alerts_every_sink_at_once_and_the_scan_agrees(
    monitored: Monitored,
) -> None:
    canary = monitored.canaries[0]["customer_id"]
    with monitored.server.staff("dpo") as client:
        response = client.get(f"/api/v1/customers/{canary}")
    assert response.status_code == 200, response.text  # the reader is not warned
    sinks = monitored.sinks
    _wait_for(lambda: sinks.posts and sinks.datagrams and sinks.mails)
    headers, body = sinks.posts[0]
    assert signature_valid(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    posted = json.loads(body)
    assert (posted["detector"], posted["severity"], posted["principal"]) == (
        "honeytoken_access",
        "critical",
        "staff:mon-dpo",
    )
    assert posted["signal"] == f"honeytoken:{canary}"
    assert sinks.datagrams[0].startswith(b"<162>1 ")  # local4 (20) * 8 + critical (2)
    assert sinks.mails[0].rcpt_tos == ["security@example.com"]

    scan = monitored.home.cli_json("monitor", "scan")
    honey = [f for f in scan["findings"] if f["detector"] == "honeytoken_access"]
    assert [f["signal"] for f in honey] == [f"honeytoken:{canary}"]
    assert all(a["detector"] != "honeytoken_access" for a in scan["new_alerts"])
    [alert] = [
        a for a in monitored.home.cli_json("alerts", "list") if a["detector"] == "honeytoken_access"
    ]
    assert (alert["count"], alert["status"]) == (1, "open")
    assert alert["deliveries"] == {"webhook": "sent", "syslog": "sent", "email": "sent"}


def test_revealing_a_canary_card_is_a_critical_alert(monitored: Monitored) -> None:
    card = monitored.canaries[1]["card_token"]
    with monitored.server.staff("payments") as client:
        response = client.post(
            f"/api/v1/cards/{card}/detokenize", headers={"X-Strongroom-Purpose": "payment"}
        )
    assert response.status_code == 200, response.text

    def arrived() -> bool:
        return any(f"honeytoken:{card}" in body.decode() for _, body in monitored.sinks.posts)

    _wait_for(arrived)


def test_an_injection_shaped_id_is_refused_audited_and_alerted_by_the_scan(
    monitored: Monitored,
) -> None:
    with monitored.server.staff("dpo") as client:
        response = client.get("/api/v1/customers/1' OR '1'='1")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"
    scan = monitored.home.cli_json("monitor", "scan")
    [alert] = [a for a in scan["new_alerts"] if a["detector"] == "suspicious_input"]
    assert alert["principal"] == "staff:mon-dpo"
    assert "sql" in alert["summary"]
    assert "1=1" not in json.dumps(alert)  # the value itself is never kept


def test_acknowledging_an_alert_is_audited_and_changes_its_status(monitored: Monitored) -> None:
    alerts = monitored.home.cli_json("alerts", "list", "--status", "open")
    target = alerts[0]["id"]
    done = monitored.home.cli("alerts", "ack", target, "--note", "investigating")
    assert f"Acknowledged alert {target}" in done.stdout
    acknowledged = monitored.home.cli_json("alerts", "list", "--status", "acknowledged")
    assert [(a["id"], a["note"], a["handled_by"][:6]) for a in acknowledged] == [
        (target, "investigating", "local:")
    ]
    again = monitored.home.cli("alerts", "ack", target, check=False)
    assert again.returncode == 1
    assert "acknowledged already" in again.stderr


@pytest.mark.parametrize(
    ("config", "fragments"),
    [
        pytest.param(
            "[detectors.volume_spike]\nthreshold = -3.0\n",
            ["[detectors.volume_spike]: threshold = -3.0 is not above 0"],
            id="a negative threshold",
        ),
        pytest.param(
            "[detectors.volume_spike]\nthreshold = 'six'\n",
            ["[detectors.volume_spike]: threshold = 'six' is of the wrong type"],
            id="a threshold of the wrong type",
        ),
        pytest.param(
            "[detectors.volume_spike]\nthresold = 6.0\n",
            ["[detectors.volume_spike]: unknown setting 'thresold'"],
            id="an unknown key",
        ),
        pytest.param(
            "[detectors.mass_export]\nenabled = true\n",
            ["[detectors.mass_export] is not a detector"],
            id="an unknown detector",
        ),
        pytest.param("[detectors\n", ["not valid TOML"], id="a broken file"),
    ],
)
def test_a_bad_monitor_config_stops_start_up_naming_the_setting_and_the_file(
    tmp_path: Path, config: str, fragments: list[str]
) -> None:
    home = create_home(tmp_path / "home")
    bad = tmp_path / "monitor.toml"
    bad.write_text(config)
    home.env["STRONGROOM_MONITOR_CONFIG"] = str(bad)
    for command in (("monitor", "scan"), ("alerts", "list")):
        result = home.cli(*command, check=False)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        line = " ".join(result.stderr.split())
        assert str(bad) in line
        for fragment in fragments:
            assert fragment in line
