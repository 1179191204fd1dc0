"""Detokenising: revealing the card number behind a token, to a role allowed to, for a purpose.

Every reveal is audited in the same transaction that reads the card, so a number is never shown
without its audit entry; refusals by the policy are audited too. A purpose must always be stated:
there is no default reason for seeing a card number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strongroom.access.gate import authorise
from strongroom.access.permissions import Permission
from strongroom.access.policy import role_named
from strongroom.access.volume import charge, refusal
from strongroom.core.clock import Clock, SystemClock
from strongroom.core.errors import InvalidInputError, NotFoundError
from strongroom.core.models import Actor, Order
from strongroom.core.monitoring import HoneytokenWatch
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory
from strongroom.core.schema import CARD_DATA_CLASS
from strongroom.core.trail import AuditAction, AuditDraft, Outcome
from strongroom.vault.cards import is_card_token
from strongroom.vault.tokenization import CardVault

_RESOURCE = "card"


@dataclass(frozen=True, slots=True)
class RevealedCard:
    """A card number revealed from its token; its ``repr`` leaves the number out."""

    token: str
    card_number: str = field(repr=False)
    last4: str
    brand: str


@dataclass(frozen=True, slots=True)
class CardOnFile:
    """A card a customer paid with, as a profile shows it: never the number.

    The token is shown so that a payment can be refunded by the payments role; on its own it
    reveals nothing, and revealing the number behind it needs ``cards.detokenize``.
    """

    token: str
    brand: str
    last4: str


def cards_on_file(orders: Sequence[Order]) -> tuple[CardOnFile, ...]:
    """The distinct cards of these orders, in the order they were first used."""
    seen: dict[str, CardOnFile] = {}
    for order in orders:
        if order.card_token and order.card_token not in seen:
            brand, last4 = order.card_brand or "", order.card_last4 or ""
            seen[order.card_token] = CardOnFile(order.card_token, brand, last4)
    return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class CardDetokenizer:
    """Reveals card numbers through the policy and into the audit log."""

    uow_factory: UnitOfWorkFactory
    cards: CardVault
    audit: AuditTrail
    watch: HoneytokenWatch | None = None  # told of each reveal: a canary card alerts at once
    clock: Clock = field(default_factory=SystemClock)

    def detokenize(self, *, actor: Actor, token: str, purpose: str | None) -> RevealedCard:
        """The card number behind ``token``; needs ``cards.detokenize`` (a PII permission: current
        training too), a stated purpose, and room under the role's hourly volume limit."""
        stated = self._authorise(actor, purpose)
        if not is_card_token(token):
            raise InvalidInputError(
                "that is not a card token: a token looks like tok_ followed by 32 letters, "
                "digits, '-' or '_'; use the card_token kept with the order"
            )
        now = self.clock.now()
        with self.uow_factory() as uow:
            stored = uow.cards.get(token)
            if stored is None:
                # Asking for tokens that do not exist may be probing: keep a record of it.
                self.audit.record(uow, [_draft(actor, token, stated, Outcome.FAILED)])
                uow.commit()
                raise NotFoundError(
                    "no card has that token: it was mistyped, or the card was erased with its "
                    "customer"
                )
            over = charge(uow, actor=actor, records=1, now=now)
            if over is None:
                card = self.cards.reveal(stored)
                revealed = _draft(actor, token, stated, Outcome.SUCCESS)
                self.audit.record(uow, [revealed])
                seq = uow.audit.head().seq if self.watch is not None else 0  # ours: head locked
                uow.commit()
        if over is not None:
            raise refusal(
                uow_factory=self.uow_factory, audit=self.audit, actor=actor, limit=over, now=now
            )
        if self.watch is not None:
            self.watch.observe(revealed, seq)
        return RevealedCard(token, card.digits, card.last4, card.brand)

    def _authorise(self, actor: Actor, purpose: str | None) -> str:
        """Permission, scope, training and purpose through the one gate (denials audited);
        a purpose must be stated, not taken from the role's default."""
        stated = authorise(
            uow_factory=self.uow_factory,
            audit=self.audit,
            actor=actor,
            permission=Permission.CARDS_DETOKENIZE,
            purpose=purpose if purpose and purpose.strip() else None,
            resource_type=_RESOURCE,
            now=self.clock.now(),
        )
        if purpose is None or not purpose.strip():
            role = role_named(actor.role or "")
            raise InvalidInputError(
                "detokenising needs a stated purpose: send the X-Strongroom-Purpose header or "
                f"--purpose (the {role.name} role may state: {', '.join(role.purposes)})"
            )
        return stated


def _draft(actor: Actor, token: str, purpose: str, outcome: Outcome) -> AuditDraft:
    return AuditDraft(
        actor=actor.label,
        action=AuditAction.CARD_DETOKENIZED,
        outcome=outcome,
        resource_type=_RESOURCE,
        resource_ids=(token,),
        data_classes=(CARD_DATA_CLASS.value,),
        purpose=purpose,
        origin=actor.origin,
    )
