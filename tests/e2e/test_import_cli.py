"""`strongroom import` and `strongroom imports list` as an operator runs them."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from .harness import DataHome, create_home

pytestmark = pytest.mark.e2e
DATA = Path(__file__).parents[1] / "data" / "imports"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> DataHome:
    made = create_home(tmp_path_factory.mktemp("import") / "home")
    made.cli("sources", "create", "till", "--channel", "pos")
    return made


@pytest.fixture
def files(tmp_path: Path) -> Path:
    for name in ("orders_pos.csv", "pos_mapping.toml", "customers.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def _import_orders(home: DataHome, files: Path, *extra: str) -> dict[str, object]:
    args = ("import", str(files / "orders_pos.csv"), "--source", "till", "--kind", "orders")
    result: dict[str, object] = home.cli_json(
        *args, "--mapping", str(files / "pos_mapping.toml"), *extra
    )
    return result


def test_import_keeps_good_rows_rejects_the_bad_one_and_a_rerun_adds_nothing(
    home: DataHome, files: Path
) -> None:
    first = _import_orders(home, files)
    assert (first["stored"], first["rejected"], first["status"]) == (
        6,
        1,
        "completed_with_rejects",
    )
    rejects = files / "orders_pos.rejects.csv"
    assert first["rejects_file"] == str(rejects)
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    assert rejects.read_text().splitlines()[1].startswith("5,quantity must be a whole number,")
    again = _import_orders(home, files)
    assert (again["stored"], again["duplicates"]) == (0, 6)
    runs = home.cli_json("imports", "list")
    assert [run["id"] for run in runs[:2]] == [again["id"], first["id"]]
    assert runs[0]["file"] == "orders_pos.csv"


def test_the_summary_table_and_progress_for_people(home: DataHome, files: Path) -> None:
    result = home.cli(
        "import", str(files / "customers.csv"), "--source", "till", "--kind", "customers"
    )
    assert "rows read" in result.stdout
    assert "rejected" in result.stdout
    assert "mode 0600" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("missing.csv", "--source", "till", "--kind", "orders"), "no file at"),
        (("customers.csv", "--source", "nowhere", "--kind", "customers"), "no source named"),
        (("customers.txt", "--source", "till", "--kind", "customers"), ".txt"),
        (("customers.csv", "--source", "till", "--kind", "customers", "--format", "xls"), "xls"),
        (
            ("customers.csv", "--source", "till", "--kind", "customers", "--mapping", "bad.toml"),
            "columns.'Mail'",
        ),
    ],
    ids=["missing file", "unknown source", "unknown suffix", "unknown format", "bad mapping"],
)
def test_bad_input_gets_a_one_line_error(
    home: DataHome, files: Path, args: tuple[str, ...], fragment: str
) -> None:
    shutil.copy(files / "customers.csv", files / "customers.txt")
    (files / "bad.toml").write_text('[columns]\n"Mail" = "e_mail"\n')
    resolved = [
        str(files / arg) if arg.endswith((".csv", ".txt", ".toml")) else arg for arg in args
    ]
    result = home.cli("import", *resolved, check=False)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr


def test_a_file_with_nothing_importable_exits_non_zero(home: DataHome, files: Path) -> None:
    bad = files / "bad.csv"
    bad.write_text("user_id,email\nu-1,not-an-email\n")
    result = home.cli("import", str(bad), "--source", "till", "--kind", "customers", check=False)
    assert result.returncode == 1
    assert "no row could be imported" in result.stderr
    assert "not-an-email" not in result.stderr
