"""File import on the fakes: mapping, rows to calls, grouping of order lines, rejects, re-runs."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog, verify_audit_log
from strongroom.collect.imports.keys import MessageKeys
from strongroom.collect.imports.mapping import ImportMapping, parse_mapping
from strongroom.collect.imports.service import Importer, ImportFile
from strongroom.collect.imports.units import NOT_ADJACENT
from strongroom.collect.segment import ParsedRequest
from strongroom.collect.service import Ingestor, IngestResult
from strongroom.collect.sources import create_source
from strongroom.core.errors import InvalidInputError, NotFoundError
from strongroom.core.imports import (
    FileFormat,
    FileRecord,
    ImportKind,
    ImportRun,
    ImportStatus,
    MalformedRecord,
)
from strongroom.core.models import Actor, Channel, Order, PrincipalKind, Source
from strongroom.core.trail import AuditAction, Origin
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
POS_MAPPING = """
timestamp_format = "%d/%m/%Y %H:%M"
[columns]
"Order No" = "order_id"
"Date" = "timestamp"
"Loyalty ID" = "user_id"
"Email" = "email"
"SKU" = "sku"
"Qty" = "quantity"
"Price" = "price"
[defaults]
currency = "GBP"
"""


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@dataclass
class ListReader:
    """A RecordReader over records in memory."""

    rows: list[FileRecord]
    total_bytes: int = 100
    bytes_read: int = 0

    def records(self) -> Iterator[FileRecord]:
        for record in self.rows:
            self.bytes_read += 1
            yield record


@dataclass
class ListRejects:
    entries: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    location: str = "memory"

    def write(self, line: int, reason: str, row: Mapping[str, Any]) -> None:
        self.entries.append((line, reason, dict(row)))

    def close(self) -> None:
        """Nothing to close."""


class RefusingIngestor(Ingestor):
    """Refuses any batch holding an order with id ``refused``, as a database would refuse it."""

    refused = "A-BAD"

    def ingest(
        self, *, source: Source, request: ParsedRequest, origin: Origin | None = None
    ) -> IngestResult:
        for message in request.messages:
            if message.properties.get("order_id") == self.refused:
                raise InvalidInputError("a value cannot be stored (value too long)")
        return super().ingest(source=source, request=request, origin=origin)


@dataclass
class World:
    factory: MemoryUnitOfWorkFactory
    importer: Importer
    keyring: Keyring
    source: Source

    def run(
        self, kind: ImportKind, rows: list[dict[str, Any]], mapping: ImportMapping | None = None
    ) -> tuple[ImportRun, ListRejects]:
        rejects = ListRejects()
        records: list[FileRecord] = [(line, row) for line, row in enumerate(rows, start=2)]
        file = ImportFile("till", kind, FileFormat.CSV, "rows.csv", "ab" * 32)
        run = self.importer.run(
            file=file,
            reader=ListReader(records),
            mapping=mapping or ImportMapping(kind),
            rejects=rejects,
            actor=OPERATOR,
        )
        return run, rejects


def _world(ingestor_class: type[Ingestor] = Ingestor, batch_rows: int = 500) -> World:
    clock = FixedClock()
    root = LocalRootKey(os.urandom(32))
    keyring = Keyring.open(root, Keyring.create_initial(root, now=clock.now()))
    factory = MemoryUnitOfWorkFactory()
    audit = AuditLog(clock)
    source = create_source(
        uow_factory=factory,
        audit=audit,
        clock=clock,
        actor=OPERATOR,
        name="till",
        channel=Channel.POS,
    ).source
    vault = SubjectVault(keyring)
    ingestor = ingestor_class(uow_factory=factory, vault=vault, audit=audit, clock=clock)
    importer = Importer(
        uow_factory=factory,
        ingestor=ingestor,
        audit=audit,
        clock=clock,
        keys=keyring,
        batch_rows=batch_rows,
    )
    return World(factory, importer, keyring, source)


def _orders(world: World) -> dict[str, Order]:
    store = world.factory.store
    return {order.external_id: order for order in store.orders.values()}


def _pos(order: str, user: str, sku: str, qty: str = "1", price: str = "10.00") -> dict[str, Any]:
    return {
        "Order No": order,
        "Date": "01/03/2026 09:15",
        "Loyalty ID": user,
        "Email": f"{user.lower()}@example.com",
        "SKU": sku,
        "Qty": qty,
        "Price": price,
    }


def _pos_mapping() -> ImportMapping:
    return parse_mapping(POS_MAPPING, kind=ImportKind.ORDERS, suffix=".toml")


# --- the mapping file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('colums = {"a" = "email"}', "'colums'"),
        ('[columns]\n"Order No" = "ordr_id"', "columns.'Order No'"),
        ('[columns]\na = "email"\nb = "email"', "columns.'b'"),
        ('timezone = "Mars/Olympus"', "timezone"),
        ('[defaults]\nshoe_size = "9"', "defaults.shoe_size"),
        ('kind = "customers"', "kind"),
        ("[columns", "not valid TOML"),
    ],
)
def test_a_bad_mapping_file_names_the_key_at_fault(text: str, named: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_mapping(text, kind=ImportKind.ORDERS, suffix=".toml")
    assert named in raised.value.message


def test_a_json_mapping_reads_like_the_toml_one() -> None:
    mapping = parse_mapping(
        '{"columns": {"Mail": "email", "Town": "traits.address.city"}}',
        kind=ImportKind.CUSTOMERS,
        suffix=".json",
    )
    assert mapping.target("Mail") == "email"
    assert mapping.target("Town") == "traits.address.city"
    assert mapping.target("Unmapped") is None


def test_without_a_mapping_columns_are_fields_by_name_and_the_rest_traits() -> None:
    mapping = ImportMapping(ImportKind.CUSTOMERS)
    assert mapping.target("email") == "email"
    assert mapping.target("plan") == "traits.plan"
    assert ImportMapping(ImportKind.EVENTS).target("plan") == "properties.plan"


# --- orders -------------------------------------------------------------------------------------


def test_pos_rows_of_one_order_become_one_order_with_its_lines() -> None:
    world = _world()
    rows = [
        _pos("A-1", "L-1", "TEA", qty="2", price="12.50"),
        _pos("A-1", "L-1", "MUG", price="18.00"),
        _pos("A-2", "L-2", "POT", price="64.00"),
    ]
    run, rejects = world.run(ImportKind.ORDERS, rows, _pos_mapping())
    assert (run.status, run.counts.stored, rejects.entries) == (ImportStatus.COMPLETED, 3, [])
    orders = _orders(world)
    assert orders["A-1"].total == Decimal("43.00")
    assert [(line.sku, line.quantity) for line in orders["A-1"].lines] == [("TEA", 2), ("MUG", 1)]
    assert orders["A-1"].currency == "GBP"
    assert orders["A-1"].ordered_at == datetime(2026, 3, 1, 9, 15, tzinfo=UTC)
    assert orders["A-2"].total == Decimal("64.00")


def test_a_bad_row_in_the_middle_is_rejected_and_the_good_rows_kept() -> None:
    world = _world()
    rows = [
        _pos("A-1", "L-1", "TEA"),
        _pos("A-2", "L-2", "MUG", qty="two"),
        _pos("A-3", "L-3", "POT"),
    ]
    run, rejects = world.run(ImportKind.ORDERS, rows, _pos_mapping())
    assert run.status is ImportStatus.COMPLETED_WITH_REJECTS
    assert (run.counts.stored, run.counts.rejected) == (2, 1)
    ((line, reason, row),) = rejects.entries
    assert (line, reason) == (3, "quantity must be a whole number")
    assert row["Qty"] == "two"
    assert set(_orders(world)) == {"A-1", "A-3"}


def test_rejection_reasons_never_quote_the_value() -> None:
    world = _world()
    secret = "ivy.secret@example.com"
    rows = [{**_pos("A-1", "L-1", "TEA"), "Email": secret.replace("@", " at ")}]
    run, rejects = world.run(ImportKind.ORDERS, rows, _pos_mapping())
    assert run.status is ImportStatus.FAILED
    assert "ivy" not in rejects.entries[0][1]
    assert run.error is not None
    assert "ivy" not in run.error


def test_lines_of_an_order_that_are_not_adjacent_are_refused_not_split() -> None:
    world = _world()
    rows = [_pos("A-1", "L-1", "TEA"), _pos("A-2", "L-2", "MUG"), _pos("A-1", "L-1", "POT")]
    run, rejects = world.run(ImportKind.ORDERS, rows, _pos_mapping())
    assert [(line, reason) for line, reason, _ in rejects.entries] == [(4, NOT_ADJACENT)]
    assert [line.sku for line in _orders(world)["A-1"].lines] == ["TEA"]
    assert run.counts.stored == 2


def test_a_rerun_stores_nothing_twice() -> None:
    world = _world()
    rows = [_pos("A-1", "L-1", "TEA"), _pos("A-1", "L-1", "MUG"), _pos("A-2", "L-2", "POT")]
    world.run(ImportKind.ORDERS, rows, _pos_mapping())
    events_before = len(world.factory.store.events)
    customers_before = len(world.factory.store.customers)
    again, _ = world.run(ImportKind.ORDERS, rows, _pos_mapping())
    assert (again.status, again.counts.stored, again.counts.duplicates) == (
        ImportStatus.COMPLETED,
        0,
        3,
    )
    assert len(world.factory.store.events) == events_before
    assert len(world.factory.store.customers) == customers_before
    assert len(_orders(world)) == 2


def test_an_order_known_by_its_id_is_a_duplicate_even_from_another_file() -> None:
    world = _world()
    world.run(ImportKind.ORDERS, [_pos("A-1", "L-1", "TEA")], _pos_mapping())
    other, _ = world.run(ImportKind.ORDERS, [_pos("A-1", "L-1", "MUG")], _pos_mapping())
    assert (other.counts.stored, other.counts.duplicates) == (0, 1)
    assert [line.sku for line in _orders(world)["A-1"].lines] == ["TEA"]


def test_a_batch_the_database_refuses_is_retried_row_by_row() -> None:
    world = _world(RefusingIngestor, batch_rows=10)
    rows = [_pos("A-1", "L-1", "TEA"), _pos("A-BAD", "L-2", "MUG"), _pos("A-3", "L-3", "POT")]
    run, rejects = world.run(ImportKind.ORDERS, rows, _pos_mapping())
    assert set(_orders(world)) == {"A-1", "A-3"}
    assert [
        (line, reason.startswith("the database refused it")) for line, reason, _ in rejects.entries
    ] == [(3, True)]
    assert (run.counts.stored, run.counts.rejected) == (2, 1)


def test_a_customer_known_only_by_email_is_one_customer_across_files() -> None:
    world = _world()
    mapping = _pos_mapping()
    first = {**_pos("A-1", "", "TEA"), "Email": "nia@example.com"}
    second = {**_pos("A-2", "", "MUG"), "Email": "NIA@example.com"}
    world.run(ImportKind.ORDERS, [first], mapping)
    world.run(ImportKind.ORDERS, [second], mapping)
    orders = _orders(world)
    assert orders["A-1"].customer_id == orders["A-2"].customer_id
    assert len(world.factory.store.customers) == 1


# --- customers and events -----------------------------------------------------------------------


def test_customers_rows_become_encrypted_profiles() -> None:
    world = _world()
    rows = [
        {"user_id": "u-1", "email": "ivo@example.com", "lastName": "Tarrant", "age": "41"},
        {"user_id": "u-2", "email": "not-an-email"},
        {"email": "mo@example.com", "plan": "free"},
    ]
    run, rejects = world.run(ImportKind.CUSTOMERS, rows)
    assert (run.counts.stored, run.counts.rejected) == (2, 1)
    assert rejects.entries[0][:2] == (3, "email is not an email address")
    profiles = list(world.factory.store.customers.values())
    assert len(profiles) == 2
    stored = b"".join(value for p in profiles for value in p.encrypted.values())
    assert b"Tarrant" not in stored
    assert b"ivo@example.com" not in stored
    assert {p.demographics.get("age") for p in profiles} == {41, None}


def test_events_need_what_the_tracking_api_needs() -> None:
    world = _world()
    rows: list[dict[str, Any]] = [
        {"event_id": "e-1", "event": "Product Viewed", "user_id": "u-1", "properties.sku": "T"},
        {"event_id": "e-2", "user_id": "u-1"},
        {"event_id": "e-3", "type": "page", "name": "Home", "anonymous_id": "a-1"},
        {"event_id": "e-4", "type": "sms", "event": "x", "user_id": "u-1"},
    ]
    run, rejects = world.run(ImportKind.EVENTS, rows)
    assert run.counts.stored == 2
    reasons = {line: reason for line, reason, _ in rejects.entries}
    assert reasons == {
        3: "a track call needs a non-empty 'event'",
        5: "type must be one of track, page, screen",
    }
    again, _ = world.run(ImportKind.EVENTS, rows)
    assert (again.counts.stored, again.counts.duplicates) == (0, 2)


def test_a_malformed_record_is_rejected_with_the_readers_reason() -> None:
    world = _world()
    rejects = ListRejects()
    reader = ListReader(
        [(2, MalformedRecord({"a": "1"}, "the row has 3 fields; the header has 2"))]
    )
    run = world.importer.run(
        file=ImportFile("till", ImportKind.EVENTS, FileFormat.CSV, "x.csv", "0" * 64),
        reader=reader,
        mapping=ImportMapping(ImportKind.EVENTS),
        rejects=rejects,
        actor=OPERATOR,
    )
    assert rejects.entries == [(2, "the row has 3 fields; the header has 2", {"a": "1"})]
    assert (run.status, run.error) == (
        ImportStatus.FAILED,
        "no row could be imported: every row is in the reject file",
    )


# --- runs, audit, keys --------------------------------------------------------------------------


def test_every_run_is_recorded_and_audited() -> None:
    world = _world()
    run, _ = world.run(ImportKind.ORDERS, [_pos("A-1", "L-1", "TEA")], _pos_mapping())
    with world.factory() as uow:
        (listed,) = uow.imports.list()
    assert listed == run
    assert run.finished_at is not None
    actions = [entry.draft.action for entry in world.factory.store.audit_entries.values()]
    assert actions[-3:] == [
        AuditAction.IMPORT_STARTED,
        AuditAction.INGEST_BATCH,
        AuditAction.IMPORT_FINISHED,
    ]
    report = verify_audit_log(uow_factory=world.factory)  # raises if the chain is broken
    assert report.entries_checked == len(actions)


def test_an_unknown_source_is_refused_before_anything_is_read() -> None:
    world = _world()
    reader = ListReader([(2, {"email": "a@example.com"})])
    with pytest.raises(NotFoundError, match="no source named 'nowhere'"):
        world.importer.run(
            file=ImportFile("nowhere", ImportKind.CUSTOMERS, FileFormat.CSV, "x.csv", "0" * 64),
            reader=reader,
            mapping=ImportMapping(ImportKind.CUSTOMERS),
            rejects=ListRejects(),
            actor=OPERATOR,
        )
    assert reader.bytes_read == 0


def test_message_ids_are_keyed_and_do_not_show_the_row_key() -> None:
    world = _world()
    keys = MessageKeys(world.keyring, world.source.id)
    message_id = keys.message_id("customers", "u-12345")
    assert message_id == keys.message_id("customers", "u-12345")
    assert "12345" not in message_id
    assert message_id != MessageKeys(world.keyring, "other-source").message_id(
        "customers", "u-12345"
    )
    other = _world().keyring
    assert message_id != MessageKeys(other, world.source.id).message_id("customers", "u-12345")
