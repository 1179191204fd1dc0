"""`strongroom serve --workers 2`: two processes share the port; every batch is stored once and
the audit chain both of them append to stays intact."""

from __future__ import annotations

import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from .harness import (
    _wait_until_healthy,
    create_home,
    free_port,
    stop_process,
    strongroom_executable,
    tls_context,
    unique,
)

pytestmark = pytest.mark.e2e
BATCHES = 40


def _post(url: str, cert: Path, write_key: str, n: int) -> int:
    body = {
        "batch": [
            {"type": "track", "userId": unique("u"), "event": "Tick", "messageId": f"w{n}-{i}"}
            for i in range(20)
        ]
    }
    with httpx.Client(
        base_url=url, verify=tls_context(cert), auth=(write_key, ""), trust_env=False, timeout=60
    ) as client:
        return client.post("/v1/batch", json=body).status_code


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in found.stdout.split()]


def test_two_workers_share_the_port_and_keep_one_audit_chain(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    write_key = home.cli_json("sources", "create", "w-web", "--channel", "web")["write_key"]
    before = home.cli_json("audit", "verify", "--json")["entries_checked"]
    port, log = free_port(), tmp_path / "server.log"
    url = f"https://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [strongroom_executable(), "serve", "--port", str(port), "--workers", "2"],
            env=home.env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(process, url, home.cert, log)
            workers = _children(process.pid)
            assert len(workers) == 2
            with ThreadPoolExecutor(max_workers=8) as pool:
                codes = list(
                    pool.map(lambda n: _post(url, home.cert, write_key, n), range(BATCHES))
                )
            assert codes == [200] * BATCHES
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        finally:
            stop_process(process)
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)
    report = home.cli_json("audit", "verify", "--json")
    assert report["ok"] is True
    # One entry per batch, plus what the verification before and the checkpoints added.
    assert report["entries_checked"] >= before + BATCHES + 1
