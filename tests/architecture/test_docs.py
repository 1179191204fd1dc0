"""Everything declared as data is documented: a new setting, command, role or action fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.main import get_command

from strongroom.access.permissions import PURPOSES, ROLES, Permission
from strongroom.cli.main import app
from strongroom.core.schema import CUSTOMER_FIELDS, EXTRA_TRAITS_FIELD, DataClass
from strongroom.core.trail import AuditAction
from strongroom.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCS = "\n".join(path.read_text() for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])


def _command_paths(group: typer.Typer) -> list[str]:
    root = get_command(group)
    paths: list[str] = []

    def walk(command: object, prefix: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            paths.append(prefix)

    walk(root, "")
    return paths


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"STRONGROOM_{field.upper()}" in DOCS


@pytest.mark.parametrize("command", _command_paths(app))
def test_every_cli_command_is_documented(command: str) -> None:
    assert f"`strongroom {command}" in DOCS


@pytest.mark.parametrize("permission", [p.value for p in Permission])
def test_every_permission_is_documented(permission: str) -> None:
    assert f"`{permission}`" in DOCS


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_is_documented(role: str) -> None:
    assert f"| `{role}` |" in DOCS


@pytest.mark.parametrize("purpose", [p.name for p in PURPOSES])
def test_every_purpose_is_documented(purpose: str) -> None:
    assert f"| `{purpose}` |" in DOCS


@pytest.mark.parametrize("action", [a.stored_name for a in AuditAction])
def test_every_audit_action_is_documented(action: str) -> None:
    assert f"| `{action}` |" in DOCS


@pytest.mark.parametrize("field", [spec.name for spec in CUSTOMER_FIELDS] + [EXTRA_TRAITS_FIELD])
def test_every_customer_field_is_documented(field: str) -> None:
    assert f"| `{field}` |" in DOCS


@pytest.mark.parametrize("data_class", [c.value for c in DataClass])
def test_every_data_class_is_documented(data_class: str) -> None:
    assert f"| `{data_class}` |" in DOCS


def test_the_quick_start_holds_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert block.strip().splitlines() == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci.splitlines()
