"""The harness end to end: findings become ranked principal-day alerts, scored on the labels.

The detector here is a stand-in written for this test only, so the harness is tested without
depending on the monitor's own detectors.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from strongroom.core.monitoring import Severity
from strongroom.core.trail import GENESIS_HASH, AuditAction, AuditDraft, AuditEntry, Outcome
from strongroom.monitor.evaluation.baselines import daily_volume_alerts
from strongroom.monitor.evaluation.detectors import (
    alerts_from_findings,
    alerts_from_scan,
    scan_context,
)
from strongroom.monitor.evaluation.generator import generate_dataset
from strongroom.monitor.evaluation.metrics import evaluate_dataset
from strongroom.monitor.evaluation.models import (
    Dataset,
    PopulationConfig,
    ScenarioConfig,
    ScenarioKind,
)
from strongroom.monitor.models import Finding, ScanContext

NIGHT_OWL = "night-owl"


def night_owl_scan(entries: Sequence[AuditEntry], context: ScanContext) -> list[Finding]:
    """Flags a principal-day with 20+ entries in hours of the day the principal never used
    before ``context.since``."""
    assert context.since is not None
    usual: dict[str, set[int]] = defaultdict(set)
    unusual: dict[tuple[str, date], list[AuditEntry]] = defaultdict(list)
    for entry in entries:
        actor, when = entry.draft.actor, entry.occurred_at
        if when < context.since:
            usual[actor].add(when.hour)
        elif when.hour not in usual[actor]:
            unusual[(actor, when.date())].append(entry)
    return [
        Finding(
            detector=NIGHT_OWL,
            principal=actor,
            severity=Severity.HIGH,
            signal="unusual_hours",
            baseline=0.0,
            observed=float(len(found)),
            window_start=found[0].occurred_at,
            window_end=found[-1].occurred_at,
            seqs=tuple(entry.seq for entry in found),
            summary=f"{len(found)} entries at unusual hours",
        )
        for (actor, _), found in unusual.items()
        if len(found) >= 20
    ]


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    population = PopulationConfig(support=80, vendors=4, days=50, customers=4000, seed=3)
    return generate_dataset(population, ScenarioConfig(per_kind=2))


def test_the_scan_is_told_each_principals_role_and_the_first_scored_day(dataset: Dataset) -> None:
    context = scan_context(dataset)
    first, _ = dataset.scored_days
    assert context.since == datetime(first.year, first.month, first.day, tzinfo=UTC)
    vendor = next(p.label for p in dataset.personas if p.role == "vendor")
    assert context.role_of(vendor) == "vendor"


def test_a_detector_run_through_the_harness_finds_the_night_time_lookups(
    dataset: Dataset,
) -> None:
    result = evaluate_dataset(dataset, alerts_from_scan(night_owl_scan, dataset))
    scores = {score.kind: score for score in result.scenarios}
    assert scores[ScenarioKind.AFTER_HOURS_MASS_LOOKUP].instance_recall == 1.0
    assert scores[ScenarioKind.SLOW_EXFILTRATION].instance_recall == 0.0  # no night work in it
    assert result.kept <= result.budget


def test_a_detector_with_a_baseline_of_its_own_beats_the_volume_baseline(
    dataset: Dataset,
) -> None:
    detector = evaluate_dataset(dataset, alerts_from_scan(night_owl_scan, dataset))
    naive = evaluate_dataset(dataset, daily_volume_alerts(dataset.entries))
    assert detector.precision > naive.precision


def _entry(seq: int, when: datetime) -> AuditEntry:
    draft = AuditDraft("staff:alice", AuditAction.CUSTOMER_READ, Outcome.SUCCESS, "customer")
    return AuditEntry(seq, when, draft, GENESIS_HASH, GENESIS_HASH)


ENTRIES = [
    _entry(1, datetime(2026, 2, 2, 23, 50, tzinfo=UTC)),
    _entry(2, datetime(2026, 2, 3, 0, 10, tzinfo=UTC)),
]


def _finding(
    detector: str, severity: Severity, seqs: tuple[int, ...], observed: float = 2.0
) -> Finding:
    return Finding(
        detector=detector,
        principal="staff:alice",
        severity=severity,
        signal="s",
        baseline=1.0,
        observed=observed,
        window_start=datetime(2026, 2, 2, tzinfo=UTC),
        window_end=datetime(2026, 2, 4, tzinfo=UTC),
        seqs=seqs,
        summary="",
    )


@pytest.mark.parametrize(
    ("seqs", "days"),
    [
        ((1,), {date(2026, 2, 2)}),
        ((1, 2), {date(2026, 2, 2), date(2026, 2, 3)}),
        ((), {date(2026, 2, 2), date(2026, 2, 3)}),  # its window, which ends at midnight
    ],
)
def test_a_finding_alerts_on_the_days_of_its_entries_else_of_its_window(
    seqs: tuple[int, ...], days: set[date]
) -> None:
    alerts = alerts_from_findings([_finding("d", Severity.LOW, seqs)], ENTRIES)
    assert {alert.day for alert in alerts} == days


def test_findings_on_one_principal_day_merge_and_more_detectors_rank_higher() -> None:
    one = alerts_from_findings([_finding("a", Severity.LOW, (2,), observed=50.0)], ENTRIES)
    two = alerts_from_findings(
        [_finding("a", Severity.LOW, (2,)), _finding("b", Severity.MEDIUM, (2,))], ENTRIES
    )
    assert len(two) == 1
    assert (two[0].severity, two[0].detectors) == (Severity.MEDIUM.rank, frozenset({"a", "b"}))
    assert one[0].score == pytest.approx(1.0 + 1.0 - math.exp(-5.0))  # far above its baseline
    assert two[0].score == pytest.approx(2.0 + 1.0 - math.exp(-0.2))  # but seen by one detector
    assert two[0].score > one[0].score


def test_a_finding_with_words_for_a_baseline_is_measured_by_its_entries_that_day() -> None:
    finding = _finding("first-ip", Severity.MEDIUM, (1,))
    worded = replace(finding, baseline="10.0.0.1", observed="10.0.0.9")
    (alert,) = alerts_from_findings([worded], ENTRIES)
    assert alert.score == pytest.approx(1.0 + 1.0 - math.exp(-0.01))
