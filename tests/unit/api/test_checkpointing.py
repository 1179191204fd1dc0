"""The server's checkpoint task: a failing round is logged, never raised into the server."""

from __future__ import annotations

import logging

import pytest

from strongroom.api.checkpointing import checkpoint_quietly
from strongroom.core.errors import AuditIntegrityError


class _Failing:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.finals: list[bool] = []

    def checkpoint_if_due(self, *, final: bool = False) -> None:
        self.finals.append(final)
        raise self.error


@pytest.mark.parametrize(
    ("error", "logged"),
    [
        (AuditIntegrityError("audit entry 3 was changed", seq=3), "audit entry 3 was changed"),
        (RuntimeError("secret detail"), "failed unexpectedly: RuntimeError"),
    ],
)
def test_a_failed_round_is_logged_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture, error: Exception, logged: str
) -> None:
    checkpointer = _Failing(error)
    with caplog.at_level(logging.ERROR, logger="strongroom.audit"):
        checkpoint_quietly(checkpointer, final=True)  # type: ignore[arg-type]
    assert checkpointer.finals == [True]
    assert logged in caplog.text
    assert "secret detail" not in caplog.text
