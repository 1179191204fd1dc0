"""The policy as a decision table: role x action x data class x purpose x consent x training.

The table lives in docs/policy.md, readable as documentation; this test checks that every row is
exactly what the policy engine decides, so the documentation cannot drift from the code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from strongroom.access.decisions import Effect, Obligation, Reason, decide
from strongroom.access.permissions import ROLES, Permission
from strongroom.core.schema import DataClass

DOC = Path(__file__).resolve().parents[3] / "docs" / "policy.md"


def _rows() -> list[tuple[str, ...]]:
    text = DOC.read_text()
    table = text.split("<!-- decision-table:start -->", 1)[1].split("<!-- decision-table:end -->")[
        0
    ]
    lines = [line for line in table.strip().splitlines()[2:] if line.startswith("|")]
    return [tuple(cell.strip() for cell in line.strip("|").split("|")) for line in lines]


ROWS = _rows()


def test_the_documented_table_covers_every_reason_and_effect() -> None:
    assert {row[7] for row in ROWS} >= {reason.value for reason in Reason}
    assert {row[6] for row in ROWS} == {effect.value for effect in Effect}


@pytest.mark.parametrize(
    ("role", "action", "data_class", "purpose", "consent", "trained", "effect", "reason"), ROWS
)
def test_the_engine_decides_as_the_documented_table_says(
    role: str,
    action: str,
    data_class: str,
    purpose: str,
    consent: str,
    trained: str,
    effect: str,
    reason: str,
) -> None:
    decision = decide(
        ROLES[role],
        Permission(action),
        None if data_class == "-" else DataClass(data_class),
        purpose,
        consent=consent == "yes",
        trained=trained == "yes",
    )
    assert (decision.effect.value, decision.reason.value) == (effect, reason)


def test_a_reveal_obliges_a_stated_reason_and_a_step_up() -> None:
    decision = decide(
        ROLES["support"], Permission.PII_REVEAL, None, "support", consent=True, trained=True
    )
    assert decision.obligations == {Obligation.AUDIT, Obligation.STEP_UP, Obligation.STATE_REASON}


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("trained", [True, False])
def test_no_role_without_pii_read_ever_sees_pii(role: str, trained: bool) -> None:
    for purpose in ROLES[role].purposes:
        decision = decide(
            ROLES[role],
            Permission.CUSTOMERS_READ,
            DataClass.PII,
            purpose,
            consent=True,
            trained=trained,
        )
        visible = decision.effect is Effect.ALLOW
        assert visible == (Permission.PII_READ in ROLES[role].permissions and trained)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_a_consent_purpose_without_consent_is_denied_for_every_role(role: str) -> None:
    for purpose in ROLES[role].purposes:
        for permission in ROLES[role].permissions:
            decision = decide(ROLES[role], permission, None, purpose, consent=False, trained=True)
            if purpose in {"marketing", "analytics", "third_party_sharing"}:
                assert decision.reason is Reason.NO_CONSENT
            else:
                assert decision.allowed
