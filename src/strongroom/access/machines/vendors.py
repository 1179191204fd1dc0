"""What a vendor sees: the listed profile fields of one customer and nothing else.

Never identifiers, orders, consents, unlisted traits, card tokens or card numbers: card data is
not a profile field, so no vendor field list can name it (Target 2013: a vendor's stolen
credentials must open as little as possible).
"""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.consent import consent_allows
from strongroom.access.machines.keys import MachineKeys, Presented, key_actor
from strongroom.access.machines.records import read_draft, record_refusal
from strongroom.access.profiles import decrypt_fields
from strongroom.core.errors import CustomerErasedError, NotFoundError, PermissionDeniedError
from strongroom.core.machines import MachineKind
from strongroom.core.models import CustomerId, JsonValue, StoredCustomer
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.trail import AuditAction
from strongroom.vault.service import SubjectVault


@dataclass(frozen=True, slots=True)
class VendorView:
    id: CustomerId
    fields: dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class VendorReader:
    uow_factory: UnitOfWorkFactory
    vault: SubjectVault
    audit: AuditTrail
    keys: MachineKeys

    def read_customer(self, *, presented: Presented, customer_id: CustomerId) -> VendorView:
        """The vendor's fields of one customer, after its key, network and time box check out."""
        key = self.keys.authenticate(MachineKind.VENDOR, presented)
        actor = key_actor(key, presented.origin)
        purpose = key.purpose or "support"
        with self.uow_factory() as uow:
            stored = uow.customers.get_many([customer_id]).get(customer_id)
            if stored is None:
                raise NotFoundError(f"no customer with id {customer_id!r}")
            if customer_id not in uow.subject_keys.get_many([customer_id]):
                raise CustomerErasedError(f"customer {customer_id} was erased")
            allowed = consent_allows(uow, customer_id, purpose)
            if allowed:
                shown = self._shown(uow, stored, key.fields)
                self.audit.record(uow, [read_draft(actor, customer_id, shown, purpose)])
                uow.commit()
        if not allowed:
            record_refusal(
                self.uow_factory,
                self.audit,
                action=AuditAction.ACCESS_DENIED,
                who=actor.label,
                resource_type="customer",
                resource_id=customer_id,
                detail={"reason": "consent", "purpose": purpose},
                origin=actor.origin,
            )
            raise PermissionDeniedError(
                f"the purpose {purpose!r} needs the customer's consent, and they have not given it"
            )
        return VendorView(customer_id, shown)

    def _shown(
        self, uow: UnitOfWork, stored: StoredCustomer, fields: tuple[str, ...]
    ) -> dict[str, JsonValue]:
        plain = {**decrypt_fields(self.vault, uow, stored), **stored.demographics}
        return {name: plain[name] for name in fields if name in plain}
