"""Habit detectors: unusual hours, first-seen places and tools, first reads of a data class."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from strongroom.core.trail import AuditAction, Outcome
from strongroom.monitor.detectors.habits import (
    FirstDataClassDetector,
    FirstDataClassSettings,
    FirstSeenOriginDetector,
    FirstSeenOriginSettings,
    OffHoursDetector,
)
from strongroom.monitor.models import ScanContext

from .conftest import DAY0, Log

Build = Callable[[Log], None]
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FIREFOX_NEXT = "Mozilla/5.0 (X11; Linux x86_64; rv:129.0) Gecko/20100101 Firefox/129.0"
CURL = "curl/8.5.0"


def _office_days(log: Log, days: int = 10, actor: str = "staff:ann") -> None:
    for day in range(days):
        for hour in range(9, 18):
            log.add(actor, DAY0 + timedelta(days=day, hours=hour, minutes=5))


def _read_at(hour: int, *, days: int = 10) -> Build:
    def build(log: Log) -> None:
        _office_days(log, days)
        log.add("staff:ann", DAY0 + timedelta(days=days, hours=hour, minutes=30))

    return build


def _night_shift(log: Log) -> None:
    for day in range(10):
        for hour in (22, 23, 0, 1, 2, 3, 4):
            log.add("staff:owl", DAY0 + timedelta(days=day, hours=hour, minutes=5))
    log.add("staff:owl", DAY0 + timedelta(days=10, hours=3, minutes=30))


@pytest.mark.parametrize(
    ("build", "fires"),
    [
        pytest.param(_read_at(3), True, id="a 3 am read by a nine-to-five worker fires"),
        pytest.param(_read_at(13), False, id="a read in the middle of their day does not fire"),
        pytest.param(_read_at(18), False, id="a read just after their day does not fire"),
        pytest.param(_read_at(3, days=3), False, id="without five days of history nothing fires"),
        pytest.param(_night_shift, False, id="a night worker at 3 am does not fire"),
    ],
)
def test_off_hours_fires_at_hours_the_principal_seldom_worked(
    log: Log, build: Build, fires: bool
) -> None:
    build(log)
    findings = OffHoursDetector().scan(log.entries, ScanContext())
    assert bool(findings) is fires, [f.summary for f in findings]


def test_night_reads_make_one_finding_a_day_with_every_entry(log: Log) -> None:
    _office_days(log)
    night = [log.add("staff:ann", DAY0 + timedelta(days=10, hours=2, minutes=m)) for m in range(5)]
    [finding] = OffHoursDetector().scan(log.entries, ScanContext())
    assert finding.seqs == tuple(e.seq for e in night)
    assert finding.observed == "02:00 UTC"
    assert finding.baseline == "09, 10, 11, 12, 13, 14, 15, 16, 17 h UTC"
    assert finding.signal == "hour_of_day"


def _history(
    log: Log, actor: str = "staff:ann", *, ip: str = "10.0.0.1", agent: str = FIREFOX
) -> None:
    for n in range(30):
        log.add(actor, DAY0 + timedelta(hours=n), ip=ip, agent=agent)


def _then(actor: str = "staff:ann", *, ip: str = "10.0.0.1", agent: str = FIREFOX) -> Build:
    def build(log: Log) -> None:
        _history(log, actor)
        log.add(actor, DAY0 + timedelta(days=3), ip=ip, agent=agent)

    return build


def _new_place_early(log: Log) -> None:
    for n in range(5):
        log.add("staff:ann", DAY0 + timedelta(hours=n), ip="10.0.0.1", agent=FIREFOX)
    log.add("staff:ann", DAY0 + timedelta(hours=6), ip="203.0.113.9", agent=FIREFOX)


def _anonymous_from_new_place(log: Log) -> None:
    _history(log, "anonymous:unknown")
    log.add("anonymous:unknown", DAY0 + timedelta(days=3), ip="203.0.113.9")


@pytest.mark.parametrize(
    ("build", "settings", "fires"),
    [
        pytest.param(_then(ip="203.0.113.9"), None, True, id="a new IP address fires"),
        pytest.param(_then(agent=CURL), None, True, id="a new user agent fires"),
        pytest.param(_then(), None, False, id="the usual place is quiet"),
        pytest.param(_then(agent=FIREFOX_NEXT), None, False, id="a browser update is quiet"),
        pytest.param(
            _then(agent=FIREFOX_NEXT),
            FirstSeenOriginSettings(ignore_versions=False),
            True,
            id="a browser update fires when versions count",
        ),
        pytest.param(
            _then(ip="203.0.113.9"),
            FirstSeenOriginSettings(ip=False),
            False,
            id="a new IP is quiet when IPs are not watched",
        ),
        pytest.param(_new_place_early, None, False, id="a new account has no usual place yet"),
        pytest.param(_anonymous_from_new_place, None, False, id="anonymous requests are skipped"),
    ],
)
def test_first_seen_origin_fires_on_a_new_ip_or_tool_after_a_history(
    log: Log, build: Build, settings: FirstSeenOriginSettings | None, fires: bool
) -> None:
    build(log)
    findings = FirstSeenOriginDetector(settings).scan(log.entries, ScanContext())
    assert bool(findings) is fires, [f.summary for f in findings]


def test_a_new_place_gathers_the_same_days_entries_from_it_into_one_finding(log: Log) -> None:
    _history(log, "source:pos")
    later = [
        log.add("source:pos", DAY0 + timedelta(days=3, minutes=m), ip="198.51.100.7")
        for m in range(4)
    ]
    next_week = log.add("source:pos", DAY0 + timedelta(days=10), ip="198.51.100.7")
    [finding] = FirstSeenOriginDetector().scan(log.entries, ScanContext())
    assert finding.signal == "new_ip:198.51.100.7"
    assert finding.seqs == tuple(e.seq for e in later)
    assert next_week.seq not in finding.seqs
    assert finding.baseline == 1.0  # one IP known before


def _reads(classes: tuple[str, ...], count: int = 30) -> Build:
    def build(log: Log) -> None:
        for n in range(count):
            log.add("staff:ann", DAY0 + timedelta(hours=n), classes=classes)

    return build


def _then_class(klass: str, *, outcome: Outcome = Outcome.SUCCESS, history: int = 30) -> Build:
    def build(log: Log) -> None:
        _reads(("demographic",), history)(log)
        log.add("staff:ann", DAY0 + timedelta(days=5), classes=(klass,), outcome=outcome)

    return build


@pytest.mark.parametrize(
    ("build", "settings", "fires"),
    [
        pytest.param(_then_class("pii"), None, True, id="a first PII read fires"),
        pytest.param(_then_class("demographic"), None, False, id="the usual class is quiet"),
        pytest.param(_then_class("pii", history=5), None, False, id="a new account is quiet"),
        pytest.param(
            _then_class("pii", outcome=Outcome.DENIED), None, False, id="a denied read is quiet"
        ),
        pytest.param(
            _then_class("pii"),
            FirstDataClassSettings(classes=("payment",)),
            False,
            id="an unwatched class is quiet",
        ),
    ],
)
def test_first_data_class_fires_when_a_principal_reaches_for_a_new_kind_of_data(
    log: Log, build: Build, settings: FirstDataClassSettings | None, fires: bool
) -> None:
    build(log)
    findings = FirstDataClassDetector(settings).scan(log.entries, ScanContext())
    assert bool(findings) is fires, [f.summary for f in findings]


def test_a_first_card_reveal_is_a_new_payment_class(log: Log) -> None:
    _reads(("demographic",))(log)
    log.add(
        "staff:ann",
        DAY0 + timedelta(days=5),
        action=AuditAction.CARD_DETOKENIZED,
        ids=("tok_x",),
        classes=("payment",),
    )
    [finding] = FirstDataClassDetector().scan(log.entries, ScanContext())
    assert (finding.signal, finding.severity.value) == ("new_data_class:payment", "high")
