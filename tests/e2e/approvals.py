"""Four eyes from the command line: two people, told apart by their operating-system account."""

from __future__ import annotations

from typing import Protocol

from .harness import run_cli_json


class HasEnv(Protocol):
    @property
    def env(self) -> dict[str, str]: ...


def as_person(env: dict[str, str], name: str) -> dict[str, str]:
    """The CLI's environment as the OS account ``name`` (getpass reads LOGNAME, then USER)."""
    return {**env, "LOGNAME": name, "USER": name}


def approved(home: HasEnv, kind: str, payload: str) -> str:
    """An approval id that alice requested and bob approved."""
    request = ("approvals", "request", "--kind", kind, "--payload", payload)
    asked = run_cli_json(*request, env=as_person(home.env, "alice"))
    run_cli_json("approvals", "approve", asked["id"], env=as_person(home.env, "bob"))
    return str(asked["id"])
