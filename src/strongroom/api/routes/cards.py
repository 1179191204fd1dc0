"""Detokenising card numbers: for the payments role, with a stated purpose, always audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from strongroom.api.deps import AppDep, CurrentActor, Purpose
from strongroom.api.models import DetokenizedCardOut

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])

# Loose on purpose: the service says what a token looks like when this is not one.
CardTokenPath = Annotated[str, Path(min_length=1, max_length=64, description="A card token")]


@router.post("/{token}/detokenize")
def detokenize_card(
    app: AppDep,
    actor: CurrentActor,
    token: CardTokenPath,
    response: Response,
    purpose: Purpose = None,
) -> DetokenizedCardOut:
    """The card number behind a token; needs `cards.detokenize` and an X-Strongroom-Purpose."""
    revealed = app.cards.detokenize(actor=actor, token=token, purpose=purpose)
    response.headers["Cache-Control"] = "no-store"
    return DetokenizedCardOut(
        token=revealed.token,
        card_number=revealed.card_number,
        last4=revealed.last4,
        brand=revealed.brand,
    )
