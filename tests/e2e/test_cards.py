"""Card numbers end to end: tokenised at ingest, revealed to payments only, never at rest."""

from __future__ import annotations

import json
import secrets
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql

from .harness import (
    RunningServer,
    assert_error,
    base_env,
    run_cli,
    trained_token,
    unique,
    unique_email,
)

pytestmark = pytest.mark.e2e

PURPOSE = "X-Strongroom-Purpose"
OTHER_ROLES = ("support", "dpo", "admin")


def _random_visa() -> str:
    """A Luhn-valid Visa number no other test uses, so finding it anywhere can only be a leak."""
    body = [4, *(secrets.randbelow(10) for _ in range(14))]
    total = sum(
        (d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 == 0 else d
        for i, d in enumerate(reversed(body))
    )
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


def _grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


@dataclass(frozen=True, slots=True)
class PaidOrder:
    email: str
    number: str
    token: str


@pytest.fixture(scope="module")
def payments_token(strongroom_server: RunningServer) -> str:
    issued = trained_token(strongroom_server, unique("e2e-payments"), "payments")
    token: str = issued["token"]
    return token


@pytest.fixture(scope="module")
def paid(strongroom_server: RunningServer) -> list[PaidOrder]:
    """Three customers who each paid an order by card; the tokens read from their profiles."""
    people = [(unique("card-user"), unique_email("c"), _random_visa()) for _ in range(3)]
    batch: list[dict[str, Any]] = []
    for user, email, number in people:
        batch.append({"type": "identify", "userId": user, "traits": {"email": email}})
        properties = {
            "order_id": unique("card-order"),
            "total": 42.5,
            "payment": {"card_number": _grouped(number), "cvv": "737"},
        }
        batch.append(
            {"type": "track", "userId": user, "event": "Order Completed", "properties": properties}
        )
    with strongroom_server.tracking() as client:
        response = client.post("/v1/batch", json={"batch": batch})
    assert response.status_code == 200, response.text
    orders = []
    for _, email, number in people:
        (card,) = strongroom_server.the_customer(email, role="support")["cards"]
        assert (card["brand"], card["last4"]) == ("visa", number[-4:])
        orders.append(PaidOrder(email, number, card["token"]))
    return orders


def _detokenize(server: RunningServer, token: str, bearer: str, **headers: str) -> Any:
    with server.client(headers={"Authorization": f"Bearer {bearer}", **headers}) as client:
        return client.post(f"/api/v1/cards/{token}/detokenize")


def _audit(server: RunningServer, action: str) -> list[tuple[str, str, str, str | None]]:
    """(outcome, actor, resource ids as JSON text, purpose) of each audit entry of ``action``."""
    query = (
        "SELECT outcome, actor, resource_ids, purpose FROM audit_entries WHERE action = %s"
        " ORDER BY seq"
    )
    if server.database.kind == "sqlite":
        with closing(sqlite3.connect(server.sqlite_file)) as connection:
            rows = connection.execute(query.replace("%s", "?"), (action,)).fetchall()
    else:
        with server.database.connect() as connection:
            rows = connection.execute(query, (action,)).fetchall()
    return [(o, a, ids if isinstance(ids, str) else json.dumps(ids), p) for o, a, ids, p in rows]


# --- ingest ---------------------------------------------------------------------------------------


def test_a_profile_shows_the_card_as_token_brand_and_last_four_digits_only(
    strongroom_server: RunningServer, paid: list[PaidOrder]
) -> None:
    for order in paid:
        profile = strongroom_server.the_customer(order.email, role="dpo")
        assert profile["cards"] == [
            {"token": order.token, "brand": "visa", "last4": order.number[-4:]}
        ]
        assert order.token.startswith("tok_")
        text = json.dumps(profile)
        assert order.number not in text
        assert order.number[:12] not in text


def test_an_invalid_card_number_is_refused_with_400_without_echoing_it(
    strongroom_server: RunningServer,
) -> None:
    number = _random_visa()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    call = {
        "userId": unique("card-user"),
        "event": "Order Completed",
        "properties": {"order_id": unique("o"), "card_number": wrong},
    }
    with strongroom_server.tracking() as client:
        response = client.post("/v1/track", json=call)
    error = assert_error(response, 400, "invalid_input")
    assert "properties.card_number" in error["message"]
    assert "check digit" in error["message"]
    assert wrong not in response.text
    assert wrong[:8] not in response.text


# --- detokenising over HTTP ---------------------------------------------------------------------


def test_payments_reveals_a_card_number_with_a_stated_purpose_and_it_is_audited(
    strongroom_server: RunningServer, paid: list[PaidOrder], payments_token: str
) -> None:
    order = paid[0]
    response = _detokenize(strongroom_server, order.token, payments_token, **{PURPOSE: "payment"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "token": order.token,
        "card_number": order.number,
        "last4": order.number[-4:],
        "brand": "visa",
    }
    assert response.headers["cache-control"] == "no-store"
    revealed = [
        row for row in _audit(strongroom_server, "card.detokenized") if order.token in row[2]
    ]
    assert [(outcome, purpose) for outcome, _, _, purpose in revealed] == [("success", "payment")]
    assert revealed[0][1].startswith("staff:e2e-payments-")


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_no_other_role_may_reveal_a_card_number(
    strongroom_server: RunningServer, paid: list[PaidOrder], role: str
) -> None:
    denials_before = len(_audit(strongroom_server, "access.denied"))
    response = _detokenize(
        strongroom_server, paid[1].token, strongroom_server.tokens[role], **{PURPOSE: "payment"}
    )
    error = assert_error(response, 403, "permission_denied")
    assert "cards.detokenize" in error["message"]
    assert paid[1].number not in response.text
    denials = _audit(strongroom_server, "access.denied")
    assert len(denials) > denials_before
    assert any(actor == f"staff:e2e-{role}" for _, actor, _, _ in denials[denials_before:])


def test_revealing_without_a_stated_purpose_is_refused_with_400(
    strongroom_server: RunningServer, paid: list[PaidOrder], payments_token: str
) -> None:
    response = _detokenize(strongroom_server, paid[1].token, payments_token)
    error = assert_error(response, 400, "invalid_input")
    assert "purpose" in error["message"]
    assert paid[1].number not in response.text


def test_an_unknown_token_is_404_and_without_a_bearer_token_401(
    strongroom_server: RunningServer, payments_token: str
) -> None:
    unknown = "tok_" + "Q" * 32
    response = _detokenize(strongroom_server, unknown, payments_token, **{PURPOSE: "payment"})
    assert_error(response, 404, "not_found")
    with strongroom_server.client() as client:
        assert_error(client.post(f"/api/v1/cards/{unknown}/detokenize"), 401, "unauthenticated")


# --- detokenising from the command line -----------------------------------------------------------


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_the_cli_reveals_a_card_number_to_payments_only(
    strongroom_server: RunningServer, paid: list[PaidOrder], payments_token: str
) -> None:
    order = paid[2]
    args = ("cards", "detokenize", order.token, "--purpose", "payment")
    shown = strongroom_server.cli_json(*args, "--token", payments_token)
    assert shown == {
        "token": order.token,
        "card_number": order.number,
        "last4": order.number[-4:],
        "brand": "visa",
    }
    refused = strongroom_server.cli(*args, "--token", strongroom_server.tokens["dpo"], check=False)
    assert "cards.detokenize" in _one_line_error(refused)
    assert order.number not in refused.stdout + refused.stderr
    no_purpose = strongroom_server.cli(
        "cards", "detokenize", order.token, "--token", payments_token, check=False
    )
    assert "purpose" in _one_line_error(no_purpose)


@pytest.mark.parametrize("command", [("cards",), ("cards", "detokenize")])
def test_the_cards_commands_have_help(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--help", env=base_env(tmp_path / "no-home", None))
    assert result.returncode == 0
    assert "Usage:" in result.stdout


# --- at rest --------------------------------------------------------------------------------------


def _leaks(haystack: bytes, paid: list[PaidOrder]) -> list[str]:
    found = []
    lowered = haystack.lower()
    for order in paid:
        for form in (order.number, _grouped(order.number), order.number[:12]):
            for needle in (form.encode(), form.encode().hex().encode()):
                if needle in lowered:
                    found.append(f"card ending {order.number[-4:]}")
    return found


def test_no_card_number_is_stored_in_plaintext(
    strongroom_server: RunningServer, paid: list[PaidOrder]
) -> None:
    if strongroom_server.database.kind == "sqlite":
        database = strongroom_server.sqlite_file
        files = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-journal")]
        everything = b"".join(path.read_bytes() for path in files if path.exists())
        assert _leaks(everything, paid) == [], "a card number in plaintext in the SQLite files"
    else:
        with strongroom_server.database.connect() as connection:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ]
            assert {"card_vault", "orders", "events"} <= set(tables)
            dumps = []
            for table in tables:
                query = sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table))
                rows = "\n".join(row for (row,) in connection.execute(query)).encode()
                assert _leaks(rows, paid) == [], f"a card number in plaintext in table {table}"
                dumps.append(rows)
            everything = b"\n".join(dumps)
    # The control: what was read holds these cards' tokens.
    for order in paid:
        assert order.token.encode() in everything


def test_the_search_for_card_numbers_would_find_one() -> None:
    order = PaidOrder("x@example.com", _random_visa(), "tok_x")
    assert _leaks(f"..{order.number}..".encode(), [order]) != []
    assert _leaks(_grouped(order.number).encode(), [order]) != []
    assert _leaks(order.number[:12].encode().hex().encode(), [order]) != []
    assert _leaks(order.number[-4:].encode(), [order]) == []
