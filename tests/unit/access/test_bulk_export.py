"""Bulk export of customer profiles on the fakes: four eyes, the policy per record, the volume
cap on the whole export, and one audit entry with the count."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import pytest

from strongroom.access.approvals import FourEyes
from strongroom.access.bulkexport import (
    CSV_COLUMNS,
    CustomerExporter,
    ExportFormat,
    Row,
    bulk_export_payload,
)
from strongroom.access.volume import charge
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.errors import (
    ApprovalRequiredError,
    ConflictError,
    PermissionDeniedError,
    VolumeLimitedError,
)
from strongroom.core.incidents import ExportFreeze
from strongroom.core.models import Actor, Channel, Consent, PrincipalKind
from strongroom.core.policy import ApprovalKind
from strongroom.core.privacy import LegalHold
from strongroom.core.trail import AuditDraft
from strongroom.monitor.detectors.security import HoneytokenAccessDetector
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault

NOW = datetime(2026, 6, 1, 10, 15, tzinfo=UTC)
ASKER = Actor(PrincipalKind.LOCAL, "alice", role="admin")
APPROVER = Actor(PrincipalKind.LOCAL, "bob", role="admin")
SUE = Actor(PrincipalKind.STAFF, "sue", role="support")  # PII masked
DORA = Actor(PrincipalKind.STAFF, "dora", role="dpo")  # PII in clear once trained
MIA = Actor(PrincipalKind.STAFF, "mia", role="marketing")  # consented customers only
SUPPORT_CAP = 500  # the built-in policy's volume_per_hour of support


class Clock:
    def now(self) -> datetime:
        return NOW


@dataclass
class Sink:
    """Collects what the export writes; counts how often it was asked to write."""

    batches: list[list[Row]] = field(default_factory=list)
    calls: int = 0

    def __call__(self, batches: Iterator[list[Row]]) -> int:
        self.calls += 1
        self.batches.extend(batches)
        return sum(len(batch) for batch in self.batches)

    @property
    def rows(self) -> list[Row]:
        return [row for batch in self.batches for row in batch]


@dataclass
class World:
    factory: MemoryUnitOfWorkFactory
    exporter: CustomerExporter
    eyes: FourEyes
    ingestor: Ingestor
    source_id: str

    def customers(self, *emails: str) -> None:
        batch = [
            {
                "type": "identify",
                "userId": email,
                "messageId": f"m-{email}",
                "traits": {"email": email, "first_name": "=HYPERLINK(evil)", "age": 40},
            }
            for email in emails
        ]
        request = parse_request(json.dumps({"batch": batch}).encode(), endpoint="batch")
        with self.factory() as uow:
            source = uow.sources.list()[0]
        self.ingestor.ingest(source=source, request=request)

    def approve(self, actor: Actor, export_format: ExportFormat, purpose: str) -> str:
        payload = bulk_export_payload(
            export_format=export_format, purpose=purpose, reader=actor.name
        )
        asked = self.eyes.request(
            actor=ASKER, kind=ApprovalKind.BULK_EXPORT, payload=payload, summary="export"
        )
        return self.eyes.approve(actor=APPROVER, approval_id=asked.id).id

    def export(
        self,
        actor: Actor,
        approval_id: str | None,
        *,
        export_format: ExportFormat = ExportFormat.CSV,
        purpose: str = "support",
        sink: Sink | None = None,
    ) -> tuple[int, Sink]:
        sink = sink or Sink()
        report = self.exporter.export(
            actor=actor,
            export_format=export_format,
            purpose=purpose,
            approval_id=approval_id,
            sink=sink,
        )
        return report.records, sink

    def drafts(self) -> list[AuditDraft]:
        with self.factory() as uow:
            return [entry.draft for entry in uow.audit.scan()]

    def actions(self) -> list[str]:
        return [draft.action.stored_name for draft in self.drafts()]

    def charged(self, actor: Actor) -> int:
        with self.factory() as uow:  # charging nothing reads the counter; then rolled back
            return uow.policy.charge_volume(actor.label, NOW.replace(minute=0), 0)


@pytest.fixture
def world(train_staff: Callable[..., None]) -> World:
    root = LocalRootKey(os.urandom(32))
    vault = SubjectVault(Keyring.open(root, Keyring.create_initial(root, now=NOW)))
    factory = MemoryUnitOfWorkFactory()
    audit = AuditLog(Clock())
    eyes = FourEyes(uow_factory=factory, audit=audit, clock=Clock())
    source = create_source(
        uow_factory=factory, audit=audit, clock=Clock(), actor=ASKER, name="web",
        channel=Channel.WEB,
    ).source  # fmt: skip
    train_staff(factory, SUE, DORA, MIA, clock=Clock())
    made = World(
        factory=factory,
        exporter=CustomerExporter(
            uow_factory=factory,
            reader=factory,
            vault=vault,
            audit=audit,
            clock=Clock(),
            four_eyes=eyes,
        ),
        eyes=eyes,
        ingestor=Ingestor(uow_factory=factory, vault=vault, audit=audit, clock=Clock()),
        source_id=source.id,
    )
    made.customers("ann@example.com", "bea@example.com", "cy@example.com")
    return made


def test_without_an_approval_nothing_is_exported_and_the_refusal_is_audited(world: World) -> None:
    sink = Sink()
    with pytest.raises(ApprovalRequiredError, match="bulk_export:customers:csv:support:sue"):
        world.export(SUE, None, sink=sink)
    assert sink.calls == 0
    assert world.actions()[-1] == "approval.refused"
    assert world.charged(SUE) == 0


def test_an_approved_export_writes_every_customer_masked_as_the_role_reads_them(
    world: World,
) -> None:
    approval = world.approve(SUE, ExportFormat.CSV, "support")
    records, sink = world.export(SUE, approval)
    assert records == len(sink.rows) == 3
    assert all(set(row) == set(CSV_COLUMNS) for row in sink.rows)
    emails = sorted(str(row["email"]) for row in sink.rows)
    assert emails == ["a***@example.com", "b***@example.com", "c***@example.com"]  # masked
    assert {row["age"] for row in sink.rows} == {40}  # demographic: shown
    assert all("email" in json.dumps(row["masked_fields"]) for row in sink.rows)
    assert world.charged(SUE) == 3


def test_the_export_is_one_audit_entry_with_the_count_and_no_customer(world: World) -> None:
    approval = world.approve(SUE, ExportFormat.JSONL, "support")
    world.export(SUE, approval, export_format=ExportFormat.JSONL)
    assert world.actions()[-2:] == ["approval.used", "customers.exported"]
    entry = world.drafts()[-1]
    assert entry.actor == "staff:sue"
    assert entry.resource_ids == ()
    assert entry.purpose == "support"
    assert entry.detail == {"records": 3, "format": "jsonl", "approval": approval, "masked": "yes"}
    assert "ann@example.com" not in json.dumps([d.detail for d in world.drafts()])


def test_a_trained_dpo_exports_pii_in_clear_as_json_objects(world: World) -> None:
    approval = world.approve(DORA, ExportFormat.JSONL, "dsar")
    _, sink = world.export(DORA, approval, export_format=ExportFormat.JSONL, purpose="dsar")
    emails = sorted(row["traits"]["email"] for row in sink.rows)
    assert emails == ["ann@example.com", "bea@example.com", "cy@example.com"]
    assert all(row["masked_fields"] == [] for row in sink.rows)


@pytest.mark.parametrize(
    ("export_format", "purpose", "reader"),
    [
        (ExportFormat.JSONL, "support", SUE),
        (ExportFormat.CSV, "dsar", DORA),
        (ExportFormat.CSV, "support", Actor(PrincipalKind.STAFF, "sid", role="support")),
    ],
    ids=["other format", "other purpose", "other reader"],
)
def test_an_approval_covers_only_its_format_purpose_and_reader(
    world: World, export_format: ExportFormat, purpose: str, reader: Actor
) -> None:
    approval = world.approve(reader, export_format, purpose)
    sink = Sink()
    with pytest.raises(ApprovalRequiredError, match="different bulk_export"):
        world.export(SUE, approval, sink=sink)
    assert sink.calls == 0
    assert world.charged(SUE) == 0


def test_the_approver_cannot_run_the_export_they_approved(world: World) -> None:
    bob = Actor(PrincipalKind.STAFF, "bob", role="support")
    approval = world.approve(bob, ExportFormat.CSV, "support")
    with pytest.raises(ApprovalRequiredError, match="second person"):
        world.export(bob, approval)


def test_over_the_volume_cap_nothing_is_written_charged_or_used_up(world: World) -> None:
    with world.factory() as uow:  # sue read all but two of this hour's records already
        assert charge(uow, actor=SUE, records=SUPPORT_CAP - 2, now=NOW) is None
        uow.commit()
    approval = world.approve(SUE, ExportFormat.CSV, "support")
    sink = Sink()
    with pytest.raises(VolumeLimitedError, match="500 customer records an hour"):
        world.export(SUE, approval, sink=sink)
    assert sink.calls == 0
    assert world.charged(SUE) == SUPPORT_CAP - 2
    assert world.actions()[-1] == "access.volume_exceeded"
    assert "customers.exported" not in world.actions()
    (stored,) = world.eyes.list()
    assert stored.used_at is None  # the approval is still there for a smaller export later


def test_a_role_that_may_not_read_profiles_exports_nothing(world: World) -> None:
    admin = Actor(PrincipalKind.STAFF, "ada", role="admin")
    with pytest.raises(PermissionDeniedError):
        world.export(admin, world.approve(admin, ExportFormat.CSV, "administration"))
    assert world.actions()[-1] == "access.denied"


def test_a_consent_purpose_exports_only_the_customers_who_granted_it(world: World) -> None:
    with world.factory() as uow:
        bea = uow.erasures.keyed_customers(after=None, limit=10)[1]
        uow.consents.add([Consent(bea, "marketing", True, world.source_id, NOW)])
        uow.commit()
    approval = world.approve(MIA, ExportFormat.CSV, "marketing")
    records, sink = world.export(MIA, approval, purpose="marketing")
    assert records == 1
    assert [row["id"] for row in sink.rows] == [bea]


def test_a_customer_under_legal_hold_is_left_out(world: World) -> None:
    with world.factory() as uow:
        held = uow.erasures.keyed_customers(after=None, limit=1)[0]
        uow.legal_holds.add(LegalHold("h-1", held, "litigation", "dpo", NOW))
        uow.commit()
    records, sink = world.export(
        DORA, world.approve(DORA, ExportFormat.CSV, "dsar"), purpose="dsar"
    )
    assert records == 2
    assert held not in [row["id"] for row in sink.rows]


def test_nothing_is_exported_while_an_incident_freezes_exports(world: World) -> None:
    with world.factory() as uow:
        uow.incidents.freeze_exports(ExportFreeze("inc-1", "security:sec", NOW))
        uow.commit()
    sink = Sink()
    with pytest.raises(ConflictError, match="frozen"):
        world.export(SUE, world.approve(SUE, ExportFormat.CSV, "support"), sink=sink)
    assert sink.calls == 0


@dataclass
class SeenByWatch:
    seen: list[tuple[AuditDraft, int]] = field(default_factory=list)

    def observe(self, draft: AuditDraft, seq: int) -> None:
        self.seen.append((draft, seq))


def test_the_honeytoken_watch_sees_every_exported_id_under_the_export_entry(world: World) -> None:
    watch = SeenByWatch()
    exporter = replace(world.exporter, watch=watch)
    approval = world.approve(SUE, ExportFormat.CSV, "support")
    sink = Sink()
    exporter.export(
        actor=SUE, export_format=ExportFormat.CSV, purpose="support", approval_id=approval,
        sink=sink,
    )  # fmt: skip
    exported_ids = sorted(str(row["id"]) for row in sink.rows)
    assert sorted(i for draft, _ in watch.seen for i in draft.resource_ids) == exported_ids
    with world.factory() as uow:
        entry = list(uow.audit.scan())[-1]
    assert {seq for _, seq in watch.seen} == {entry.seq}
    assert entry.draft.action.stored_name == "customers.exported"
    assert entry.draft.resource_ids == ()  # the log itself never lists who was exported
    canary = exported_ids[1]
    detector = HoneytokenAccessDetector()
    draft = watch.seen[0][0]
    assert detector.canaries_in(draft, frozenset({canary}), frozenset()) == [canary]
