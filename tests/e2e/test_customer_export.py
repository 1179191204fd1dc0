"""`strongroom customers export` as operators meet it: four eyes, the policy on every record,
the volume cap on the whole export, and a file that is owner-only and safe in a spreadsheet."""

from __future__ import annotations

import csv
import json
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from strongroom.access.permissions import BUILTIN_POLICY

from .harness import DataHome, approved, as_person, create_home, granted_token, run_cli

pytestmark = pytest.mark.e2e

CUSTOMERS = [
    ("u-1", "ivo.tarrant@example.com", "Ivo", "41"),
    ("u-2", "jun.ashby@example.org", "Jun", "29"),
    ("u-3", "lee.brannock@example.net", '=HYPERLINK("http://evil.example")', "52"),
    ("u-4", "mo.castell@example.com", "Mo", "33"),
]
DPO_CAP = 2  # fewer than the customers: any whole export by the dpo is over the cap


@dataclass(frozen=True, slots=True)
class ExportHome:
    home: DataHome
    tokens: dict[str, str]  # role -> token of sue (support) or dora (dpo)

    def export(
        self, out: Path, role: str, *extra: str, person: str = "alice"
    ) -> subprocess.CompletedProcess[str]:
        args = ("customers", "export", "--out", str(out), "--format", "csv", *extra)
        env = as_person(self.home.env, person)
        return run_cli(*args, "--token", self.tokens[role], env=env, check=False)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ExportHome:
    root = tmp_path_factory.mktemp("export")
    home = create_home(root / "home")
    policy = root / "policy.toml"
    policy.write_text(
        BUILTIN_POLICY.replace("volume_per_hour = 2000", f"volume_per_hour = {DPO_CAP}", 1)
    )
    home.env["STRONGROOM_POLICY_FILE"] = str(policy)
    home.cli("sources", "create", "till", "--channel", "pos")
    people = root / "customers.csv"
    with people.open("w", newline="") as stream:
        csv.writer(stream).writerows([("User_id", "email", "firstName", "age"), *CUSTOMERS])
    stored = home.cli_json("import", str(people), "--source", "till", "--kind", "customers")
    assert stored["stored"] == len(CUSTOMERS), stored
    tokens = {
        "support": granted_token(home, "sue", "support")["token"],
        "dpo": granted_token(home, "dora", "dpo")["token"],
    }
    return ExportHome(home, tokens)


def test_without_an_approval_the_export_is_refused_and_nothing_is_written(
    shop: ExportHome, tmp_path: Path
) -> None:
    out = tmp_path / "all.csv"
    refused = shop.export(out, "support", "--purpose", "support")
    assert refused.returncode == 2, refused.stderr
    wanted = "approvals request --kind bulk_export --payload bulk_export:customers:csv:support:sue"
    assert wanted in refused.stdout
    assert not out.exists()


def test_an_approved_export_holds_every_customer_masked_in_an_owner_only_file(
    shop: ExportHome, tmp_path: Path
) -> None:
    out = tmp_path / "all.csv"
    approval = approved(shop.home, "bulk_export", "bulk_export:customers:csv:support:sue")
    done = shop.export(out, "support", "--purpose", "support", "--approval", approval, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["records"], report["pii_masked"]) == (len(CUSTOMERS), True)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with out.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert sorted(row["email"] for row in rows) == [
        "i***@example.com",
        "j***@example.org",
        "l***@example.net",
        "m***@example.com",
    ]
    assert sorted(row["age"] for row in rows) == sorted(age for *_, age in CUSTOMERS)
    assert all(not row["first_name"].startswith(("=", "+", "-", "@")) for row in rows)
    assert "'=***" in [row["first_name"] for row in rows]  # the formula, masked and made inert

    again = shop.export(out, "support", "--purpose", "support", "--approval", approval)
    assert again.returncode != 0
    assert "exists already" in again.stderr
    assert len(out.read_text().splitlines()) == len(CUSTOMERS) + 1

    lines = shop.home.cli("audit", "export", "--since", "2000-01-01").stdout.splitlines()
    (entry,) = [e for e in map(json.loads, lines) if e["action"] == "customers.exported"]
    assert (entry["actor"], entry["resource_ids"]) == ("staff:sue", [])
    assert entry["detail"] == {
        "records": len(CUSTOMERS),
        "format": "csv",
        "approval": approval,
        "masked": "yes",
    }
    assert "ivo.tarrant" not in "\n".join(lines)


def test_over_the_volume_cap_the_export_is_refused_and_nothing_is_written(
    shop: ExportHome, tmp_path: Path
) -> None:
    out = tmp_path / "all.csv"
    approval = approved(shop.home, "bulk_export", "bulk_export:customers:csv:dsar:dora")
    refused = shop.export(out, "dpo", "--purpose", "dsar", "--approval", approval)
    assert refused.returncode != 0
    assert f"{DPO_CAP} customer records an hour" in refused.stderr
    assert "nothing was written" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert list(tmp_path.iterdir()) == []
