"""Security detectors: failure bursts, injection-shaped input, and honeytoken reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from strongroom.core.trail import AuditAction, Outcome
from strongroom.monitor.detectors.security import (
    FailureBurstDetector,
    HoneytokenAccessDetector,
    SuspiciousInputDetector,
    SuspiciousInputSettings,
)
from strongroom.monitor.models import ScanContext, fingerprint_of

from .conftest import DAY0, Log

Build = Callable[[Log], None]
ANON = "anonymous:unknown"


def _failures(
    count: int,
    *,
    every: timedelta = timedelta(seconds=10),
    ips: Callable[[int], str | None] = lambda n: "203.0.113.5",
    actor: str = ANON,
    action: AuditAction = AuditAction.AUTH_FAILED,
    outcome: Outcome = Outcome.DENIED,
) -> Build:
    def build(log: Log) -> None:
        for n in range(count):
            at = DAY0 + every * n
            log.add(actor, at, action=action, outcome=outcome, ids=(), ip=ips(n))

    return build


@pytest.mark.parametrize(
    ("build", "fires"),
    [
        pytest.param(_failures(10), True, id="ten refused logins from one IP in 90 s fire"),
        pytest.param(_failures(9), False, id="nine refused logins do not fire"),
        pytest.param(
            _failures(10, every=timedelta(minutes=7)), False, id="ten over an hour do not fire"
        ),
        pytest.param(
            _failures(10, ips=lambda n: f"203.0.113.{n}"), False, id="ten IPs once each are quiet"
        ),
        pytest.param(
            _failures(10, ips=lambda n: None, actor="staff:eve", action=AuditAction.ACCESS_DENIED),
            True,
            id="ten policy denials of one actor without an IP fire",
        ),
        pytest.param(
            _failures(10, action=AuditAction.CARD_DETOKENIZED, outcome=Outcome.FAILED),
            True,
            id="guessing ten card tokens fires",
        ),
        pytest.param(
            _failures(10, action=AuditAction.CARD_DETOKENIZED, outcome=Outcome.SUCCESS),
            False,
            id="ten successful reveals are not failures",
        ),
        pytest.param(
            _failures(10, action=AuditAction.CUSTOMER_READ, outcome=Outcome.FAILED),
            False,
            id="failures of an unwatched action are quiet",
        ),
    ],
)
def test_failure_burst_fires_on_many_failures_from_one_place_in_minutes(
    log: Log, build: Build, fires: bool
) -> None:
    build(log)
    findings = FailureBurstDetector().scan(log.entries, ScanContext())
    assert bool(findings) is fires, [f.summary for f in findings]


def test_a_failure_burst_names_the_ip_and_every_entry(log: Log) -> None:
    _failures(12)(log)
    [finding] = FailureBurstDetector().scan(log.entries, ScanContext())
    assert finding.signal == "failures_from:ip:203.0.113.5"
    assert finding.seqs == tuple(range(1, 11))
    assert finding.observed == 10


def _suspicious(count: int) -> Build:
    def build(log: Log) -> None:
        for n in range(count):
            log.add(
                "staff:eve",
                DAY0 + timedelta(minutes=n),
                action=AuditAction.SUSPICIOUS_INPUT,
                outcome=Outcome.DENIED,
                ids=(),
                detail={"field": "customer_id", "kind": "sql", "length": 20},
            )

    return build


@pytest.mark.parametrize(
    ("build", "threshold", "fires"),
    [
        pytest.param(_suspicious(1), 1, True, id="one injection-shaped id fires"),
        pytest.param(_suspicious(2), 3, False, id="two stay under a threshold of three"),
        pytest.param(_failures(3), 1, False, id="other denials are not suspicious input"),
    ],
)
def test_suspicious_input_fires_on_recorded_injection_attempts(
    log: Log, build: Build, threshold: int, fires: bool
) -> None:
    build(log)
    detector = SuspiciousInputDetector(SuspiciousInputSettings(threshold=threshold))
    findings = detector.scan(log.entries, ScanContext())
    assert bool(findings) is fires
    if fires:
        assert "sql" in findings[0].summary


CANARY, CARD = "c-canary", "tok_canary"
CONTEXT = ScanContext(honeytoken_customers=frozenset({CANARY}), honeytoken_cards=frozenset({CARD}))


def _touch(action: AuditAction, ids: tuple[str, ...]) -> Build:
    def build(log: Log) -> None:
        log.add("staff:eve", DAY0, action=action, ids=ids)

    return build


@pytest.mark.parametrize(
    ("build", "fires"),
    [
        pytest.param(_touch(AuditAction.CUSTOMER_READ, (CANARY,)), True, id="reading a canary"),
        pytest.param(
            _touch(AuditAction.CUSTOMER_SEARCH, ("c-1", CANARY)), True, id="a search finding one"
        ),
        pytest.param(
            _touch(AuditAction.CARD_DETOKENIZED, (CARD,)), True, id="revealing a canary card"
        ),
        pytest.param(
            _touch(AuditAction.INGEST_BATCH, (CANARY,)), False, id="planting is not a read"
        ),
        pytest.param(
            _touch(AuditAction.CUSTOMER_READ, ("c-1",)), False, id="a real customer is quiet"
        ),
        pytest.param(
            _touch(AuditAction.CUSTOMER_ERASED, (CANARY,)), False, id="erasing is not a read"
        ),
    ],
)
def test_honeytoken_access_fires_on_any_read_of_a_canary(
    log: Log, build: Build, fires: bool
) -> None:
    build(log)
    findings = HoneytokenAccessDetector().scan(log.entries, CONTEXT)
    assert bool(findings) is fires
    assert all(f.severity.value == "critical" for f in findings)


def test_the_scan_and_the_live_watch_give_a_canary_read_the_same_fingerprint(log: Log) -> None:
    entry = log.add("staff:eve", DAY0, ids=(CANARY,))
    detector = HoneytokenAccessDetector()
    [scanned] = detector.scan(log.entries, CONTEXT)
    live = detector.finding(entry.draft, CANARY, entry.seq, DAY0)
    assert scanned.fingerprint == live.fingerprint
    assert scanned.fingerprint == fingerprint_of(
        "honeytoken_access", "staff:eve", f"honeytoken:{CANARY}"
    )
    assert scanned.seqs == live.seqs == (1,)


def test_without_honeytokens_nothing_is_a_canary(log: Log) -> None:
    log.add("staff:eve", DAY0, ids=(CANARY,))
    assert HoneytokenAccessDetector().scan(log.entries, ScanContext()) == []
