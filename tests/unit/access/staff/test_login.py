"""Logins, sessions and offboarding on the fakes, with a clock moved by hand."""

from __future__ import annotations

import pyotp
import pytest

from strongroom.access.login import LoginRequest, SecondFactorNeeded
from strongroom.access.sessions import IssuedSession
from strongroom.core.errors import (
    AuthenticationError,
    PermissionDeniedError,
    RateLimitedError,
    WebAuthnRequiredError,
)
from strongroom.core.staff import MfaMethod
from strongroom.core.trail import Origin

from .conftest import OPERATOR, PASSWORD, Kit

HOME = Origin(ip="192.0.2.10")


def _totp_login(kit: Kit, name: str, secret: str, origin: Origin = HOME) -> IssuedSession:
    code = pyotp.TOTP(secret).at(kit.clock.now())
    outcome = kit.login.login(LoginRequest(name, PASSWORD, totp=code, origin=origin))
    assert isinstance(outcome, IssuedSession)
    return outcome


def test_a_password_alone_asks_for_a_second_factor_and_makes_no_session(kit: Kit) -> None:
    kit.person("ann")
    kit.admin.enrol_totp(actor=OPERATOR, name="ann")
    outcome = kit.login.login(LoginRequest("ann", PASSWORD, origin=HOME))
    assert outcome == SecondFactorNeeded(("totp",), None)
    assert kit.admin.sessions("ann") == []


def test_password_and_totp_make_a_session_and_the_code_works_once(kit: Kit) -> None:
    kit.person("ann")
    secret = kit.admin.enrol_totp(actor=OPERATOR, name="ann").secret
    issued = _totp_login(kit, "ann", secret)
    assert issued.token.startswith("srs_")
    assert issued.mfa is MfaMethod.TOTP
    actor = kit.sessions.authenticate(issued.token)
    assert (actor.name, actor.role) == ("ann", "support")
    with pytest.raises(AuthenticationError):
        _totp_login(kit, "ann", secret)
    assert {"staff.login", "auth.failed"} <= set(kit.actions())


def test_every_login_makes_a_new_session_token(kit: Kit) -> None:
    kit.person("ann")
    secret = kit.admin.enrol_totp(actor=OPERATOR, name="ann").secret
    first = _totp_login(kit, "ann", secret)
    kit.clock.advance(seconds=30)
    second = _totp_login(kit, "ann", secret)
    assert first.token != second.token
    assert first.id != second.id


def test_a_wrong_password_is_refused_alike_for_known_and_unknown_names(kit: Kit) -> None:
    kit.person("ann")
    kit.admin.enrol_totp(actor=OPERATOR, name="ann")
    messages = []
    for name in ("ann", "nobody"):
        with pytest.raises(AuthenticationError) as refused:
            kit.login.login(LoginRequest(name, "wrong password here", origin=HOME))
        messages.append(refused.value.message)
    assert messages[0] == messages[1]


def test_repeated_failures_are_throttled_and_the_throttle_is_no_oracle(kit: Kit) -> None:
    kit.person("ann")
    secret = kit.admin.enrol_totp(actor=OPERATOR, name="ann").secret
    attacker = Origin(ip="203.0.113.9")
    for _ in range(3):
        with pytest.raises(AuthenticationError):
            kit.login.login(LoginRequest("ann", "wrong password here", origin=attacker))
    with pytest.raises(RateLimitedError) as throttled:
        kit.login.login(LoginRequest("ann", PASSWORD, origin=attacker))  # even the right one
    assert throttled.value.retry_after == 2
    assert _totp_login(kit, "ann", secret).mfa is MfaMethod.TOTP  # from her own address


