"""Blast radius: for suspect principals and a time window, what the audit log says they touched.

One streaming pass over the audit log (in pages) keeps the entries by the suspects inside the
window; each names the customers it touched and the data classes involved, and
``core.exposure`` says whether it read, exported or changed them. Every customer counted is
backed by the sequence numbers of those entries and their inclusion proofs against the newest
signed checkpoint, so the figures can be checked by anyone holding the checkpoint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from strongroom.core.clock import ensure_utc
from strongroom.core.errors import InvalidInputError
from strongroom.core.exposure import (
    ACCESS_BY_ACTION,
    CIPHERTEXT_ONLY,
    KEY_CUSTODY,
    AccessKind,
)
from strongroom.core.models import CustomerId
from strongroom.core.schema import CUSTOMER_FIELDS, EXTRA_TRAITS_FIELD, DataClass
from strongroom.core.trail import AuditCheckpoint, AuditEntry
from strongroom.respond.evidence import EntryProof

# Which stored fields each data class stands for, when an entry names only the class.
FIELDS_BY_CLASS: dict[str, tuple[str, ...]] = {
    DataClass.PII.value: tuple(s.name for s in CUSTOMER_FIELDS if s.data_class is DataClass.PII),
    DataClass.DEMOGRAPHIC.value: tuple(
        s.name for s in CUSTOMER_FIELDS if s.data_class is DataClass.DEMOGRAPHIC
    ),
    DataClass.BEHAVIORAL.value: ("events",),
    DataClass.TRANSACTIONAL.value: ("orders",),
    DataClass.PAYMENT.value: ("card_number",),
    DataClass.UNCLASSIFIED.value: (EXTRA_TRAITS_FIELD,),
}
CUSTOMER_RESOURCE = "customer"
CARD_RESOURCE = "card"  # resource ids are card tokens; the card vault knows their customer


@dataclass(frozen=True, slots=True)
class BlastScope:
    """Whose acts, over which window; ``keys_exposed``: the responders know keys were taken."""

    principals: tuple[str, ...]
    start: datetime
    end: datetime
    keys_exposed: bool = False

    def __post_init__(self) -> None:
        if not self.principals:
            raise InvalidInputError(
                "name at least one principal (an audit actor such as staff:ann)"
            )
        if ensure_utc(self.start) > ensure_utc(self.end):
            raise InvalidInputError("the window's start is after its end")


@dataclass(slots=True)
class _Touch:
    kinds: set[AccessKind] = field(default_factory=set)
    classes: set[str] = field(default_factory=set)
    seqs: list[int] = field(default_factory=list)
    plaintext: bool = False


@dataclass(slots=True)
class Scan:
    """What one pass over the log found, before places and proofs are added."""

    entries_scanned: int = 0
    matched: int = 0
    touches: dict[str, _Touch] = field(default_factory=dict)  # customer id -> how
    cards: dict[str, list[int]] = field(default_factory=dict)  # card token -> seqs
    bulk: list[tuple[int, str, bool]] = field(default_factory=list)  # seq, action, ciphertext
    custody_seqs: list[int] = field(default_factory=list)


def scan_entries(entries: Iterable[AuditEntry], scope: BlastScope) -> Scan:
    """One pass: keep the scope's entries and note whom and what each touched."""
    principals = frozenset(scope.principals)
    start, end = ensure_utc(scope.start), ensure_utc(scope.end)
    scan = Scan()
    for entry in entries:
        scan.entries_scanned += 1
        draft = entry.draft
        if draft.actor not in principals or not start <= entry.occurred_at <= end:
            continue
        scan.matched += 1
        _note(scan, entry)
    return scan


def _note(scan: Scan, entry: AuditEntry) -> None:
    draft = entry.draft
    name = draft.action.stored_name
    kind = ACCESS_BY_ACTION.get(name, AccessKind.READ)  # unmapped: assume the worst
    if name in KEY_CUSTODY:
        scan.custody_seqs.append(entry.seq)
    if kind is AccessKind.NONE or draft.outcome.value != "success":
        return
    ciphertext = name in CIPHERTEXT_ONLY
    if not draft.resource_ids and kind is AccessKind.EXPORT:
        scan.bulk.append((entry.seq, name, ciphertext))
        return
    if draft.resource_type == CARD_RESOURCE:
        for token in draft.resource_ids:
            scan.cards.setdefault(token, []).append(entry.seq)
        return
    if draft.resource_type != CUSTOMER_RESOURCE:
        return
    for customer_id in draft.resource_ids:
        touch = scan.touches.get(customer_id)
        if touch is None:
            touch = scan.touches[customer_id] = _Touch()
        touch.kinds.add(kind)
        touch.classes.update(draft.data_classes)
        touch.seqs.append(entry.seq)
        if kind is not AccessKind.CHANGE and not ciphertext:
            touch.plaintext = True


