"""What the consent ledger allows: purposes that need consent are used only for customers whose
newest decision for that purpose is a grant. The ledger itself is kept by ``privacy.consent``."""

from __future__ import annotations

from strongroom.access.permissions import CONSENT_PURPOSES
from strongroom.core.errors import PermissionDeniedError
from strongroom.core.models import CustomerId
from strongroom.core.ports import UnitOfWork


def consent_allows(uow: UnitOfWork, customer_id: CustomerId, purpose: str) -> bool:
    """Whether ``purpose`` may be used for this customer: always for purposes that need no
    consent; for the others only when the newest decision for it is a grant."""
    if purpose not in CONSENT_PURPOSES:
        return True
    return uow.consents.latest_for_customer(customer_id).get(purpose, False)


def require_consent(uow: UnitOfWork, customer_id: CustomerId, purpose: str) -> None:
    """PermissionDeniedError unless the customer's consent allows ``purpose``."""
    if not consent_allows(uow, customer_id, purpose):
        raise PermissionDeniedError(
            f"the purpose {purpose!r} needs the customer's consent, and their consent ledger "
            "does not grant it"
        )
