"""Volume detectors: a principal against their own past, against their role, and in bursts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from strongroom.core.trail import AuditAction, Outcome
from strongroom.monitor.detectors.volume import (
    BulkReadDetector,
    BulkReadSettings,
    PeerDeviationDetector,
    PeerDeviationSettings,
    VolumeSpikeDetector,
    VolumeSpikeSettings,
)
from strongroom.monitor.models import ScanContext

from .conftest import DAY0, Log

Build = Callable[[Log], None]


def _steady(log: Log, days: int = 10, per_day: int = 40, actor: str = "staff:ann") -> None:
    for day in range(days):
        log.reads(actor, day, per_day)


def _spike(log: Log) -> None:
    _steady(log)
    log.reads("staff:ann", 10, 400)


def _small_rise(log: Log) -> None:
    _steady(log)
    log.reads("staff:ann", 10, 55)


def _spike_without_history(log: Log) -> None:
    _steady(log, days=3)
    log.reads("staff:ann", 3, 400)


def _spike_below_min_records(log: Log) -> None:
    _steady(log, per_day=2)
    log.reads("staff:ann", 10, 30)


def _erratic_reader(log: Log) -> None:
    for day in range(10):
        log.reads("staff:ann", day, 10 if day % 2 else 200)
    log.reads("staff:ann", 10, 250)


def _old_history_forgotten(log: Log) -> None:
    for day in range(10):
        log.reads("staff:ann", day, 300)
    for day in range(40, 50):
        log.reads("staff:ann", day, 20)
    log.reads("staff:ann", 50, 300)


def _spike_of_denied_reads(log: Log) -> None:
    _steady(log)
    log.reads("staff:ann", 10, 400, outcome=Outcome.DENIED)


@pytest.mark.parametrize(
    ("build", "fires"),
    [
        pytest.param(_spike, True, id="ten times the usual daily volume fires"),
        pytest.param(
            _old_history_forgotten, True, id="history older than the baseline is forgotten"
        ),
        pytest.param(_small_rise, False, id="a rise of a third does not fire"),
        pytest.param(
            _spike_without_history, False, id="without five days of history nothing fires"
        ),
        pytest.param(_spike_below_min_records, False, id="a spike under 50 records does not fire"),
        pytest.param(_erratic_reader, False, id="an erratic reader's usual peak does not fire"),
        pytest.param(_spike_of_denied_reads, False, id="denied reads are not counted"),
    ],
)
def test_volume_spike_fires_only_far_above_the_principals_own_median(
    log: Log, build: Build, fires: bool
) -> None:
    build(log)
    findings = VolumeSpikeDetector().scan(log.entries, ScanContext())
    assert bool(findings) is fires, [f.summary for f in findings]


def test_a_volume_spike_explains_itself_with_baseline_window_and_the_entries_of_that_day(
    log: Log,
) -> None:
    _spike(log)
    [finding] = VolumeSpikeDetector().scan(log.entries, ScanContext())
    spike_day = [
        e.seq for e in log.entries if e.occurred_at.date() == (DAY0 + timedelta(days=10)).date()
    ]
    assert finding.detector == "volume_spike"
    assert finding.principal == "staff:ann"
    assert finding.severity.value == "high"
    assert finding.signal == "records_per_day"
    assert (finding.baseline, finding.observed) == (40.0, 400)
    assert finding.window_start == DAY0 + timedelta(days=10)
    assert finding.window_end == DAY0 + timedelta(days=11)
    assert list(finding.seqs) == spike_day
    assert "400 records" in finding.summary


def test_a_spike_before_since_is_learned_from_but_not_reported(log: Log) -> None:
    _spike(log)
    context = ScanContext(since=DAY0 + timedelta(days=12))
    assert VolumeSpikeDetector().scan(log.entries, context) == []


def test_a_higher_threshold_lets_a_moderate_spike_pass(log: Log) -> None:
    _steady(log)
    log.reads("staff:ann", 10, 100)
    assert VolumeSpikeDetector().scan(log.entries, ScanContext())
    strict = VolumeSpikeDetector(VolumeSpikeSettings(threshold=20.0))
    assert strict.scan(log.entries, ScanContext()) == []


SUPPORT = {f"staff:s{n}": "support" for n in range(6)} | {"staff:boss": "dpo"}


def _team(log: Log, heavy: str | None, *, members: int = 6, heavy_per_day: int = 400) -> None:
    for day in range(7):
        for n in range(members):
            actor = f"staff:s{n}"
            log.reads(actor, day, heavy_per_day if actor == heavy else 40 + n, hour=9 + n)


def _heavy_member(log: Log) -> None:
    _team(log, "staff:s3")


def _heavy_only_in_own_role(log: Log) -> None:
    _team(log, None)
    for day in range(7):
        log.reads("staff:boss", day, 400, hour=16)


def _too_few_peers(log: Log) -> None:
    _team(log, "staff:s1", members=3)


def _even_team(log: Log) -> None:
    _team(log, None)


@pytest.mark.parametrize(
    ("build", "roles", "fires"),
    [
        pytest.param(_heavy_member, SUPPORT, True, id="ten times the role's median fires"),
        pytest.param(_even_team, SUPPORT, False, id="a team reading alike does not fire"),
        pytest.param(_heavy_only_in_own_role, SUPPORT, False, id="another role is not a peer"),
        pytest.param(_too_few_peers, SUPPORT, False, id="two peers are too few to judge"),
        pytest.param(_heavy_member, {}, False, id="without known roles there are no peers"),
    ],
)
def test_peer_deviation_compares_a_principal_with_the_others_of_the_same_role(
    log: Log, build: Build, roles: dict[str, str], fires: bool
) -> None:
    build(log)
    context = ScanContext(role_of=roles.get)
    findings = PeerDeviationDetector().scan(log.entries, context)
    assert bool(findings) is fires, [f.summary for f in findings]
    assert {f.principal for f in findings} <= {"staff:s3"}


def test_a_peer_finding_names_the_role_and_the_peers_median(log: Log) -> None:
    _heavy_member(log)
    findings = PeerDeviationDetector().scan(log.entries, ScanContext(role_of=SUPPORT.get))
    last = findings[-1]
    assert last.signal == "records_vs_role:support"
    assert last.observed == 7 * 400
    assert last.baseline == 7 * 42  # the median of the other five: 40, 41, 42, 44, 45 a day
    assert last.details["peers"] == 5


def _harvest(log: Log) -> None:
    for n in range(250):
        log.add("staff:ann", DAY0 + timedelta(seconds=n), ids=(f"c-{n}",))


def _same_few_customers(log: Log) -> None:
    for n in range(250):
        log.add("staff:ann", DAY0 + timedelta(seconds=n), ids=(f"c-{n % 10}",))


def _slow_reads(log: Log) -> None:
    for n in range(250):
        log.add("staff:ann", DAY0 + timedelta(minutes=n), ids=(f"c-{n}",))


def _just_under(log: Log) -> None:
    for n in range(199):
        log.add("staff:ann", DAY0 + timedelta(seconds=n), ids=(f"c-{n}",))


def _one_wide_search(log: Log) -> None:
    ids = [f"c-{n}" for n in range(200)]
    log.add("staff:ann", DAY0, action=AuditAction.CUSTOMER_SEARCH, ids=ids)


def _two_readers(log: Log) -> None:
    for n in range(250):
        log.add(f"staff:{'ab'[n % 2]}", DAY0 + timedelta(seconds=n), ids=(f"c-{n}",))


@pytest.mark.parametrize(
    ("build", "fires"),
    [
        pytest.param(_harvest, True, id="250 distinct customers in four minutes fires"),
        pytest.param(_one_wide_search, True, id="one search returning 200 customers fires"),
        pytest.param(_same_few_customers, False, id="rereading ten customers does not fire"),
        pytest.param(_slow_reads, False, id="250 customers over four hours does not fire"),
        pytest.param(_just_under, False, id="199 distinct customers does not fire"),
        pytest.param(_two_readers, False, id="two readers' customers are not added up"),
    ],
)
def test_bulk_read_fires_on_many_distinct_customers_in_a_short_window(
    log: Log, build: Build, fires: bool
) -> None:
    build(log)
    findings = BulkReadDetector().scan(log.entries, ScanContext())
    assert bool(findings) is fires, [f.summary for f in findings]


def test_a_long_harvest_is_reported_once_per_threshold_worth(log: Log) -> None:
    for n in range(450):
        log.add("staff:ann", DAY0 + timedelta(seconds=n), ids=(f"c-{n}",))
    settings = BulkReadSettings(threshold=200, window_minutes=30)
    findings = BulkReadDetector(settings).scan(log.entries, ScanContext())
    assert [f.observed for f in findings] == [200, 200]
    assert findings[0].seqs == tuple(range(1, 201))


def test_peer_deviation_settings_reject_other_types() -> None:
    with pytest.raises(TypeError):
        PeerDeviationDetector(VolumeSpikeSettings())  # type: ignore[arg-type]
    assert PeerDeviationDetector(PeerDeviationSettings(window_days=3)).settings.window_days == 3
