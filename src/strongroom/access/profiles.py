"""Reading customer profiles through the policy: decrypt, then show or mask field by field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from strongroom.access.cards import CardOnFile, cards_on_file
from strongroom.access.consent import consent_allows, require_consent
from strongroom.access.gate import authorise
from strongroom.access.masking import mask_value
from strongroom.access.permissions import Permission, Role
from strongroom.access.policy import (
    FieldDecision,
    field_decision,
    role_named,
)
from strongroom.access.training import is_trained
from strongroom.access.volume import charge, refusal
from strongroom.core.clock import Clock, SystemClock
from strongroom.core.errors import (
    CustomerErasedError,
    InvalidInputError,
    NotFoundError,
)
from strongroom.core.models import (
    IDENTIFIER_DATA_CLASS,
    Actor,
    CustomerId,
    IdentifierKind,
    JsonValue,
    StoredCustomer,
)
from strongroom.core.monitoring import HoneytokenWatch
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.schema import EXTRA_TRAITS_FIELD, FIELDS_BY_NAME, DataClass
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.search import match_customers
from strongroom.vault.service import SubjectVault


@dataclass(frozen=True, slots=True)
class CustomerView:
    """A profile as one actor may see it."""

    id: CustomerId
    created_at: datetime
    updated_at: datetime
    traits: dict[str, JsonValue]
    masked_fields: tuple[str, ...]
    identifiers: tuple[tuple[str, JsonValue], ...]
    consents: dict[str, bool]
    event_count: int
    order_count: int
    order_total: Decimal
    data_classes: tuple[str, ...]
    cards: tuple[CardOnFile, ...] = ()  # token, brand and last four digits; never the number


@dataclass(frozen=True, slots=True)
class ProfileReader:
    """Profile reads for staff: policy first, then decryption, masking and an audit entry."""

    uow_factory: UnitOfWorkFactory
    vault: SubjectVault
    audit: AuditTrail
    watch: HoneytokenWatch | None = None  # told of each read, so a canary read alerts at once
    clock: Clock = field(default_factory=SystemClock)

    def read_customer(
        self, *, actor: Actor, customer_id: CustomerId, purpose: str | None = None
    ) -> CustomerView:
        """One profile; PII is masked unless the actor's role may read it."""
        stated = self._authorise(actor, Permission.CUSTOMERS_READ, purpose)
        now = self.clock.now()
        with self.uow_factory() as uow:
            stored = uow.customers.get_many([customer_id]).get(customer_id)
            if stored is None:
                raise NotFoundError(f"no customer with id {customer_id!r}")
            _subject_key(self.vault, uow, customer_id)  # an erased customer has no profile
            require_consent(uow, customer_id, stated)
            view = self._view(uow, actor, stored, now)
            over = charge(uow, actor=actor, records=1, now=now)
            if over is None:
                draft = _read_draft(actor, AuditAction.CUSTOMER_READ, [view], stated)
                self._record_read(uow, draft)
        if over is not None:  # the read was rolled back; the refusal is audited on its own
            raise self._over_volume(actor, over, now)
        return view

    def find_customers(
        self, *, actor: Actor, field: str, value: str, purpose: str | None = None
    ) -> list[CustomerView]:
        """Customers whose searchable ``field`` (email, phone) is ``value``."""
        spec = FIELDS_BY_NAME.get(field)
        if spec is None or not spec.searchable:
            searchable = ", ".join(s.name for s in FIELDS_BY_NAME.values() if s.searchable)
            raise InvalidInputError(f"customers can be found by {searchable}, not by {field!r}")
        stated = self._authorise(actor, Permission.CUSTOMERS_SEARCH, purpose)
        now = self.clock.now()
        with self.uow_factory() as uow:
            matches = match_customers(uow, self.vault, field, [value])
            ids = sorted({cid for owners in matches.values() for cid in owners})
            found = uow.customers.get_many([cid for cid in ids if consent_allows(uow, cid, stated)])
            views = [self._view(uow, actor, found[cid], now) for cid in ids if cid in found]
            over = charge(uow, actor=actor, records=len(views), now=now)
            if over is None:
                draft = _read_draft(actor, AuditAction.CUSTOMER_SEARCH, views, stated)
                self._record_read(uow, draft)
        if over is not None:
            raise self._over_volume(actor, over, now)
        return views

    def _over_volume(self, actor: Actor, limit: int, now: datetime) -> Exception:
        return refusal(
            uow_factory=self.uow_factory, audit=self.audit, actor=actor, limit=limit, now=now
        )

    def _record_read(self, uow: UnitOfWork, draft: AuditDraft) -> None:
        """Audit a read with it and commit; then tell the honeytoken watch its entry number."""
        self.audit.record(uow, [draft])
        seq = uow.audit.head().seq if self.watch is not None else 0  # ours: the head is locked
        uow.commit()
        if self.watch is not None:
            self.watch.observe(draft, seq)

    def _authorise(self, actor: Actor, permission: Permission, purpose: str | None) -> str:
        return authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=permission,
            purpose=purpose,
        )

    def _view(
        self, uow: UnitOfWork, actor: Actor, stored: StoredCustomer, now: datetime
    ) -> CustomerView:
        role = role_named(actor.role or "")
        return customer_view(
            self.vault, uow, stored, role=role, trained=trained_for(uow, actor, role, now)
        )


