"""The one decision function of the policy engine: allow, mask or deny, with a reason and the
obligations the caller must meet.

Pure: the caller says whether the customer's consent allows the purpose and whether the person's
training is current; ``decide`` only applies the policy in force to those facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from strongroom.access.permissions import CONSENT_PURPOSES, PURPOSE_NAMES, Permission, Policy, Role
from strongroom.access.policyfile import active_policy
from strongroom.core.schema import DataClass


class Effect(StrEnum):
    ALLOW = "allow"
    MASK = "mask"
    DENY = "deny"


class Reason(StrEnum):
    """Why: each 403 carries one of these as its code or in its message."""

    PERMITTED = "permitted"
    PII_VISIBLE = "pii_visible"  # the role reads PII and the person's training is current
    NOT_PII = "not_pii"  # the data class is shown to every role that may read the record
    PII_MASKED = "pii_masked"  # the role does not hold pii.read
    NO_PERMISSION = "no_permission"
    UNKNOWN_PURPOSE = "unknown_purpose"
    PURPOSE_NOT_ALLOWED = "purpose_not_allowed"
    NO_CONSENT = "no_consent"
    TRAINING_REQUIRED = "training_required"


class Obligation(StrEnum):
    AUDIT = "audit"  # the act is recorded in the audit log with its purpose
    STEP_UP = "step_up"  # a PII permission: the session must come from a security-key login
    STATE_REASON = "state_reason"  # the caller must state why (a reveal)


@dataclass(frozen=True, slots=True)
class Decision:
    effect: Effect
    reason: Reason
    obligations: frozenset[Obligation] = frozenset()

    @property
    def allowed(self) -> bool:
        return self.effect is not Effect.DENY


MASKED_WITHOUT_PII_READ = frozenset({DataClass.PII, DataClass.UNCLASSIFIED})
_AUDIT = frozenset({Obligation.AUDIT})
_PII_ACT = frozenset({Obligation.AUDIT, Obligation.STEP_UP})
_REVEAL = frozenset({Obligation.AUDIT, Obligation.STEP_UP, Obligation.STATE_REASON})


def decide(
    role: Role,
    action: Permission,
    data_class: DataClass | None,
    purpose: str,
    *,
    consent: bool,
    trained: bool,
    policy: Policy | None = None,
) -> Decision:
    """May ``role`` do ``action`` for ``purpose`` (on a field of ``data_class``, if given)?"""
    pii_act = action in (policy or active_policy()).pii_permissions
    refusal = _refusal(role, action, purpose, consent=consent, trained=trained or not pii_act)
    if refusal is not None:
        return Decision(Effect.DENY, refusal)
    if data_class is not None:
        return field_effect(role, data_class, trained=trained)
    if action is Permission.PII_REVEAL:
        return Decision(Effect.ALLOW, Reason.PERMITTED, _REVEAL)
    return Decision(Effect.ALLOW, Reason.PERMITTED, _PII_ACT if pii_act else _AUDIT)


def _refusal(
    role: Role, action: Permission, purpose: str, *, consent: bool, trained: bool
) -> Reason | None:
    """The first rule the act breaks, in the order the reasons are documented; None if none."""
    if action not in role.permissions:
        return Reason.NO_PERMISSION
    if purpose not in PURPOSE_NAMES:
        return Reason.UNKNOWN_PURPOSE
    if purpose not in role.purposes:
        return Reason.PURPOSE_NOT_ALLOWED
    if purpose in CONSENT_PURPOSES and not consent:
        return Reason.NO_CONSENT
    if not trained:
        return Reason.TRAINING_REQUIRED
    return None


def field_effect(role: Role, data_class: DataClass, *, trained: bool) -> Decision:
    """How ``role`` sees a field of ``data_class`` of a record it may read: PII and unclassified
    fields in full only with pii.read and current training, masked otherwise."""
    if data_class not in MASKED_WITHOUT_PII_READ:
        return Decision(Effect.ALLOW, Reason.NOT_PII, _AUDIT)
    if Permission.PII_READ not in role.permissions:
        return Decision(Effect.MASK, Reason.PII_MASKED, _AUDIT)
    if not trained:
        return Decision(Effect.MASK, Reason.TRAINING_REQUIRED, _AUDIT)
    return Decision(Effect.ALLOW, Reason.PII_VISIBLE, _PII_ACT)
