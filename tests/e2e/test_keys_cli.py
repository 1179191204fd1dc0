"""Key rotation from the command line while the server serves: nothing stops working."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from .approvals import approved
from .harness import create_home, serving, tls_context, trained_token, unique

pytestmark = pytest.mark.e2e


def _identify(client: httpx.Client, n: int) -> None:
    body = {
        "userId": f"u{n}",
        "traits": {"email": f"k{n}@example.com", "phone": f"+1415555{n:04d}"},
    }
    response = client.post("/v1/identify", json=body)
    assert response.status_code == 200, response.text


def _found(client: httpx.Client, **query: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/customers", params=query)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _versions(status: list[dict[str, Any]], kind: str) -> dict[int, dict[str, Any]]:
    return {row["version"]: row for row in status if row["kind"] == kind}


def test_rotating_and_retiring_keys_while_serving(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    write_key = home.cli_json("sources", "create", unique("src"), "--channel", "web", "--json")[
        "write_key"
    ]
    token = trained_token(home, "dana", "dpo")["token"]
    with serving(home, tmp_path / "server.log") as server:
        common = {"base_url": server.base_url, "verify": tls_context(home.cert), "timeout": 30.0}
        with (
            httpx.Client(auth=(write_key, ""), **common) as tracking,
            httpx.Client(headers={"Authorization": f"Bearer {token}"}, **common) as staff,
        ):
            for n in range(6):
                _identify(tracking, n)
            for kind in ("field-kek", "blind-index"):
                approval = approved(home, "key_rotation", kind)
                home.cli(
                    "keys", "rotate", "--kind", kind, "--batch-size", "2", "--approval", approval
                )
            _identify(tracking, 6)  # written by the server under whichever versions it has
            status = home.cli_json("keys", "status", "--json")
            assert _versions(status, "field-kek")[2]["current"] is True
            home.cli("keys", "rotate", "--kind", "field-kek", "--resume")
            home.cli("keys", "rotate", "--kind", "blind-index", "--resume")
            home.cli("keys", "retire", "--kind", "field-kek", "--version", "1")
            home.cli("keys", "retire", "--kind", "blind-index", "--version", "1")
            status = home.cli_json("keys", "status", "--json")
            assert _versions(status, "field-kek")[1]["retired_at"] is not None
            assert _versions(status, "field-kek")[2]["records"] == 7
            assert _versions(status, "blind-index")[1]["records"] == 0
            for n in range(7):
                assert len(_found(staff, email=f"K{n}@example.com")) == 1
                assert len(_found(staff, phone=f"(415) 555-{n:04d}")) == 1


def test_retiring_the_current_version_is_refused_in_one_line(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    result = home.cli("keys", "retire", "--kind", "field-kek", "--version", "1", check=False)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "is the current one" in result.stderr


def test_root_rotation_replaces_the_key_file_and_keeps_everything_readable(
    tmp_path: Path,
) -> None:
    home = create_home(tmp_path / "home")
    home.cli("sources", "create", unique("src"), "--channel", "pos")
    before = (home.path / "root.key").read_bytes()
    home.cli(
        "keys", "rotate", "--kind", "root", "--approval", approved(home, "key_rotation", "root")
    )
    assert (home.path / "root.key").read_bytes() != before
    assert not (home.path / "root.key.new").exists()
    assert (home.path / "root.key").stat().st_mode & 0o777 == 0o600
    assert len(home.cli_json("sources", "list", "--json")) == 1
    assert home.cli_json("audit", "verify", "--json")["ok"] is True


def test_an_interrupted_root_rotation_completes_at_the_next_start(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    old = (home.path / "root.key").read_bytes()
    home.cli(
        "keys", "rotate", "--kind", "root", "--approval", approved(home, "key_rotation", "root")
    )
    rotated = (home.path / "root.key").read_bytes()
    # As if it stopped after committing the re-wrapped keyring, before replacing the key file.
    (home.path / "root.key").rename(home.path / "root.key.new")
    (home.path / "root.key").write_bytes(old)
    (home.path / "root.key").chmod(0o600)
    assert home.cli_json("keys", "status", "--json")
    assert (home.path / "root.key").read_bytes() == rotated
    assert not (home.path / "root.key.new").exists()