def add_cards(scan: Scan, owners: dict[str, CustomerId | None]) -> None:
    """Count card reveals against the card's customer (``owners``: token -> customer)."""
    for token, seqs in scan.cards.items():
        owner = owners.get(token)
        if owner is None:
            continue
        touch = scan.touches.setdefault(owner, _Touch())
        touch.kinds.add(AccessKind.READ)
        touch.classes.add(DataClass.PAYMENT.value)
        touch.seqs.extend(seqs)
        touch.plaintext = True


@dataclass(frozen=True, slots=True)
class CustomerTouch:
    customer_id: str
    access: tuple[str, ...]
    data_classes: tuple[str, ...]
    fields: tuple[str, ...]
    seqs: tuple[int, ...]
    plaintext_exposed: bool


@dataclass(frozen=True, slots=True)
class Exemption:
    """Whether the data left only as ciphertext with its keys safe (GDPR Art. 34(3)(a))."""

    applies: bool
    keys_exposed: bool
    plaintext_customers: int
    key_custody_seqs: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class BlastRadius:
    scope: BlastScope
    entries_scanned: int
    matched_entries: int
    customers: tuple[CustomerTouch, ...]
    by_country: dict[str, int]
    by_us_state: dict[str, int]
    bulk_exports: tuple[tuple[int, str, bool], ...]
    exemption: Exemption
    checkpoint: AuditCheckpoint | None
    proofs: dict[int, EntryProof]

    @property
    def by_access(self) -> dict[str, int]:
        counts = Counter(kind for c in self.customers for kind in c.access)
        return {
            kind.value: counts.get(kind.value, 0) for kind in AccessKind if kind.value in counts
        }

    @property
    def data_classes(self) -> tuple[str, ...]:
        return tuple(sorted({dc for c in self.customers for dc in c.data_classes}))

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(sorted({f for c in self.customers for f in c.fields}))

    @property
    def unproven_seqs(self) -> tuple[int, ...]:
        cited = {seq for c in self.customers for seq in c.seqs}
        return tuple(sorted(cited - self.proofs.keys()))


def assess_exemption(scan: Scan, touches: Sequence[CustomerTouch], keys_exposed: bool) -> Exemption:
    """The exemption holds if nothing left in plaintext and no key could have gone with it."""
    plaintext = sum(1 for t in touches if t.plaintext_exposed)
    plaintext += sum(1 for _, _, ciphertext in scan.bulk if not ciphertext)
    exposed = keys_exposed or bool(scan.custody_seqs)
    if exposed:
        reason = (
            "keys may be exposed: a suspect did what only a root-key holder can, or you said so"
        )
    elif plaintext:
        reason = f"{plaintext} customers' (or bulk) data was read or exported in plaintext"
    else:
        reason = "data left only as ciphertext (encrypted backups) and no key was exposed"
    return Exemption(
        applies=not exposed and plaintext == 0,
        keys_exposed=exposed,
        plaintext_customers=plaintext,
        key_custody_seqs=tuple(scan.custody_seqs),
        reason=reason,
    )


def customer_touches(scan: Scan) -> list[CustomerTouch]:
    order = list(AccessKind)
    result = []
    for customer_id in sorted(scan.touches):
        touch = scan.touches[customer_id]
        fields = sorted({f for dc in touch.classes for f in FIELDS_BY_CLASS.get(dc, ())})
        result.append(
            CustomerTouch(
                customer_id=customer_id,
                access=tuple(k.value for k in sorted(touch.kinds, key=order.index)),
                data_classes=tuple(sorted(touch.classes)),
                fields=tuple(fields),
                seqs=tuple(sorted(set(touch.seqs))),
                plaintext_exposed=touch.plaintext,
            )
        )
    return result


Progress = Callable[[int], None]
