from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from strongroom.audit import merkle
from strongroom.core.errors import InvalidInputError
from strongroom.core.models import StoredCard
from strongroom.core.monitoring import Severity
from strongroom.core.trail import AuditAction as A
from strongroom.respond.blast_radius import BlastScope
from strongroom.respond.blast_report import as_csv, as_json
from strongroom.respond.evidence import audit_path, tree_levels
from strongroom.respond.places import Place, place_of

from .conftest import RESPONDER, T0, World, act


def _scope(world: World, *principals: str, **kw: bool) -> BlastScope:
    return BlastScope(principals, T0 - timedelta(hours=1), world.clock.now(), **kw)


def test_audit_paths_from_levels_match_the_rfc_6962_ones() -> None:
    for size in (1, 2, 3, 5, 8, 13, 33):
        leaves = [merkle.leaf_hash(bytes([n])) for n in range(size)]
        levels = tree_levels(leaves)
        assert levels[-1][0] == merkle.root(leaves)
        for index in range(size):
            assert audit_path(levels, index) == merkle.inclusion_proof(index, leaves)


def test_the_blast_radius_counts_whom_and_how_with_proofs(world: World) -> None:
    world.places.by_id.update(
        {"c1": Place("US", "CA"), "c2": Place("DE", None), "c3": Place("US", "TX")}
    )
    world.record(
        act("staff:mallory", A.CUSTOMER_READ, ("c1", "c2"), ("pii", "demographic")),
        act("staff:ann", A.CUSTOMER_READ, ("c9",)),  # someone else
        act("staff:mallory", A.DSAR_EXPORTED, ("c2",)),
        act("staff:mallory", A.CUSTOMER_RECTIFIED, ("c3",)),
        act("staff:mallory", A.TOKEN_CREATED, ("t1",), resource_type="api_token"),
    )
    world.clock.advance(minutes=5)
    radius = world.blast().compute(actor=RESPONDER, scope=_scope(world, "staff:mallory"))
    assert [c.customer_id for c in radius.customers] == ["c1", "c2", "c3"]
    assert radius.by_access == {"read": 2, "export": 1, "change": 1}
    assert radius.by_country == {"DE": 1, "US": 2}
    assert radius.by_us_state == {"CA": 1, "TX": 1}
    assert "email" in radius.fields
    assert "age" in radius.fields
    assert not radius.exemption.applies
    assert radius.customers[1].seqs == (1, 3)
    checkpoint = radius.checkpoint
    assert checkpoint is not None  # made because the cited entries were not signed yet
    for seq, proof in radius.proofs.items():
        assert merkle.verify_inclusion(
            proof.leaf_hash, seq - 1, checkpoint.tree_size, proof.path, checkpoint.root_hash
        )
    assert radius.unproven_seqs == ()


def test_ciphertext_only_exports_with_safe_keys_meet_the_exemption(world: World) -> None:
    world.record(act("staff:mallory", A.BACKUP_CREATED, ()))
    radius = world.blast().compute(actor=RESPONDER, scope=_scope(world, "staff:mallory"))
    assert radius.bulk_exports == ((1, "backup.created", True),)
    assert radius.exemption.applies
    exposed = world.blast().compute(
        actor=RESPONDER, scope=_scope(world, "staff:mallory", keys_exposed=True)
    )
    assert not exposed.exemption.applies


def test_a_suspect_holding_the_root_key_voids_the_exemption(world: World) -> None:
    world.record(
        act("local:ops", A.BACKUP_CREATED, ()),
        act("local:ops", A.KEY_VERSION_ADDED, (), ()),
    )
    radius = world.blast().compute(actor=RESPONDER, scope=_scope(world, "local:ops"))
    assert radius.exemption.keys_exposed
    assert radius.exemption.key_custody_seqs == (2,)


def test_card_reveals_count_against_the_cards_customer(world: World) -> None:
    with world.factory() as uow:
        card = StoredCard("tok_1", b"x", 1, b"f", "4242", "visa", T0, customer_id="c7")  # type: ignore[arg-type]
        uow.cards.add([card])
        uow.commit()
    world.record(act("staff:pay", A.CARD_DETOKENIZED, ("tok_1",), ("payment",), "card"))
    radius = world.blast().compute(actor=RESPONDER, scope=_scope(world, "staff:pay"))
    [touch] = radius.customers
    assert touch.customer_id == "c7"
    assert touch.data_classes == ("payment",)


def test_entries_outside_the_window_do_not_count(world: World) -> None:
    world.record(act("staff:mallory", A.CUSTOMER_READ, ("c1",)))
    world.clock.advance(hours=3)
    scope = BlastScope(
        ("staff:mallory",), world.clock.now() - timedelta(hours=1), world.clock.now()
    )
    assert world.blast().compute(actor=RESPONDER, scope=scope).customers == ()


def test_the_blast_radius_is_audited_and_put_on_the_incident(world: World) -> None:
    incident = world.incidents.open_incident(actor=RESPONDER, title="x", severity=Severity.HIGH)
    world.record(act("staff:mallory", A.CUSTOMER_READ, ("c1",)))
    world.blast().compute(
        actor=RESPONDER, scope=_scope(world, "staff:mallory"), incident_id=incident.id
    )
    last = world.incidents.show(incident.id).timeline[-1].draft
    assert last.text.startswith("Blast radius: 1 customers")
    with world.factory() as uow:
        entries = list(uow.audit.scan())
    assert any(e.draft.action is A.BLAST_RADIUS_READ for e in entries)


def test_csv_and_json_carry_ids_and_counts_but_no_places_per_customer(world: World) -> None:
    world.places.by_id["c1"] = Place("US", "CA")
    world.record(act("staff:mallory", A.CUSTOMER_READ, ("c1",)))
    radius = world.blast().compute(actor=RESPONDER, scope=_scope(world, "staff:mallory"))
    rows = list(csv.DictReader(io.StringIO(as_csv(radius))))
    assert rows == [
        {
            "customer_id": "c1",
            "access": "read",
            "data_classes": "pii",
            "fields": "address birthday email first_name last_name name phone",
            "plaintext_exposed": "yes",
            "audit_seqs": "1",
            "proven": "yes",
        }
    ]
    document = as_json(radius)
    assert document["by_us_state"] == {"CA": 1}
    assert "CA" not in str(document["customers"])
    assert set(document["proofs"]) == {"1"}


def test_a_scope_without_principals_or_with_a_reversed_window_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        BlastScope((), T0, T0)
    with pytest.raises(InvalidInputError, match="after its end"):
        BlastScope(("staff:a",), T0, T0 - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("address", "place"),
    [
        ({"country": "US", "state": "ca"}, Place("US", "CA")),
        ({"country": "United States"}, Place("US", "unknown")),
        ({"countryCode": "de", "region": "BE"}, Place("DE", None)),
        ("1 Main St, Springfield", Place("unknown", None)),
        ({}, Place("unknown", None)),
    ],
)
def test_places_come_from_address_objects(address: object, place: Place) -> None:
    assert place_of(address) == place  # type: ignore[arg-type]
