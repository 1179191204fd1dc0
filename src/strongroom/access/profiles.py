"""Reading customer profiles through the policy: decrypt, then show or mask field by field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from strongroom.access.masking import mask_value
from strongroom.access.permissions import Permission
from strongroom.access.policy import (
    FieldDecision,
    field_decision,
    require,
    resolve_purpose,
    role_named,
)
from strongroom.core.errors import DecryptionError, NotFoundError, PermissionDeniedError
from strongroom.core.models import (
    IDENTIFIER_DATA_CLASS,
    Actor,
    CustomerId,
    JsonValue,
    StoredCustomer,
)
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.schema import EXTRA_TRAITS_FIELD, FIELDS_BY_NAME, DataClass
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
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


@dataclass(frozen=True, slots=True)
class ProfileReader:
    """Profile reads for staff: policy first, then decryption, masking and an audit entry."""

    uow_factory: UnitOfWorkFactory
    vault: SubjectVault
    audit: AuditTrail

    def read_customer(
        self, *, actor: Actor, customer_id: CustomerId, purpose: str | None = None
    ) -> CustomerView:
        """One profile; PII is masked unless the actor's role may read it."""
        stated = self._authorise(actor, Permission.CUSTOMERS_READ, purpose)
        with self.uow_factory() as uow:
            stored = uow.customers.get_many([customer_id]).get(customer_id)
            if stored is None:
                raise NotFoundError(f"no customer with id {customer_id!r}")
            view = self._view(uow, actor, stored)
            self.audit.record(uow, [_read_draft(actor, AuditAction.CUSTOMER_READ, [view], stated)])
            uow.commit()
        return view

    def find_by_email(
        self, *, actor: Actor, email: str, purpose: str | None = None
    ) -> list[CustomerView]:
        """Customers whose email is ``email``, found through its blind index."""
        stated = self._authorise(actor, Permission.CUSTOMERS_SEARCH, purpose)
        wanted = email.strip().lower()
        lookups = [value for _, value in self.vault.lookup_values("email", email)]
        with self.uow_factory() as uow:
            ids = uow.customers.find_by_blind_index("email", lookups)
            found = uow.customers.get_many(ids)
            # The index may collide; only a decrypted match counts.
            matches = [c for c in found.values() if _plain_email(self.vault, uow, c) == wanted]
            views = [self._view(uow, actor, match) for match in sorted(matches, key=_by_id)]
            draft = _read_draft(actor, AuditAction.CUSTOMER_SEARCH, views, stated)
            self.audit.record(uow, [draft])
            uow.commit()
        return views

    def _authorise(self, actor: Actor, permission: Permission, purpose: str | None) -> str:
        role = role_named(actor.role or "")
        try:
            require(role, permission)
            return resolve_purpose(role, purpose)
        except PermissionDeniedError:
            self._record_denial(actor, permission)
            raise

    def _record_denial(self, actor: Actor, permission: Permission) -> None:
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.ACCESS_DENIED,
            outcome=Outcome.DENIED,
            resource_type="customer",
            detail={"permission": permission.value},
        )
        with self.uow_factory() as uow:
            self.audit.record(uow, [draft])
            uow.commit()

    def _view(self, uow: UnitOfWork, actor: Actor, stored: StoredCustomer) -> CustomerView:
        role = role_named(actor.role or "")
        plain = _decrypt_all(self.vault, uow, stored)
        traits: dict[str, JsonValue] = {}
        masked: list[str] = []
        for name, value in {**plain, **stored.demographics}.items():
            data_class = _class_of(name)
            if field_decision(role, data_class) is FieldDecision.MASK:
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
            identifiers=_identifiers(self.vault, uow, stored.id, role_name=role.name),
            consents=uow.consents.latest_for_customer(stored.id),
            event_count=uow.events.count_for_customer(stored.id),
            order_count=len(orders),
            order_total=sum((order.total for order in orders), Decimal(0)),
            data_classes=tuple(sorted({_class_of(name).value for name in traits})),
        )


def _class_of(field: str) -> DataClass:
    spec = FIELDS_BY_NAME.get(field)
    return spec.data_class if spec else DataClass.UNCLASSIFIED


def _subject_key(vault: SubjectVault, uow: UnitOfWork, customer_id: CustomerId) -> bytes:
    key = uow.subject_keys.get_many([customer_id]).get(customer_id)
    if key is None:
        raise DecryptionError(f"customer {customer_id} has no data key: their data was erased")
    return vault.open_subject_key(key)


def _decrypt_all(
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


def _by_id(customer: StoredCustomer) -> str:
    return customer.id


def _plain_email(vault: SubjectVault, uow: UnitOfWork, stored: StoredCustomer) -> str | None:
    ciphertext = stored.encrypted.get("email")
    if ciphertext is None:
        return None
    key = _subject_key(vault, uow, stored.id)
    value = vault.decrypt(key, customer_id=stored.id, field="email", ciphertext=ciphertext)
    return value.strip().lower() if isinstance(value, str) else None


def _identifiers(
    vault: SubjectVault, uow: UnitOfWork, customer_id: CustomerId, *, role_name: str
) -> tuple[tuple[str, JsonValue], ...]:
    stored = uow.identifiers.for_customer(customer_id)
    if not stored:
        return ()
    key = _subject_key(vault, uow, customer_id)
    role = role_named(role_name)
    shown: list[tuple[str, JsonValue]] = []
    for identifier in stored:
        field = f"identifier:{identifier.kind.value}"
        value = vault.decrypt(
            key, customer_id=customer_id, field=field, ciphertext=identifier.ciphertext
        )
        if field_decision(role, IDENTIFIER_DATA_CLASS[identifier.kind]) is FieldDecision.MASK:
            value = mask_value(identifier.kind.value, value)
        shown.append((identifier.kind.value, value))
    return tuple(shown)


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
    )
