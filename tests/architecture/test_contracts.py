"""The rules of the architecture, enforced: import contracts, one reader of the environment."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "strongroom"


def _python_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
        cwd=SRC.parents[1],
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_only_settings_reads_the_environment() -> None:
    reading = re.compile(r"\bos\.(environ|getenv)\b|\bfrom os import .*\b(environ|getenv)\b")
    offenders = [
        str(path.relative_to(SRC))
        for path in _python_files()
        if path.name != "settings.py" and reading.search(path.read_text())
    ]
    assert offenders == []


def test_no_sql_is_built_from_strings() -> None:
    built = re.compile(r"(execute|exec_driver_sql|text)\(\s*f[\"']|\.format\(.*(SELECT|INSERT)")
    offenders = [
        str(path.relative_to(SRC)) for path in _python_files() if built.search(path.read_text())
    ]
    assert offenders == []


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(SRC)): count
        for path in _python_files()
        if (count := len(path.read_text().splitlines())) > 400
    }
    assert long == {}


def test_core_imports_only_the_standard_library_and_itself() -> None:
    allowed_roots = set(sys.stdlib_module_names) | {"strongroom"}
    imported = re.compile(r"^\s*(?:from|import)\s+([a-zA-Z_][\w]*)", re.MULTILINE)
    foreign = {
        (path.name, root)
        for path in (SRC / "core").rglob("*.py")
        for root in imported.findall(path.read_text())
        if root not in allowed_roots and root != "__future__"
    }
    assert foreign == set()
