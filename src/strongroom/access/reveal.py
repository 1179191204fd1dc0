"""Reveal one masked field of one customer, with a stated reason: audited with the field's name
and the reason (never the value), and counted against the volume limit."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.access.consent import require_consent
from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.access.policy import FieldDecision, field_decision, role_named
from strongroom.access.profiles import decrypt_fields, decrypt_identifiers
from strongroom.access.training import is_trained
from strongroom.access.volume import charge, refusal
from strongroom.core.clock import Clock
from strongroom.core.errors import InvalidInputError, NotFoundError
from strongroom.core.models import IDENTIFIER_DATA_CLASS, Actor, CustomerId, JsonValue
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.schema import FIELDS_BY_NAME, DataClass
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.service import SubjectVault

MIN_REASON_CHARS = 10
MAX_REASON_CHARS = 200


@dataclass(frozen=True, slots=True)
class Revealed:
    customer_id: CustomerId
    field: str
    value: JsonValue


@dataclass(frozen=True, slots=True)
class Revealer:
    uow_factory: UnitOfWorkFactory
    vault: SubjectVault
    audit: AuditTrail
    clock: Clock

    def reveal(
        self,
        *,
        actor: Actor,
        customer_id: CustomerId,
        field: str,
        reason: str,
        purpose: str | None = None,
    ) -> Revealed:
        """The one field unmasked, for a role that sees it masked and holds pii.reveal."""
        reason = _check_reason(reason)
        stated = authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.PII_REVEAL,
            purpose=purpose,
        )
        now = self.clock.now()
        with self.uow_factory() as uow:
            value = self._value(uow, actor, customer_id, field)
            require_consent(uow, customer_id, stated)
            over = charge(uow, actor=actor, records=1, now=now)
            if over is None:
                self.audit.record(uow, [_draft(actor, customer_id, field, reason, stated)])
                uow.commit()
        if over is not None:
            raise refusal(
                uow_factory=self.uow_factory, audit=self.audit, actor=actor, limit=over, now=now
            )
        return Revealed(customer_id, field, value)

    def _value(
        self, uow: UnitOfWork, actor: Actor, customer_id: CustomerId, field: str
    ) -> JsonValue:
        stored = uow.customers.get_many([customer_id]).get(customer_id)
        if stored is None:
            raise NotFoundError(f"no customer with id {customer_id!r}")
        role = role_named(actor.role or "")
        trained = is_trained(uow, actor, self.clock.now())
        data_class = _class_of(field)
        if field_decision(role, data_class, trained=trained) is not FieldDecision.MASK:
            raise InvalidInputError(
                f"field {field!r} is not masked for the {role.name} role: read the profile"
            )
        plain = {**decrypt_fields(self.vault, uow, stored), **stored.demographics}
        if field in plain:
            return plain[field]
        for kind, value in decrypt_identifiers(self.vault, uow, customer_id):
            if f"identifier:{kind.value}" == field:
                return value
        raise NotFoundError(f"customer {customer_id} has no field {field!r}")


def _class_of(field: str) -> DataClass:
    if field.startswith("identifier:"):
        for kind, data_class in IDENTIFIER_DATA_CLASS.items():
            if field == f"identifier:{kind.value}":
                return data_class
    spec = FIELDS_BY_NAME.get(field)
    return spec.data_class if spec else DataClass.UNCLASSIFIED


def _check_reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if not MIN_REASON_CHARS <= len(reason) <= MAX_REASON_CHARS:
        raise InvalidInputError(
            f"reason: say why in {MIN_REASON_CHARS}-{MAX_REASON_CHARS} characters "
            "(e.g. the ticket number); it is kept in the audit log"
        )
    return reason


def _draft(
    actor: Actor, customer_id: CustomerId, field: str, reason: str, purpose: str
) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.PII_REVEALED,
        outcome=Outcome.SUCCESS,
        resource_type="customer",
        resource_ids=(customer_id,),
        data_classes=(_class_of(field).value,),
        purpose=purpose,
        detail={"field": field, "reason": reason},
        origin=actor.origin,
    )
