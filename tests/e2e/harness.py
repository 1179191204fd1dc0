"""What the end-to-end tests drive: the real CLI as subprocesses, data homes, the TLS server."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, Protocol

import httpx
import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

POSTGRES_URL_ENV = "STRONGROOM_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
STARTUP_TIMEOUT = 30.0
CLI_TIMEOUT = 120.0
STAFF_ROLES = ("support", "dpo", "admin")


# --- the command line ---------------------------------------------------------------------------


def strongroom_executable() -> str:
    """The ``strongroom`` script of the interpreter running the tests (the project's venv)."""
    beside = Path(sys.executable).parent / "strongroom"
    if beside.is_file():
        return str(beside)
    found = shutil.which("strongroom")
    if found is None:
        pytest.fail("the strongroom command is not installed: run `make setup`")
    return found


def base_env(home: Path, passphrase: str | None, database_url: str | None = None) -> dict[str, str]:
    """The environment of a CLI or server process: ours minus any STRONGROOM_* of the caller."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("STRONGROOM_")}
    env["STRONGROOM_HOME"] = str(home)
    if passphrase is not None:
        env["STRONGROOM_ROOT_PASSPHRASE"] = passphrase
    if database_url is not None:
        env["STRONGROOM_DATABASE_URL"] = database_url
    env["COLUMNS"] = "200"  # Rich wraps at the terminal width; keep printed lines whole
    return env


def run_cli(
    *args: str, env: Mapping[str, str], check: bool = True, timeout: float = CLI_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run ``strongroom *args``; with ``check``, a non-zero exit fails the test, showing stderr."""
    completed = subprocess.run(
        [strongroom_executable(), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if check and completed.returncode != 0:
        pytest.fail(
            f"`strongroom {' '.join(args)}` exited {completed.returncode}\n"
            f"stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
        )
    return completed


def run_cli_json(*args: str, env: Mapping[str, str]) -> Any:
    return json.loads(run_cli(*args, "--json", env=env).stdout)


def new_passphrase() -> str:
    return secrets.token_urlsafe(24)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def unique(prefix: str) -> str:
    """A value no other test uses, e.g. ``unique("user")`` -> ``user-3f9a0c1b2d4e``."""
    return f"{prefix}-{secrets.token_hex(6)}"


def unique_email(first_letter: str = "j") -> str:
    return f"{first_letter}{secrets.token_hex(6)}@example.com"


def tls_context(cert: Path) -> ssl.SSLContext:
    """Trust exactly the data home's self-signed certificate."""
    return ssl.create_default_context(cafile=str(cert))


# --- the API's one error body -------------------------------------------------------------------


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """``response`` is ``status`` with the one error body; return its ``error`` object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"], body
    error: dict[str, Any] = body["error"]
    assert set(error) == {"code", "message", "request_id"}, body
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["request_id"], str)
    assert error["request_id"] == response.headers["x-request-id"]
    if code is not None:
        assert error["code"] == code, body
    return error


# --- the databases ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Database:
    """Where a data home keeps its data: the home's SQLite file, or a PostgreSQL database."""

    kind: str  # "sqlite" or "postgresql"
    url: str | None  # STRONGROOM_DATABASE_URL; None for the home's default SQLite file

    def connect(self) -> psycopg.Connection[Any]:
        """A psycopg connection to this PostgreSQL database (the caller closes it)."""
        assert self.url is not None, "only PostgreSQL has a URL to connect to"
        return psycopg.connect(libpq_url(make_url(self.url)), autocommit=True, connect_timeout=5)


def libpq_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_unreachable(reason: str) -> NoReturn:
    message = f"PostgreSQL is unreachable ({reason}); set {POSTGRES_URL_ENV} to a reachable server"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


# --- data homes and the server ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DataHome:
    """A data home made by ``strongroom init``, with the environment that opens it."""

    path: Path
    env: dict[str, str]
    database: Database

    @property
    def cert(self) -> Path:
        return self.path / "tls" / "cert.pem"

    @property
    def sqlite_file(self) -> Path:
        return self.path / "strongroom.sqlite3"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, env=self.env, check=check)

    def cli_json(self, *args: str) -> Any:
        return run_cli_json(*args, env=self.env)


# --- four eyes: two people, told apart by their operating-system account (see approvals.py) ---


class HasEnv(Protocol):
    @property
    def env(self) -> dict[str, str]: ...


def as_person(env: Mapping[str, str], name: str) -> dict[str, str]:
    """The CLI's environment as the OS account ``name`` (getpass reads LOGNAME, then USER)."""
    return {**env, "LOGNAME": name, "USER": name}


def approved(home: HasEnv, kind: str, payload: str) -> str:
    """An approval id that alice requested and bob approved."""
    request = ("approvals", "request", "--kind", kind, "--payload", payload)
    asked = run_cli_json(*request, env=as_person(home.env, "alice"))
    run_cli_json("approvals", "approve", asked["id"], env=as_person(home.env, "bob"))
    return str(asked["id"])


def granted_token(home: HasEnv, name: str, role: str) -> dict[str, Any]:
    """``tokens create`` for a new person: alice asks for the role grant, bob approves it, alice
    creates the token with it (four eyes)."""
    approval = approved(home, "role_grant", f"role_grant:{name}:{role}")
    create = ("tokens", "create", "--name", name, "--role", role, "--approval", approval)
    issued: dict[str, Any] = run_cli_json(*create, env=as_person(home.env, "alice"))
    return issued


def granted_staff(home: HasEnv, name: str, role: str) -> dict[str, Any]:
    """``staff create`` for a new person, the role grant approved as in ``granted_token``."""
    approval = approved(home, "role_grant", f"role_grant:{name}:{role}")
    create = ("staff", "create", name, "--role", role, "--approval", approval)
    created: dict[str, Any] = run_cli_json(*create, env=as_person(home.env, "alice"))
    return created


def trained_token(home: DataHome | RunningServer, name: str, role: str) -> dict[str, Any]:
    """``tokens create`` (four eyes, ``granted_token``) for a person who also passed the PII
    training gate (security training and the current policy acknowledged), as every staff
    member who reads PII must have."""
    issued = granted_token(home, name, role)
    for kind in ("security", "policy-ack"):
        home.cli("staff", "training", "record", name, "--kind", kind)
    return issued


def create_home(path: Path, database: Database | None = None) -> DataHome:
    """``strongroom init`` a new data home at ``path`` with a random root passphrase."""
    database = database or Database("sqlite", None)
    env = base_env(path, new_passphrase(), database.url)
    run_cli("init", env=env)
    return DataHome(path, env, database)


@dataclass(frozen=True, slots=True)
class RunningServer:
    """``strongroom serve`` on a free port, and the credentials made for the tests."""

    base_url: str
    port: int
    cert: Path
    write_key: str
    tokens: dict[str, str]  # role -> bearer token
    token_ids: dict[str, str]  # role -> token id
    home: Path
    env: dict[str, str] = field(repr=False)
    database: Database

    @property
    def sqlite_file(self) -> Path:
        return self.home / "strongroom.sqlite3"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the CLI on this server's data home (while the server runs)."""
        return run_cli(*args, env=self.env, check=check)

    def cli_json(self, *args: str) -> Any:
        return run_cli_json(*args, env=self.env)

    def ssl_context(self) -> ssl.SSLContext:
        return tls_context(self.cert)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTPS client of this server that trusts the home's certificate only."""
        kwargs.setdefault("timeout", 30.0)
        kwargs.setdefault("trust_env", False)  # no proxy from the environment for loopback
        return httpx.Client(base_url=self.base_url, verify=self.ssl_context(), **kwargs)

    def staff(self, role: str) -> httpx.Client:
        """A client carrying the bearer token of ``role``."""
        return self.client(headers={"Authorization": f"Bearer {self.tokens[role]}"})

    def tracking(self) -> httpx.Client:
        """A client sending the source's write key as HTTP Basic username, as Segment does."""
        return self.client(auth=(self.write_key, ""))

    def find_by_email(self, email: str, *, role: str = "dpo") -> list[dict[str, Any]]:
        """The customers with ``email``, as ``role`` sees them."""
        with self.staff(role) as client:
            response = client.get("/api/v1/customers", params={"email": email})
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def the_customer(self, email: str, *, role: str = "dpo") -> dict[str, Any]:
        """The one customer with ``email``."""
        found = self.find_by_email(email, role=role)
        assert len(found) == 1, found
        return found[0]


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, cert: Path, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = "no attempt"
    with httpx.Client(verify=tls_context(cert), timeout=2.0, trust_env=False) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"strongroom serve exited with {process.returncode} while starting:\n"
                    f"{log.read_text(errors='replace')}"
                )
            try:
                response = client.get(f"{url}/healthz")
            except httpx.TransportError as error:
                last_error = repr(error)
            else:
                if response.status_code == 200:
                    return
                last_error = f"{response.status_code} {response.text}"
            time.sleep(0.1)
    pytest.fail(
        f"{url}/healthz did not answer 200 within {STARTUP_TIMEOUT:.0f} s ({last_error}):\n"
        f"{log.read_text(errors='replace')}"
    )


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Terminate ``process``; kill it if it does not end within ten seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass(frozen=True, slots=True)
class ServerProcess:
    base_url: str
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def serving(home: DataHome, log: Path) -> Iterator[ServerProcess]:
    """``strongroom serve`` of ``home`` on a free port, answering /healthz; stopped on leaving."""
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [strongroom_executable(), "serve", "--port", str(port)],
            env=home.env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(process, url, home.cert, log)
            yield ServerProcess(url, port, process)
        finally:
            stop_process(process)
