"""Blast radius over a real audit log on SQLite and PostgreSQL: counts, places and proofs."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from strongroom.access.profiles import ProfileReader
from strongroom.adapters.sql.unit_of_work import SqlUnitOfWorkFactory
from strongroom.audit import merkle
from strongroom.audit.checkpointer import AuditCheckpointer
from strongroom.audit.checkpoints import checkpoint_problem, parse_checkpoint
from strongroom.audit.service import AuditLog
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.models import Actor, Channel, CustomerId, PrincipalKind
from strongroom.core.trail import AuditAction
from strongroom.respond.blast_radius import BlastScope
from strongroom.respond.blast_report import as_json
from strongroom.respond.investigation import BlastRadiusService
from strongroom.respond.places import VaultPlaceReader
from strongroom.respond.service import IncidentService
from strongroom.vault.keyring import Keyring
from strongroom.vault.receipts import audit_signing_public_keys
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault

OPERATOR = Actor(PrincipalKind.LOCAL, "ops", role="admin")
SUSPECT = Actor(PrincipalKind.STAFF, "mallory", role="dpo")
RESPONDER = Actor(PrincipalKind.STAFF, "rita", role="security")
ADDRESSES = [
    {"street": "1 Main St", "city": "LA", "state": "CA", "country": "US"},
    {"street": "2 Main St", "city": "Austin", "state": "TX", "country": "US"},
    {"street": "Hauptstr. 3", "city": "Berlin", "country": "DE"},
    "4 Unstructured Road",
]


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def test_the_blast_radius_of_a_real_log_is_counted_placed_and_proven(sql_engine: Engine) -> None:
    factory = SqlUnitOfWorkFactory(sql_engine)
    root = LocalRootKey(os.urandom(32))
    keyring = Keyring.open(root, Keyring.create_initial(root, now=Clock().now()))
    vault, audit = SubjectVault(keyring), AuditLog(Clock())
    source = create_source(
        uow_factory=factory,
        audit=audit,
        clock=Clock(),
        actor=OPERATOR,
        name="shop",
        channel=Channel.WEB,
    ).source
    calls = [
        {
            "type": "identify",
            "userId": f"u{n}",
            "traits": {"email": f"p{n}@example.com", "address": address},
        }
        for n, address in enumerate(ADDRESSES)
    ]
    request = parse_request(json.dumps({"batch": calls}).encode(), endpoint="batch")
    Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=Clock()).ingest(
        source=source, request=request
    )
    with factory() as uow:
        ingest = next(e for e in uow.audit.scan() if e.draft.action is AuditAction.INGEST_BATCH)
    customers = [CustomerId(c) for c in ingest.draft.resource_ids]
    reader = ProfileReader(uow_factory=factory, vault=vault, audit=audit)
    for customer_id in customers:
        reader.read_customer(actor=SUSPECT, customer_id=customer_id, purpose="dsar")

    checkpointer = AuditCheckpointer(uow_factory=factory, audit=audit, keys=keyring, clock=Clock())
    incidents = IncidentService(uow_factory=factory, audit=audit, clock=Clock())
    service = BlastRadiusService(
        uow_factory=factory,
        reader=SqlUnitOfWorkFactory(sql_engine, read_only=True),
        audit=audit,
        places=VaultPlaceReader(vault),
        incidents=incidents,
        checkpoint=lambda actor: checkpointer.checkpoint(actor=actor) and None,
    )
    now = Clock().now()
    scope = BlastScope((SUSPECT.label,), now - timedelta(hours=1), now + timedelta(hours=1))
    radius = service.compute(actor=RESPONDER, scope=scope)

    assert sorted(c.customer_id for c in radius.customers) == sorted(customers)
    assert radius.by_access == {"read": 4}
    assert radius.by_country == {"DE": 1, "US": 2, "unknown": 1}  # a plain string
    assert radius.by_us_state == {"CA": 1, "TX": 1}
    assert not radius.exemption.applies  # profiles were read in plaintext
    document = as_json(radius)
    checkpoint = parse_checkpoint(document["checkpoint"]["document"])
    trusted = audit_signing_public_keys(keyring)
    assert checkpoint_problem(checkpoint, trusted_keys=trusted) is None  # signed by this home
    for seq_text, proof in document["proofs"].items():
        assert merkle.verify_inclusion(
            bytes.fromhex(proof["leaf_hash"]),
            int(seq_text) - 1,
            checkpoint.tree_size,
            [bytes.fromhex(node) for node in proof["inclusion_proof"]],
            checkpoint.root_hash,
        )
    assert len(document["proofs"]) == 4
    text = json.dumps(document)
    assert "Main St" not in text
    assert "example.com" not in text
