"""The API's response models."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from strongroom.access.profiles import CustomerView


class IdentifierOut(BaseModel):
    kind: str
    value: Any


class CardOnFileOut(BaseModel):
    token: str
    brand: str
    last4: str


class CustomerOut(BaseModel):
    id: str
    created_at: datetime
    updated_at: datetime
    traits: dict[str, Any] = Field(description="Profile fields; masked ones show only a hint")
    masked_fields: list[str]
    identifiers: list[IdentifierOut]
    consents: dict[str, bool]
    event_count: int
    order_count: int
    order_total: Decimal
    cards: list[CardOnFileOut] = Field(
        default_factory=list, description="Cards paid with: token, brand, last four digits"
    )

    @classmethod
    def from_view(cls, view: CustomerView) -> CustomerOut:
        return cls(
            id=view.id,
            created_at=view.created_at,
            updated_at=view.updated_at,
            traits=view.traits,
            masked_fields=list(view.masked_fields),
            identifiers=[IdentifierOut(kind=kind, value=value) for kind, value in view.identifiers],
            consents=view.consents,
            event_count=view.event_count,
            order_count=view.order_count,
            order_total=view.order_total,
            cards=[
                CardOnFileOut(token=card.token, brand=card.brand, last4=card.last4)
                for card in view.cards
            ],
        )


class CustomerPage(BaseModel):
    items: list[CustomerOut]


class DetokenizedCardOut(BaseModel):
    """A card number revealed from its token (answered with Cache-Control: no-store)."""

    token: str
    card_number: str
    last4: str
    brand: str
