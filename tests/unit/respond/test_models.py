from __future__ import annotations

import pytest

from strongroom.core.errors import InvalidInputError
from strongroom.core.exposure import ACCESS_BY_ACTION, AccessKind, access_kind
from strongroom.core.incidents import IncidentStatus as S
from strongroom.core.trail import AuditAction
from strongroom.respond.models import TRANSITIONS, may_move, parse_status


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.DETECTION, S.TRIAGE, True),
        (S.TRIAGE, S.CONTAINMENT, True),
        (S.TRIAGE, S.CLOSED, True),
        (S.CONTAINMENT, S.ERADICATION, True),
        (S.ERADICATION, S.RECOVERY, True),
        (S.RECOVERY, S.CLOSED, True),
        (S.CLOSED, S.TRIAGE, True),
        (S.DETECTION, S.RECOVERY, False),
        (S.TRIAGE, S.ERADICATION, False),
        (S.CONTAINMENT, S.CLOSED, False),
        (S.CLOSED, S.CLOSED, False),
    ],
)
def test_the_status_machine_allows_only_its_table(current: S, target: S, allowed: bool) -> None:
    assert may_move(current, target) is allowed


def test_every_status_has_a_row_in_the_table() -> None:
    assert set(TRANSITIONS) == set(S)


def test_an_unknown_status_names_the_choices() -> None:
    with pytest.raises(InvalidInputError, match="containment"):
        parse_status("contained")


@pytest.mark.parametrize("action", list(AuditAction), ids=lambda a: a.stored_name)
def test_every_audit_action_says_how_it_touches_customers(action: AuditAction) -> None:
    assert access_kind(action) in set(AccessKind)


def test_the_access_map_names_no_action_that_does_not_exist() -> None:
    assert set(ACCESS_BY_ACTION) <= {a.stored_name for a in AuditAction}
