"""Analytics as an analyst meets them: data sent through the API, the lake exported, the warehouse
built, then metrics from the CLI (tables, CSV, charts) and the API, with the privacy guards."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from .harness import create_home, granted_token, serving, tls_context

pytestmark = pytest.mark.e2e

CUSTOMERS = 30


def _calls(n: int, now: datetime) -> list[dict[str, Any]]:
    user, calls = f"shopper-{n}", []
    calls.append(
        {
            "type": "identify",
            "userId": user,
            "traits": {"email": f"shopper{n}@example.org", "age": 20 + n},
            "context": {"consent": {"categoryPreferences": {"analytics": n % 10 != 0}}},
        }
    )
    for order in range(1 + n % 4):
        when = (now - timedelta(days=20 + 35 * order + n)).isoformat()
        calls.append({"type": "page", "userId": user, "name": "Tea", "timestamp": when})
        calls.append(
            {
                "type": "track",
                "userId": user,
                "event": "Order Completed",
                "timestamp": when,
                "properties": {
                    "order_id": f"o-{n}-{order}",
                    "total": 12.0,
                    "currency": "EUR",
                    "products": [
                        {"sku": "earl-grey", "quantity": 1, "price": 7.0},
                        {"sku": "scones", "quantity": 1, "price": 5.0},
                    ],
                },
            }
        )
    return calls


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("analytics")
    home = create_home(root / "home")
    key = home.cli_json("sources", "create", "shop", "--channel", "web")["write_key"]
    tokens = {
        role: granted_token(home, f"a-{role}", role)["token"] for role in ("analyst", "support")
    }
    now = datetime.now(UTC)
    with serving(home, root / "server.log") as server:
        with httpx.Client(
            base_url=server.base_url,
            verify=tls_context(home.cert),
            auth=(key, ""),
            trust_env=False,
            timeout=60,
        ) as client:
            batch = [call for n in range(CUSTOMERS) for call in _calls(n, now)]
            assert client.post("/v1/batch", json={"batch": batch}).status_code == 200
        home.cli("lake", "export", "--settle-seconds", "0")
        home.cli("warehouse", "build")
        with httpx.Client(
            base_url=server.base_url, verify=tls_context(home.cert), trust_env=False, timeout=60
        ) as client:
            api = {
                role: client.get(
                    "/api/v1/analytics/rfm", headers={"Authorization": f"Bearer {token}"}
                )
                for role, token in tokens.items()
            }
    return {"home": home, "root": root, "tokens": tokens, "api": api}


def test_rfm_runs_on_consenting_pseudonyms_and_writes_csv_and_chart(
    analysed: dict[str, Any],
) -> None:
    home, root = analysed["home"], analysed["root"]
    out, chart = root / "rfm.csv", root / "segments.svg"
    report = home.cli_json(
        "analytics",
        "rfm",
        "--json",
        "--out",
        str(out),
        "--chart",
        str(chart),
        "--token",
        analysed["tokens"]["analyst"],
    )
    assert report["consented_customers"] == CUSTOMERS - CUSTOMERS // 10  # every tenth said no
    assert report["rows"] == report["consented_customers"]
    with out.open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == report["rows"]
    assert all("@" not in json.dumps(row) for row in rows)  # pseudonyms, never emails
    assert chart.read_text().lstrip().startswith(("<?xml", "<svg"))
    sizes = {row["segment"]: row for row in report["summary"]}
    assert sizes  # segment sizes, each group of at least k customers or suppressed


def test_cohorts_affinity_and_funnel_run_from_the_cli(analysed: dict[str, Any]) -> None:
    home, root, token = analysed["home"], analysed["root"], analysed["tokens"]["analyst"]
    heatmap = root / "cohorts.png"
    home.cli("analytics", "cohorts", "--chart", str(heatmap), "--token", token)
    assert heatmap.read_bytes().startswith(b"\x89PNG")
    pairs = home.cli_json("analytics", "affinity", "--json", "--token", token)
    assert {(row["sku_a"], row["sku_b"]) for row in pairs["table"]} <= {
        ("earl-grey", "scones"),
        ("scones", "earl-grey"),
    }
    funnel = home.cli_json(
        "analytics",
        "funnel",
        "Tea",
        "Order Completed",
        "--json",
        "--token",
        token,
        "--since",
        (datetime.now(UTC) - timedelta(days=400)).date().isoformat(),
    )
    assert funnel["rows"] >= 1


def test_the_api_serves_analysts_only(analysed: dict[str, Any]) -> None:
    analyst, support = analysed["api"]["analyst"], analysed["api"]["support"]
    assert analyst.status_code == 200, analyst.text
    assert analyst.json()["metric"] == "rfm"
    assert support.status_code == 403
    assert support.json()["error"]["code"] == "permission_denied"


def test_an_analyst_gets_a_clear_error_without_a_token(analysed: dict[str, Any]) -> None:
    failed = analysed["home"].cli("analytics", "rfm", check=False)
    assert failed.returncode != 0
    assert "token" in failed.stderr.lower()
    assert "Traceback" not in failed.stderr
