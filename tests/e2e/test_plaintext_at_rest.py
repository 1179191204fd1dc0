"""No customer's PII lies in the database in plaintext: not in SQLite's file, not in PostgreSQL."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
from psycopg import sql

from .harness import RunningServer

pytestmark = pytest.mark.e2e

CUSTOMERS = 20


@dataclass(frozen=True, slots=True)
class Person:
    user_id: str
    email: str
    phone: str
    first_name: str
    last_name: str
    # PII hidden where no schema declares it: unknown traits, properties and context.
    ssn_trait: str
    note_trait: str
    contact_property: str
    note_property: str
    device_agent: str

    @property
    def order_id(self) -> str:
        return f"order-{self.user_id}"

    @property
    def pii(self) -> dict[str, str]:
        """What must never be found at rest, by field name."""
        return {
            "email": self.email,
            "phone": self.phone,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "ssn_trait": self.ssn_trait,
            "note_trait": self.note_trait,
            "contact_property": self.contact_property,
            "note_property": self.note_property,
            "device_agent": self.device_agent,
        }


def _people() -> list[Person]:
    """Distinctive values: random suffixes, so a match can only be a leak, never chance."""
    people = []
    for _ in range(CUSTOMERS):
        tag = secrets.token_hex(5)
        people.append(
            Person(
                user_id=f"rest-user-{tag}",
                email=f"zelda.{tag}@rest-example.org",
                phone=f"+44 7700 {secrets.randbelow(10**6):06d}",
                first_name=f"Zelda{tag}",
                last_name=f"Quarrington{tag}",
                ssn_trait=_ssn(),
                note_trait=f"met Zelda {tag} at the fair",
                contact_property=f"hidden.{tag}@rest-example.org",
                note_property=f"leave it with {tag} next door",
                device_agent=f"RestAgent/{tag} (Hidden)",
            )
        )
    return people


@pytest.fixture(scope="module")
def ingested(strongroom_server: RunningServer) -> list[Person]:
    """Twenty customers sent through the tracking API, and read back to prove they are stored."""
    people = _people()
    batch = []
    for person in people:
        traits = {
            "email": person.email,
            "phone": person.phone,
            "firstName": person.first_name,
            "lastName": person.last_name,
            "name": f"{person.first_name} {person.last_name}",
            "ssn": person.ssn_trait,
            "note": person.note_trait,
        }
        batch.append({"type": "identify", "userId": person.user_id, "traits": traits})
        batch.append(
            {
                "type": "track",
                "userId": person.user_id,
                "event": "Order Completed",
                "properties": {"order_id": person.order_id, "total": 19.99},
            }
        )
        batch.append(
            {
                "type": "track",
                "userId": person.user_id,
                "event": "Delivery Noted",
                "properties": {
                    "contact": person.contact_property,
                    "note": person.note_property,
                    "sku": "SKU-REST-CONTROL",
                },
                "context": {"userAgent": person.device_agent, "locale": "en-GB"},
            }
        )
    with strongroom_server.tracking() as client:
        response = client.post("/v1/batch", json={"batch": batch})
    assert response.status_code == 200, response.text
    for person in people:
        stored = strongroom_server.the_customer(person.email, role="dpo")
        assert stored["traits"]["phone"] == person.phone
        assert stored["traits"]["last_name"] == person.last_name
        assert stored["traits"]["ssn"] == person.ssn_trait
    return people


def _ssn() -> str:
    """A random valid-looking US SSN (area 100-599, group and serial never zero)."""
    area, group, serial = (
        100 + secrets.randbelow(500),
        1 + secrets.randbelow(99),
        1 + secrets.randbelow(9999),
    )
    return f"{area:03d}-{group:02d}-{serial:04d}"


def _needles(value: str) -> dict[str, bytes]:
    """The forms a leaked value could take: its UTF-8 bytes, and its hex (how bytea prints)."""
    return {"plaintext": value.encode(), "hex": value.encode().hex().encode()}


def _leaks(haystack: bytes, people: list[Person]) -> list[str]:
    found = []
    lowered = haystack.lower()
    for person in people:
        for field, value in person.pii.items():
            for form, needle in _needles(value).items():
                if needle.lower() in lowered:
                    found.append(f"{field} {value!r} ({form})")
    return found


def _sqlite_files(home: Path) -> list[Path]:
    database = home / "strongroom.sqlite3"
    candidates = [database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-journal"))]
    return [path for path in candidates if path.exists()]


def test_no_pii_is_stored_in_plaintext(
    strongroom_server: RunningServer, ingested: list[Person]
) -> None:
    if strongroom_server.database.kind == "sqlite":
        files = _sqlite_files(strongroom_server.home)
        contents = {path.name: path.read_bytes() for path in files}
        everything = b"".join(contents.values())
        for name, content in contents.items():
            assert _leaks(content, ingested) == [], f"PII in plaintext in {name}"
    else:
        with strongroom_server.database.connect() as connection:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
                    "ORDER BY table_name"
                )
            ]
            assert {"customers", "identifiers", "events", "audit_entries"} <= set(tables)
            dumps = []
            for table in tables:
                query = sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table))
                rows = "\n".join(row for (row,) in connection.execute(query)).encode()
                assert _leaks(rows, ingested) == [], f"PII in plaintext in table {table}"
                dumps.append(rows)
            everything = b"\n".join(dumps)
    # The control: what we read does hold these customers' data (order ids are kept plain).
    for person in ingested:
        assert person.order_id.encode() in everything
    assert b"SKU-REST-CONTROL" in everything  # behavioral properties stay plain


def test_the_search_for_plaintext_would_find_a_leak(ingested: list[Person]) -> None:
    """The control: the same search does find these values where they are in plaintext."""
    person = ingested[0]
    as_text = f"({person.user_id},{person.email},{person.first_name})".encode()
    as_bytea = f"\\x{person.phone.encode().hex()}".encode()
    assert _leaks(as_text, ingested) == [
        f"email {person.email!r} (plaintext)",
        f"first_name {person.first_name!r} (plaintext)",
    ]
    assert _leaks(as_bytea, ingested) == [f"phone {person.phone!r} (hex)"]
