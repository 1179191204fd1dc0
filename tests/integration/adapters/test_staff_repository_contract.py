"""The staff repository behaves alike on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from strongroom.core.errors import ConflictError, NotFoundError
from strongroom.core.models import ApiToken, Principal
from strongroom.core.ports import UnitOfWorkFactory
from strongroom.core.staff import (
    Challenge,
    ChallengePurpose,
    MfaMethod,
    StaffAccount,
    StaffSession,
    Throttle,
    WebAuthnCredential,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _people(factory: UnitOfWorkFactory) -> None:
    with factory() as uow:
        for pid, name, role in [("p1", "ann", "support"), ("p2", "dora", "dpo")]:
            uow.principals.add(Principal(pid, name, role, NOW))
            uow.staff.add_account(StaffAccount(pid, NOW))
        uow.principals.add(Principal("p3", "machine-ish", "admin", NOW))  # no staff account
        uow.tokens.add(ApiToken("t1", "p1", b"t" * 32, "srt_abcd", NOW))
        uow.commit()


def _session(sid: str, pid: str, *, ip: str = "192.0.2.1", at: datetime = NOW) -> StaffSession:
    return StaffSession(sid, pid, sid.encode() * 8, MfaMethod.TOTP, at, at, ip)


def test_accounts_round_trip_and_list_only_people_with_accounts(
    uow_factory: UnitOfWorkFactory,
) -> None:
    _people(uow_factory)
    with uow_factory() as uow:
        account = StaffAccount("p1", NOW, "$argon2id$x", NOW, b"sealed", 42)
        uow.staff.update_account(account)
        uow.commit()
    with uow_factory() as uow:
        assert uow.staff.account("p1") == account
        assert uow.staff.account("p3") is None
        assert [p.name for p in uow.staff.people()] == ["ann", "dora"]
    with uow_factory() as uow, pytest.raises(NotFoundError):
        uow.staff.update_account(StaffAccount("p3", NOW))
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.staff.add_account(StaffAccount("p1", NOW))


def test_disabling_and_revoking_tokens(uow_factory: UnitOfWorkFactory) -> None:
    _people(uow_factory)
    with uow_factory() as uow:
        uow.staff.set_disabled("p1", NOW)
        assert uow.staff.revoke_tokens("p1", NOW) == 1
        assert uow.staff.revoke_tokens("p1", NOW) == 0
        uow.commit()
    with uow_factory() as uow:
        principal = uow.staff.principal("p1")
        assert principal is not None
        assert principal.disabled_at == NOW
        assert uow.tokens.by_hash(b"t" * 32) is None
        uow.staff.set_disabled("p1", None)
        uow.commit()
    with uow_factory() as uow:
        principal = uow.staff.principal("p1")
        assert principal is not None
        assert principal.disabled_at is None
        with pytest.raises(NotFoundError):
            uow.staff.set_disabled("nobody", NOW)


def test_webauthn_credentials_and_their_counters(uow_factory: UnitOfWorkFactory) -> None:
    _people(uow_factory)
    credential = WebAuthnCredential(b"cred-1", "p2", b"cose", 0, NOW)
    with uow_factory() as uow:
        uow.staff.add_credential(credential)
        uow.commit()
    with uow_factory() as uow:
        uow.staff.record_use(b"cred-1", 7, NOW + timedelta(minutes=1))
        uow.commit()
    with uow_factory() as uow:
        [stored] = uow.staff.credentials("p2")
        assert (stored.sign_count, stored.last_used_at) == (7, NOW + timedelta(minutes=1))
        assert uow.staff.credentials("p1") == []
    with uow_factory() as uow, pytest.raises(NotFoundError):
        uow.staff.record_use(b"unknown", 1, NOW)
    with uow_factory() as uow, pytest.raises(ConflictError):
        uow.staff.add_credential(credential)


def test_recovery_codes_are_used_once_and_replaced_whole(uow_factory: UnitOfWorkFactory) -> None:
    _people(uow_factory)
    with uow_factory() as uow:
        uow.staff.replace_recovery_codes("p1", [b"a" * 32, b"b" * 32])
        uow.commit()
    with uow_factory() as uow:
        assert uow.staff.use_recovery_code("p1", b"a" * 32, NOW)
        assert not uow.staff.use_recovery_code("p1", b"a" * 32, NOW)
        assert not uow.staff.use_recovery_code("p2", b"b" * 32, NOW)
        assert uow.staff.unused_recovery_codes("p1") == 1
        uow.staff.replace_recovery_codes("p1", [b"c" * 32])
        assert not uow.staff.use_recovery_code("p1", b"b" * 32, NOW)
        assert uow.staff.unused_recovery_codes("p1") == 1


def test_sessions_are_found_by_hash_touched_and_ended(uow_factory: UnitOfWorkFactory) -> None:
    _people(uow_factory)
    with uow_factory() as uow:
        uow.staff.add_session(_session("s1", "p1"))
        uow.staff.add_session(_session("s2", "p1", at=NOW + timedelta(minutes=1)))
        uow.staff.add_session(_session("s3", "p2"))
        uow.commit()
    with uow_factory() as uow:
        found = uow.staff.session_by_hash(b"s1" * 8)
        assert found is not None
        assert found[1].name == "ann"
        uow.staff.touch_session("s1", NOW + timedelta(minutes=5))
        assert uow.staff.end_sessions("p1", NOW, session_id="s2") == 1
        uow.commit()
    with uow_factory() as uow:
        assert [s.id for s in uow.staff.sessions("p1")] == ["s2", "s1"]
        assert uow.staff.sessions("p1")[1].last_seen_at == NOW + timedelta(minutes=5)
        assert uow.staff.session_by_hash(b"s2" * 8) is None
        assert uow.staff.end_sessions("p1", NOW) == 1
        assert uow.staff.session_by_hash(b"s3" * 8) is not None
        assert uow.staff.signed_in_from("p1", "192.0.2.1", NOW - timedelta(days=1))
        assert not uow.staff.signed_in_from("p1", "192.0.2.1", NOW + timedelta(days=1))
        assert not uow.staff.signed_in_from("p1", "198.51.100.1", NOW - timedelta(days=1))


def test_throttles_are_saved_replaced_and_cleared(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.staff.save_throttle(Throttle(b"k" * 32, 1, NOW))
        uow.staff.save_throttle(Throttle(b"k" * 32, 2, NOW + timedelta(seconds=5)))
        uow.commit()
    with uow_factory() as uow:
        assert uow.staff.throttle(b"k" * 32) == Throttle(b"k" * 32, 2, NOW + timedelta(seconds=5))
        uow.staff.clear_throttle(b"k" * 32)
        assert uow.staff.throttle(b"k" * 32) is None


def test_a_challenge_can_be_taken_only_once(uow_factory: UnitOfWorkFactory) -> None:
    _people(uow_factory)
    challenge = Challenge(b"c" * 32, "p2", ChallengePurpose.AUTHENTICATION, b"x" * 32, NOW)
    with uow_factory() as uow:
        uow.staff.add_challenge(challenge)
        uow.commit()
    with uow_factory() as uow:
        assert uow.staff.take_challenge(b"c" * 32) == challenge
        assert uow.staff.take_challenge(b"c" * 32) is None
        uow.commit()
    with uow_factory() as uow:
        assert uow.staff.take_challenge(b"c" * 32) is None
