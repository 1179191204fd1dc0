"""The lake and warehouse commands on a served data home, driven through the real CLI."""

from __future__ import annotations

import secrets
from pathlib import Path

import duckdb

from .harness import RunningServer, base_env, create_home, run_cli, unique, unique_email


def _call(kind: str, user: str, **fields: object) -> dict[str, object]:
    return {"type": kind, "userId": user, "messageId": secrets.token_hex(8), **fields}


def test_export_build_compact_and_status_through_the_cli(strongroom_server: RunningServer) -> None:
    user, email = unique("lake-user"), unique_email("l")
    batch = [
        _call("identify", user, traits={"email": email, "age": 33}),
        _call("track", user, event="Product Viewed", properties={"sku": "K-1"}),
        _call("track", user, event="Order Completed",
              properties={"order_id": unique("o"), "total": 20, "currency": "EUR",
                          "products": [{"sku": "K-1", "price": 20, "quantity": 1}]}),
    ]  # fmt: skip
    with strongroom_server.tracking() as client:
        response = client.post("/v1/batch", json={"batch": batch})
        assert response.status_code == 200, response.text

    export = strongroom_server.cli_json("lake", "export", "--settle-seconds", "0")
    assert export["events"] >= 2
    assert export["orders"] >= 1
    again = strongroom_server.cli_json("lake", "export", "--settle-seconds", "0")
    assert (again["events"], again["orders"], again["batches"]) == (0, 0, 0)
    lake = Path(export["lake"])
    for path in lake.rglob("*.parquet"):
        data = path.read_bytes()
        assert user.encode() not in data
        assert email.encode() not in data

    build = strongroom_server.cli_json("warehouse", "build")
    assert build["lake_batch"] == export["last_batch"]
    status = strongroom_server.cli_json("warehouse", "status")
    assert status["rows"]["fact_order"] >= 1
    with duckdb.connect(build["warehouse"], read_only=True) as warehouse:
        bands = warehouse.execute("SELECT count(*) FROM dim_customer WHERE age_band = '25-34'")
        assert bands.fetchall()[0][0] >= 1

    compacted = strongroom_server.cli_json("lake", "compact")
    assert compacted["files_after"] <= compacted["files_before"]
    lake_status = strongroom_server.cli_json("lake", "status")
    assert lake_status["pending"] == {"events": 0, "orders": 0}
    assert (
        sum(p["rows"] for p in lake_status["partitions"] if p["table"] == "events")
        == (lake_status["rows"]["events"])
    )
    shown = strongroom_server.cli("lake", "status")
    assert "Partitions" in shown.stdout


def test_building_from_an_empty_lake_says_so(tmp_path: Path) -> None:
    home = create_home(tmp_path / "home")
    built = home.cli("warehouse", "build")
    assert "The lake is empty" in built.stdout
    assert home.cli_json("warehouse", "status")["rows"]["fact_event"] == 0


def test_without_a_data_home_the_commands_fail_in_one_line(tmp_path: Path) -> None:
    env = base_env(tmp_path / "missing", "a passphrase that is long")
    failed = run_cli("lake", "export", env=env, check=False)
    assert failed.returncode != 0
    assert failed.stderr.startswith("error:")
    assert len(failed.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "missing" / "lake").exists()
