"""Detokenising: revealing the card number behind a token, to a role allowed to, for a purpose.

Every reveal is audited in the same transaction that reads the card, so a number is never shown
without its audit entry; refusals by the policy are audited too. A purpose must always be stated:
there is no default reason for seeing a card number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strongroom.access.permissions import PURPOSE_NAMES, Permission
from strongroom.access.policy import require, require_scope, resolve_purpose, role_named
from strongroom.core.errors import InvalidInputError, NotFoundError, PermissionDeniedError
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

    def detokenize(self, *, actor: Actor, token: str, purpose: str | None) -> RevealedCard:
        """The card number behind ``token``; needs ``cards.detokenize`` and a stated purpose."""
        stated = self._authorise(actor, purpose)
        if not is_card_token(token):
            raise InvalidInputError(
                "that is not a card token: a token looks like tok_ followed by 32 letters, "
                "digits, '-' or '_'; use the card_token kept with the order"
            )
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
            card = self.cards.reveal(stored)
            revealed = _draft(actor, token, stated, Outcome.SUCCESS)
            self.audit.record(uow, [revealed])
            seq = uow.audit.head().seq if self.watch is not None else 0  # ours: head is locked
            uow.commit()
        if self.watch is not None:
            self.watch.observe(revealed, seq)
        return RevealedCard(token, card.digits, card.last4, card.brand)

    def _authorise(self, actor: Actor, purpose: str | None) -> str:
        role = role_named(actor.role or "")
        try:
            require(role, Permission.CARDS_DETOKENIZE)
            require_scope(actor, Permission.CARDS_DETOKENIZE)
        except PermissionDeniedError:
            self._record_denial(actor, purpose)
            raise
        if purpose is None or not purpose.strip():
            raise InvalidInputError(
                "detokenising needs a stated purpose: send the X-Strongroom-Purpose header or "
                f"--purpose (the {role.name} role may state: {', '.join(role.purposes)})"
            )
        try:
            return resolve_purpose(role, purpose)
        except PermissionDeniedError:
            self._record_denial(actor, purpose)
            raise

    def _record_denial(self, actor: Actor, purpose: str | None) -> None:
        detail: dict[str, str | int] = {"permission": Permission.CARDS_DETOKENIZE.value}
        if purpose in PURPOSE_NAMES:  # a declared name only: the header may hold anything
            detail["stated_purpose"] = purpose
        draft = AuditDraft(
            actor=actor.label,
            action=AuditAction.ACCESS_DENIED,
            outcome=Outcome.DENIED,
            resource_type=_RESOURCE,
            detail=detail,
            origin=actor.origin,
        )
        with self.uow_factory() as uow:
            self.audit.record(uow, [draft])
            uow.commit()


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