def trained_for(uow: UnitOfWork, actor: Actor, role: Role, now: datetime) -> bool:
    """Whether the actor's PII training counts; only a role that could see PII needs it looked
    up: without it, PII is masked anyway."""
    return Permission.PII_READ not in role.permissions or is_trained(uow, actor, now)


def customer_view(
    vault: SubjectVault, uow: UnitOfWork, stored: StoredCustomer, *, role: Role, trained: bool
) -> CustomerView:
    """One profile as ``role`` (trained or not) may see it: decrypted, PII masked where due."""
    plain = decrypt_fields(vault, uow, stored)
    traits: dict[str, JsonValue] = {}
    masked: list[str] = []
    for name, value in {**plain, **stored.demographics}.items():
        data_class = _class_of(name)
        if field_decision(role, data_class, trained=trained) is FieldDecision.MASK:
            traits[name] = mask_value(name, value)
            masked.append(name)
        else:
            traits[name] = value
    orders = uow.orders.for_customer(stored.id)
    return CustomerView(
        id=stored.id,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
        traits=traits,
        masked_fields=tuple(sorted(masked)),
        identifiers=_identifiers(vault, uow, stored.id, role_name=role.name, trained=trained),
        consents=uow.consents.latest_for_customer(stored.id),
        event_count=uow.events.count_for_customer(stored.id),
        order_count=len(orders),
        order_total=sum((order.total for order in orders), Decimal(0)),
        cards=cards_on_file(orders),
        data_classes=tuple(sorted({_class_of(name).value for name in traits})),
    )


def _class_of(field: str) -> DataClass:
    spec = FIELDS_BY_NAME.get(field)
    return spec.data_class if spec else DataClass.UNCLASSIFIED


def _subject_key(vault: SubjectVault, uow: UnitOfWork, customer_id: CustomerId) -> bytes:
    key = uow.subject_keys.get_many([customer_id]).get(customer_id)
    if key is None:
        raise CustomerErasedError(
            f"customer {customer_id} was erased: their data key was destroyed, so their "
            "personal data can never be read again; their erasure receipt has the details"
        )
    return vault.open_subject_key(key)


def decrypt_fields(
    vault: SubjectVault, uow: UnitOfWork, stored: StoredCustomer
) -> dict[str, JsonValue]:
    if not stored.encrypted:
        return {}
    key = _subject_key(vault, uow, stored.id)
    plain: dict[str, JsonValue] = {}
    for name, ciphertext in stored.encrypted.items():
        value = vault.decrypt(key, customer_id=stored.id, field=name, ciphertext=ciphertext)
        if name == EXTRA_TRAITS_FIELD and isinstance(value, dict):
            plain.update(value)
        else:
            plain[name] = value
    return plain


def _identifiers(
    vault: SubjectVault,
    uow: UnitOfWork,
    customer_id: CustomerId,
    *,
    role_name: str,
    trained: bool = True,
) -> tuple[tuple[str, JsonValue], ...]:
    role = role_named(role_name)
    shown: list[tuple[str, JsonValue]] = []
    for kind, value in decrypt_identifiers(vault, uow, customer_id):
        decision = field_decision(role, IDENTIFIER_DATA_CLASS[kind], trained=trained)
        masked = decision is FieldDecision.MASK
        shown.append((kind.value, mask_value(kind.value, value) if masked else value))
    return tuple(shown)


def decrypt_identifiers(
    vault: SubjectVault, uow: UnitOfWork, customer_id: CustomerId
) -> list[tuple[IdentifierKind, JsonValue]]:
    """Every identifier of the customer in plain text, for an authorised reader only."""
    stored = uow.identifiers.for_customer(customer_id)
    if not stored:
        return []
    key = _subject_key(vault, uow, customer_id)
    return [
        (
            identifier.kind,
            vault.decrypt(
                key,
                customer_id=customer_id,
                field=f"identifier:{identifier.kind.value}",
                ciphertext=identifier.ciphertext,
            ),
        )
        for identifier in stored
    ]


def _read_draft(
    actor: Actor, action: AuditAction, views: Sequence[CustomerView], purpose: str
) -> AuditDraft:
    classes = sorted({data_class for view in views for data_class in view.data_classes})
    return AuditDraft(
        actor=actor.label,
        action=action,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=tuple(view.id for view in views),
        data_classes=tuple(classes),
        purpose=purpose,
        detail={"masked": "yes" if any(view.masked_fields for view in views) else "no"},
        origin=actor.origin,
    )
