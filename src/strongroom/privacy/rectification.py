"""Right to rectification (GDPR Art. 16): a verified request corrects one declared field.

The new value is classified and protected exactly as if it had arrived by tracking: PII encrypted
under the customer's key and re-indexed, demographics plain. The audit entry names the field,
never its old or new value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from strongroom.access.holds import refuse_under_hold
from strongroom.collect.classification import classify_traits
from strongroom.core.clock import Clock
from strongroom.core.errors import CustomerErasedError, InvalidInputError
from strongroom.core.models import Actor, BlindIndexEntry, JsonValue
from strongroom.core.ports import AuditTrail, UnitOfWork, UnitOfWorkFactory
from strongroom.core.privacy import DataSubjectRequest, RequestKind
from strongroom.core.schema import FIELDS_BY_NAME
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.privacy.requests import authorise_dsar, verified_request
from strongroom.vault.service import SubjectVault


@dataclass(frozen=True, slots=True)
class Rectifier:
    uow_factory: UnitOfWorkFactory
    vault: SubjectVault
    audit: AuditTrail
    clock: Clock

    def rectify(self, *, actor: Actor, request_id: str, field: str, value: str) -> None:
        """Set ``field`` of the requester's profile to ``value``, for rectification request."""
        purpose = authorise_dsar(self.uow_factory, self.audit, actor)
        classified = _classified(field, value)
        with self.uow_factory() as uow:
            request = verified_request(
                uow, request_id, kind=RequestKind.RECTIFICATION, act="rectify only for"
            )
            refuse_under_hold(uow, request.customer_id, act="rectification")
            self._write(uow, request, field, classified)
            draft = AuditDraft(
                actor=actor.label,
                action=AuditAction.CUSTOMER_RECTIFIED,
                outcome=Outcome.SUCCESS,
                resource_type="customer",
                resource_ids=(request.customer_id,),
                data_classes=(FIELDS_BY_NAME[field].data_class.value,),
                purpose=purpose,
                detail={"request": request.id, "field": field},
                origin=actor.origin,
            )
            self.audit.record(uow, [draft])
            uow.commit()

    def _write(
        self,
        uow: UnitOfWork,
        request: DataSubjectRequest,
        field: str,
        classified: tuple[dict[str, JsonValue], dict[str, JsonValue]],
    ) -> None:
        customer_id = request.customer_id
        stored = uow.customers.get_many([customer_id])[customer_id]
        wrapped = uow.subject_keys.get_many([customer_id]).get(customer_id)
        if wrapped is None:
            raise CustomerErasedError(f"customer {customer_id} was erased: nothing to rectify")
        encrypted, plain = classified
        key = self.vault.open_subject_key(wrapped)
        indexes: list[BlindIndexEntry] = []
        for name, new in encrypted.items():
            stored.encrypted[name] = self.vault.encrypt(
                key, customer_id=customer_id, field=name, value=new
            )
            if FIELDS_BY_NAME[name].searchable and isinstance(new, str):
                version, lookup = self.vault.search_index(name, new)
                indexes.append(BlindIndexEntry(customer_id, name, version, lookup))
        stored.demographics.update(plain)
        uow.customers.update([replace(stored, updated_at=self.clock.now())])
        uow.customers.replace_blind_indexes(indexes)


def _classified(field: str, value: str) -> tuple[dict[str, JsonValue], dict[str, JsonValue]]:
    if field not in FIELDS_BY_NAME:
        known = ", ".join(sorted(FIELDS_BY_NAME))
        raise InvalidInputError(f"unknown field {field!r}; the fields are: {known}")
    traits = classify_traits({field: value})
    if field not in traits.encrypted and field not in traits.plain:
        raise InvalidInputError(f"the value given is not a valid {field} (it is not echoed)")
    return traits.encrypted, traits.plain