def test_a_recovery_code_logs_in_once(kit: Kit) -> None:
    kit.person("ann")
    code = kit.admin.new_recovery_codes(actor=OPERATOR, name="ann")[3]
    outcome = kit.login.login(LoginRequest("ann", PASSWORD, recovery_code=code, origin=HOME))
    assert isinstance(outcome, IssuedSession)
    assert outcome.mfa is MfaMethod.RECOVERY_CODE
    with pytest.raises(AuthenticationError):
        kit.login.login(LoginRequest("ann", PASSWORD, recovery_code=code, origin=HOME))
    assert "staff.recovery_code_used" in kit.actions()


def test_a_person_without_a_second_factor_gets_no_session(kit: Kit) -> None:
    kit.person("ann")
    with pytest.raises(PermissionDeniedError):
        kit.login.login(LoginRequest("ann", PASSWORD, origin=HOME))


def test_a_dpo_with_password_and_totp_gets_webauthn_required_and_no_session(kit: Kit) -> None:
    kit.person("dora", role="dpo")
    secret = kit.admin.enrol_totp(actor=OPERATOR, name="dora").secret
    code = pyotp.TOTP(secret).at(kit.clock.now())
    with pytest.raises(WebAuthnRequiredError) as refused:
        kit.login.login(LoginRequest("dora", PASSWORD, totp=code, origin=HOME))
    assert refused.value.code == "webauthn_required"
    assert kit.admin.sessions("dora") == []
    assert "staff.login_refused" in kit.actions()


@pytest.mark.parametrize(("minutes", "alive"), [(14, True), (16, False)])
def test_a_session_ends_after_fifteen_idle_minutes(kit: Kit, minutes: int, alive: bool) -> None:
    kit.person("ann")
    issued = _totp_login(kit, "ann", kit.admin.enrol_totp(actor=OPERATOR, name="ann").secret)
    kit.clock.advance(minutes=minutes)
    if alive:
        assert kit.sessions.authenticate(issued.token).name == "ann"
    else:
        with pytest.raises(AuthenticationError, match="idle"):
            kit.sessions.authenticate(issued.token)


def test_a_busy_session_still_ends_eight_hours_after_login(kit: Kit) -> None:
    kit.person("ann")
    issued = _totp_login(kit, "ann", kit.admin.enrol_totp(actor=OPERATOR, name="ann").secret)
    for _ in range(8 * 6):
        kit.clock.advance(minutes=10)
        kit.sessions.authenticate(issued.token)
    kit.clock.advance(minutes=1)
    with pytest.raises(AuthenticationError, match="maximum age"):
        kit.sessions.authenticate(issued.token)


def test_disabling_ends_sessions_and_revokes_tokens_and_enabling_brings_none_back(kit: Kit) -> None:
    kit.person("ann")
    issued = _totp_login(kit, "ann", kit.admin.enrol_totp(actor=OPERATOR, name="ann").secret)
    done = kit.admin.disable(actor=OPERATOR, name="ann")
    assert done.sessions_ended == 1
    with pytest.raises(AuthenticationError):
        kit.sessions.authenticate(issued.token)
    kit.admin.enable(actor=OPERATOR, name="ann")
    with pytest.raises(AuthenticationError):
        kit.sessions.authenticate(issued.token)
    assert {"staff.disabled", "staff.enabled", "staff.session_ended"} <= set(kit.actions())


def test_logout_ends_the_session_at_once(kit: Kit) -> None:
    kit.person("ann")
    issued = _totp_login(kit, "ann", kit.admin.enrol_totp(actor=OPERATOR, name="ann").secret)
    kit.sessions.end(issued.token)
    with pytest.raises(AuthenticationError):
        kit.sessions.authenticate(issued.token)


@pytest.mark.parametrize("token", [None, "", "srs_", "srs_" + "A" * 300, "srt_abc", "srs_\x00\xff"])
def test_malformed_session_tokens_are_refused_and_audited(kit: Kit, token: str | None) -> None:
    with pytest.raises(AuthenticationError):
        kit.sessions.authenticate(token)
    assert kit.actions() == ["auth.failed"]
