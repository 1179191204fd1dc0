"""Detokenising: only the payments role, only for a stated purpose, always audited."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from strongroom.access.cards import CardDetokenizer, CardOnFile, cards_on_file
from strongroom.access.permissions import ROLES, Permission
from strongroom.access.profiles import ProfileReader
from strongroom.adapters.memory import MemoryUnitOfWorkFactory
from strongroom.audit.service import AuditLog
from strongroom.core.errors import (
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    TrainingRequiredError,
    VolumeLimitedError,
)
from strongroom.core.models import Actor, CustomerId, Order, PrincipalKind, StoredCustomer
from strongroom.core.trail import AuditAction, AuditEntry, Outcome
from strongroom.vault.cards import parse_card_number
from strongroom.vault.keyring import Keyring
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SubjectVault
from strongroom.vault.tokenization import CardVault

from ...conftest import StaffTrainer

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
CUSTOMER = CustomerId("c-1")
VISA = "4111111111111111"
OTHER_ROLES = sorted(name for name in ROLES if name != "payments")


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class Vault:
    uow_factory: MemoryUnitOfWorkFactory
    cards: CardVault
    detokenizer: CardDetokenizer
    profiles: ProfileReader
    token: str

    def audit_entries(self) -> list[AuditEntry]:
        with self.uow_factory() as uow:
            return list(uow.audit.scan())


def _staff(role: str) -> Actor:
    return Actor(PrincipalKind.STAFF, f"someone-{role}", role)


@pytest.fixture
def vault(train_staff: StaffTrainer) -> Vault:
    root = LocalRootKey(os.urandom(32))
    keyring = Keyring.open(root, Keyring.create_initial(root, now=NOW))
    factory, audit, cards = MemoryUnitOfWorkFactory(), AuditLog(FixedClock()), CardVault(keyring)
    subjects = SubjectVault(keyring)
    with factory() as uow:
        uow.customers.add([StoredCustomer(CUSTOMER, NOW, NOW)])
        uow.subject_keys.add([subjects.new_subject_key(CUSTOMER)[1]])
        token = cards.tokenize(uow, card=parse_card_number(VISA), customer_id=CUSTOMER, now=NOW)
        uow.commit()
    train_staff(factory, _staff("payments"))
    return Vault(
        uow_factory=factory,
        cards=cards,
        detokenizer=CardDetokenizer(uow_factory=factory, cards=cards, audit=audit),
        profiles=ProfileReader(uow_factory=factory, vault=subjects, audit=audit),
        token=token.token,
    )


def test_the_payments_role_sees_the_number_for_a_stated_purpose_and_it_is_audited(
    vault: Vault,
) -> None:
    revealed = vault.detokenizer.detokenize(
        actor=_staff("payments"), token=vault.token, purpose="payment"
    )
    assert (revealed.token, revealed.card_number, revealed.last4, revealed.brand) == (
        vault.token,
        VISA,
        "1111",
        "visa",
    )
    assert VISA not in repr(revealed)
    last = vault.audit_entries()[-1].draft
    assert (last.action, last.outcome, last.purpose) == (
        AuditAction.CARD_DETOKENIZED,
        Outcome.SUCCESS,
        "payment",
    )
    assert (last.actor, last.resource_ids, last.data_classes) == (
        "staff:someone-payments",
        (vault.token,),
        ("payment",),
    )
    assert VISA not in repr(vault.audit_entries())


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("purpose", ["payment", None])
def test_no_other_role_may_detokenise_and_each_refusal_is_audited(
    vault: Vault, role: str, purpose: str | None
) -> None:
    assert Permission.CARDS_DETOKENIZE not in ROLES[role].permissions
    with pytest.raises(PermissionDeniedError, match=r"may not cards\.detokenize"):
        vault.detokenizer.detokenize(actor=_staff(role), token=vault.token, purpose=purpose)
    last = vault.audit_entries()[-1].draft
    assert (last.action, last.outcome, last.actor) == (
        AuditAction.ACCESS_DENIED,
        Outcome.DENIED,
        f"staff:someone-{role}",
    )
    assert last.detail["permission"] == "cards.detokenize"


def test_the_roles_that_may_detokenise_are_exactly_payments() -> None:
    allowed = [
        name for name, role in ROLES.items() if Permission.CARDS_DETOKENIZE in role.permissions
    ]
    assert allowed == ["payments"]


@pytest.mark.parametrize("purpose", [None, "", "   "])
def test_detokenising_without_a_stated_purpose_is_refused(
    vault: Vault, purpose: str | None
) -> None:
    before = len(vault.audit_entries())
    with pytest.raises(InvalidInputError, match="needs a stated purpose"):
        vault.detokenizer.detokenize(actor=_staff("payments"), token=vault.token, purpose=purpose)
    assert len(vault.audit_entries()) == before  # nothing was revealed, nothing to record


def test_a_purpose_the_role_may_not_state_is_refused_and_audited(vault: Vault) -> None:
    with pytest.raises(PermissionDeniedError, match="purpose 'support'"):
        vault.detokenizer.detokenize(actor=_staff("payments"), token=vault.token, purpose="support")
    last = vault.audit_entries()[-1].draft
    assert (last.action, last.detail["stated_purpose"]) == (AuditAction.ACCESS_DENIED, "support")


def test_an_undeclared_purpose_is_invalid_input(vault: Vault) -> None:
    with pytest.raises(InvalidInputError, match="unknown purpose"):
        vault.detokenizer.detokenize(actor=_staff("payments"), token=vault.token, purpose="fun")


def test_an_unknown_token_is_not_found_and_the_attempt_is_audited(vault: Vault) -> None:
    unknown = "tok_" + "Z" * 32
    with pytest.raises(NotFoundError, match="no card has that token"):
        vault.detokenizer.detokenize(actor=_staff("payments"), token=unknown, purpose="payment")
    last = vault.audit_entries()[-1].draft
    assert (last.action, last.outcome, last.resource_ids) == (
        AuditAction.CARD_DETOKENIZED,
        Outcome.FAILED,
        (unknown,),
    )


@pytest.mark.parametrize("token", [VISA, "tok_short", "tok_" + "a" * 40, "tok_" + "/" * 32])
def test_something_that_is_not_a_token_is_refused_without_echoing_it(
    vault: Vault, token: str
) -> None:
    with pytest.raises(InvalidInputError, match="not a card token") as refused:
        vault.detokenizer.detokenize(actor=_staff("payments"), token=token, purpose="payment")
    assert token not in refused.value.message


def _order(n: int, token: str | None, last4: str | None, brand: str | None) -> Order:
    return Order(
        id=f"o-{n}",
        source_id="s",
        external_id=f"e-{n}",
        customer_id=CUSTOMER,
        total=Decimal(10),
        currency="EUR",
        ordered_at=NOW,
        lines=(),
        card_token=token,
        card_last4=last4,
        card_brand=brand,
    )


def test_a_profile_lists_each_card_once_by_token_brand_and_last_four_digits() -> None:
    orders = [
        _order(1, "tok_a", "1111", "visa"),
        _order(2, None, None, None),
        _order(3, "tok_b", "4444", "mastercard"),
        _order(4, "tok_a", "1111", "visa"),
    ]
    assert cards_on_file(orders) == (
        CardOnFile("tok_a", "visa", "1111"),
        CardOnFile("tok_b", "mastercard", "4444"),
    )


def test_the_profile_view_shows_cards_but_never_their_numbers(vault: Vault) -> None:
    with vault.uow_factory() as uow:
        uow.orders.add([_order(1, vault.token, "1111", "visa")])
        uow.commit()
    view = vault.profiles.read_customer(actor=_staff("support"), customer_id=CUSTOMER)
    assert view.cards == (CardOnFile(vault.token, "visa", "1111"),)
    assert VISA not in repr(view)


def test_an_untrained_payments_person_is_refused_with_training_required_and_audited(
    vault: Vault,
) -> None:
    untrained = Actor(PrincipalKind.STAFF, "new-payments-hire", "payments")
    with pytest.raises(TrainingRequiredError):
        vault.detokenizer.detokenize(actor=untrained, token=vault.token, purpose="payment")
    drafts = [e.draft for e in vault.audit_entries()]
    denied = [d for d in drafts if d.action is AuditAction.ACCESS_DENIED]
    assert [(d.actor, d.detail["reason"]) for d in denied] == [
        ("staff:new-payments-hire", "training_required")
    ]
    assert not [d for d in drafts if d.action is AuditAction.CARD_DETOKENIZED]


def test_detokenising_counts_against_the_hourly_volume_limit(vault: Vault) -> None:
    payments = _staff("payments")
    cap = ROLES["payments"].volume_per_hour
    assert cap is not None
    for _ in range(cap):
        vault.detokenizer.detokenize(actor=payments, token=vault.token, purpose="payment")
    with pytest.raises(VolumeLimitedError):
        vault.detokenizer.detokenize(actor=payments, token=vault.token, purpose="payment")
    drafts = [e.draft for e in vault.audit_entries()]
    assert sum(d.action is AuditAction.CARD_DETOKENIZED for d in drafts) == cap
    assert drafts[-1].action is AuditAction.VOLUME_EXCEEDED
