"""The ``strongroom`` command as an operator meets it: help, one-line errors, demo, init, serve."""

from __future__ import annotations

import json
import re
import socket
import subprocess
from pathlib import Path

import pytest

from .harness import (
    DataHome,
    base_env,
    create_home,
    free_port,
    new_passphrase,
    run_cli,
    serving,
    tls_context,
    unique,
)

pytestmark = pytest.mark.e2e

COMMANDS = [
    (),
    ("init",),
    ("serve",),
    ("demo",),
    ("sources", "create"),
    ("sources", "list"),
    ("tokens", "create"),
    ("tokens", "revoke"),
    ("customers", "show"),
    ("customers", "erase"),
    ("keys", "verify-receipt"),
    ("backup", "create"),
    ("backup", "verify"),
    ("backup", "restore"),
    ("audit", "verify"),
    ("audit", "checkpoint"),
    ("audit", "proof"),
    ("audit", "export"),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> DataHome:
    """An initialised SQLite data home (no server) shared by the error tests."""
    return create_home(tmp_path_factory.mktemp("cli") / "home")


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """A non-zero exit with exactly one line on stderr (no traceback); return that line."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


# --- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command) or "strongroom")
def test_every_command_has_help(tmp_path: Path, command: tuple[str, ...]) -> None:
    untouched = tmp_path / "no-home"
    result = run_cli(*command, "--help", env=base_env(untouched, None))
    assert result.returncode == 0
    assert "Usage:" in result.stdout
    assert result.stderr == ""
    assert not untouched.exists(), "--help must not create a data home"


# --- errors -------------------------------------------------------------------------------------


def test_a_wrong_passphrase_is_one_line_on_stderr(home: DataHome) -> None:
    env = home.env | {"STRONGROOM_ROOT_PASSPHRASE": new_passphrase()}
    line = assert_one_line_error(run_cli("sources", "list", env=env, check=False))
    assert "passphrase" in line.lower()
    assert env["STRONGROOM_ROOT_PASSPHRASE"] not in line


def test_a_missing_home_is_one_line_on_stderr_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    result = run_cli("sources", "list", env=base_env(missing, new_passphrase()), check=False)
    line = assert_one_line_error(result, "strongroom init")
    assert str(missing) in line
    assert not missing.exists()


@pytest.mark.parametrize("command", [("init",), ("sources", "list")])
def test_an_unsupported_database_url_is_one_line_on_stderr(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = base_env(tmp_path / "home", new_passphrase(), "mysql://x")
    line = assert_one_line_error(run_cli(*command, env=env, check=False))
    assert "STRONGROOM_DATABASE_URL" in line


def test_a_short_passphrase_is_refused_by_init(tmp_path: Path) -> None:
    env = base_env(tmp_path / "home", "short")
    assert_one_line_error(run_cli("init", env=env, check=False), "at least 12")
    assert not (tmp_path / "home" / "root.key").exists()


def test_no_passphrase_and_no_terminal_is_one_line_on_stderr(home: DataHome) -> None:
    env = {name: value for name, value in home.env.items() if name != "STRONGROOM_ROOT_PASSPHRASE"}
    assert_one_line_error(
        run_cli("sources", "list", env=env, check=False), "STRONGROOM_ROOT_PASSPHRASE"
    )


def test_an_unknown_role_is_one_line_on_stderr(home: DataHome) -> None:
    result = home.cli("tokens", "create", "--name", unique("cli"), "--role", "wizard", check=False)
    assert_one_line_error(result, "wizard", "support")


def test_revoking_an_unknown_token_is_one_line_on_stderr(home: DataHome) -> None:
    assert_one_line_error(home.cli("tokens", "revoke", "no-such-token", check=False), "no token")


def test_a_bad_channel_is_refused_without_a_traceback(home: DataHome) -> None:
    result = home.cli("sources", "create", unique("cli"), "--channel", "pigeon", check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "pigeon" in result.stderr
    assert home.cli_json("sources", "list") == []


def test_a_bad_channel_is_one_line_on_stderr(home: DataHome) -> None:
    result = home.cli("sources", "create", unique("cli"), "--channel", "pigeon", check=False)
    assert_one_line_error(result, "pigeon")


# --- init ---------------------------------------------------------------------------------------


def test_init_twice_on_the_same_home_is_refused(tmp_path: Path) -> None:
    first = create_home(tmp_path / "home")
    root_key = (first.path / "root.key").read_bytes()
    certificate = first.cert.read_bytes()

    assert_one_line_error(first.cli("init", check=False), "already")
    again = first.env | {"STRONGROOM_ROOT_PASSPHRASE": new_passphrase()}
    assert_one_line_error(run_cli("init", env=again, check=False))

    assert (first.path / "root.key").read_bytes() == root_key
    assert first.cert.read_bytes() == certificate
    assert first.cli_json("audit", "verify")["entries_checked"] == 1


def test_init_makes_the_secrets_readable_by_the_owner_only(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    for secret in (home.path / "root.key", home.path / "tls" / "key.pem", home.sqlite_file):
        assert secret.stat().st_mode & 0o077 == 0, f"{secret.name} is open to others"
    assert home.path.stat().st_mode & 0o077 == 0


# --- demo ---------------------------------------------------------------------------------------


def test_demo_loads_serves_and_exits_with_a_verifiable_audit_log(tmp_path: Path) -> None:
    demo_home = tmp_path / "demo"
    port = free_port()
    env = base_env(demo_home, None)  # the demo makes up a passphrase and prints it
    result = run_cli(
        "demo", "--exit-after-load", "--customers", "20", "--port", str(port), env=env, timeout=180
    )
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    assert f"https://127.0.0.1:{port}" in result.stdout
    assert re.search(r"\bsrt_[A-Za-z0-9_-]{20,}", result.stdout)
    printed = re.search(r"root passphrase:\s+(\S+)", result.stdout)
    assert printed is not None, result.stdout

    opened = env | {"STRONGROOM_ROOT_PASSPHRASE": printed.group(1)}
    report = run_cli("audit", "verify", "--json", env=opened)
    assert '"ok": true' in report.stdout
    sources = run_cli("sources", "list", "--json", env=opened).stdout
    assert "demo-web" in sources
    # The demo's staff passed the PII training gate, so its dpo token shows PII as printed.
    trained = json.loads(
        run_cli("staff", "training", "status", "demo-dpo", "--json", env=opened).stdout
    )
    assert [person["current"] for person in trained] == [True]
    # Its two staff members' roles were granted with four eyes, by two named demo operators.
    grants = json.loads(run_cli("approvals", "list", "--json", env=opened).stdout)
    assert sorted(g["summary"] for g in grants) == [
        "grant the role dpo to demo-dpo",
        "grant the role support to demo-support",
    ]
    assert {(g["requested_by"], g["approved_by"]) for g in grants} == {
        ("demo-operator-ann", "demo-operator-ben")
    }
    assert all(g["used_at"] for g in grants)


def test_demo_uses_the_passphrase_from_the_environment(tmp_path: Path) -> None:
    passphrase = new_passphrase()
    env = base_env(tmp_path / "demo", passphrase)
    args = ("demo", "--exit-after-load", "--customers", "3", "--port", str(free_port()))
    run_cli(*args, env=env, timeout=180)
    run_cli("audit", "verify", env=env)

    # A second demo into the same home is refused unless asked for with --fresh.
    assert_one_line_error(run_cli(*args, env=env, check=False), "--fresh")
    run_cli(*args, "--fresh", env=env, timeout=180)


# --- serve --------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com"])
def test_serve_refuses_plain_http_off_loopback(home: DataHome, host: str) -> None:
    args = ("serve", "--insecure-dev", "--host", host, "--port", str(free_port()))
    result = run_cli(*args, env=home.env, check=False, timeout=30)
    assert_one_line_error(result, host, "loopback")


def test_serve_refuses_to_start_without_its_tls_files(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    (home.path / "tls" / "key.pem").unlink()
    result = home.cli("serve", "--port", str(free_port()), check=False)
    assert_one_line_error(result, "key.pem")


def test_serve_stops_promptly_while_a_client_holds_an_idle_connection(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    with (
        serving(home, tmp_path / "server.log") as served,
        socket.create_connection(("127.0.0.1", served.port), timeout=10) as raw,
        tls_context(home.cert).wrap_socket(raw, server_hostname="127.0.0.1") as idle,
    ):
        idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert idle.recv(4096).startswith(b"HTTP/1.1 200")
        # Like a tracking client's pooled keep-alive connection: open, idle, never read again.
        served.process.terminate()
        try:
            served.process.wait(timeout=8)
        finally:
            if served.process.poll() is None:
                served.process.kill()
                served.process.wait(timeout=10)
