"""Recall and precision at the alert budget, on hand-made cases with exact numbers."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from strongroom.core.trail import GENESIS_HASH, AuditAction, AuditDraft, AuditEntry, Outcome
from strongroom.monitor.evaluation.baselines import VOLUME_BASELINE, daily_volume_alerts
from strongroom.monitor.evaluation.metrics import (
    active_principal_days,
    alert_budget,
    evaluate,
    rank_alerts,
)
from strongroom.monitor.evaluation.models import Alert, ScenarioInstance, ScenarioKind

D1, D2, D3, D4 = (date(2026, 2, day) for day in (2, 3, 4, 5))
FIRST, LAST = D1, date(2026, 2, 28)
AFTER_HOURS = ScenarioKind.AFTER_HOURS_MASS_LOOKUP
SLOW = ScenarioKind.SLOW_EXFILTRATION

SCENARIOS = (
    ScenarioInstance(AFTER_HOURS, "staff:alice", frozenset({D1, D2}), "night"),
    ScenarioInstance(SLOW, "staff:bob", frozenset({D1, D2, D3, D4}), "drip"),
    ScenarioInstance(SLOW, "staff:carol", frozenset({D3}), "drip"),
)
ALERTS = (
    Alert("staff:alice", D1, 3, 1.0),  # labelled, most severe
    Alert("staff:dave", D1, 2, 9.0),  # benign, but outranks bob on score
    Alert("staff:bob", D2, 2, 5.0),  # labelled
    Alert("staff:carol", D3, 1, 99.0),  # labelled, but least severe: cut by the budget of 3
    Alert("staff:alice", date(2026, 1, 20), 3, 50.0),  # before the scored window: ignored
)


@pytest.mark.parametrize(
    ("principal_days", "rate", "budget"),
    [
        (99, 0.01, 0),
        (100, 0.01, 1),
        (199, 0.01, 1),
        (200, 0.01, 2),
        (6077, 0.01, 60),
        (100, 0.29, 29),
    ],
)
def test_the_budget_is_the_rate_of_principal_days_rounded_down(
    principal_days: int, rate: float, budget: int
) -> None:
    assert alert_budget(principal_days, rate) == budget


@pytest.mark.parametrize("rate", [0.0, -0.01, 1.5])
def test_a_budget_rate_outside_zero_to_one_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="alert budget rate"):
        alert_budget(100, rate)


def test_alerts_rank_by_severity_before_score() -> None:
    ranked = rank_alerts(ALERTS[:4])
    assert [alert.principal for alert in ranked] == [
        "staff:alice",
        "staff:dave",
        "staff:bob",
        "staff:carol",
    ]


def test_alerts_on_one_principal_day_merge_into_the_worst_of_them() -> None:
    ranked = rank_alerts(
        [
            Alert("staff:alice", D1, 1, 7.0, frozenset({"volume"})),
            Alert("staff:alice", D1, 3, 2.0, frozenset({"hours"})),
        ]
    )
    assert ranked == [Alert("staff:alice", D1, 3, 7.0, frozenset({"volume", "hours"}))]


def test_the_ranking_does_not_depend_on_the_order_alerts_arrive() -> None:
    tied = [Alert(f"staff:person{n}", D1, 1, 1.0) for n in range(50)]
    shuffled = tied[:]
    random.Random(3).shuffle(shuffled)
    assert rank_alerts(tied) == rank_alerts(shuffled)


def test_the_budget_keeps_the_top_alerts_and_scores_them_against_the_labels() -> None:
    result = evaluate(
        alerts=ALERTS, scenarios=SCENARIOS, principal_days=300, first=FIRST, last=LAST
    )
    assert (result.budget, result.alerted, result.kept, result.true_positives) == (3, 4, 3, 2)
    assert result.precision == pytest.approx(2 / 3)


def test_each_scenario_kind_gets_day_and_instance_recall_and_its_share_of_precision() -> None:
    result = evaluate(
        alerts=ALERTS, scenarios=SCENARIOS, principal_days=300, first=FIRST, last=LAST
    )
    after_hours, slow = result.scenarios
    assert (after_hours.kind, after_hours.instances, after_hours.detected_instances) == (
        AFTER_HOURS,
        1,
        1,
    )
    assert (after_hours.labelled_days, after_hours.caught_days) == (2, 1)
    assert (after_hours.day_recall, after_hours.instance_recall) == (0.5, 1.0)
    assert (slow.instances, slow.detected_instances, slow.labelled_days, slow.caught_days) == (
        2,
        1,
        5,
        1,
    )
    assert (slow.day_recall, slow.instance_recall) == (0.2, 0.5)
    assert after_hours.precision + slow.precision == pytest.approx(result.precision)


def test_a_larger_budget_catches_what_a_smaller_one_cut() -> None:
    result = evaluate(
        alerts=ALERTS, scenarios=SCENARIOS, principal_days=400, first=FIRST, last=LAST
    )
    slow = result.scenarios[1]
    assert (result.kept, result.true_positives, slow.detected_instances) == (4, 3, 2)
    assert result.precision == 0.75


def test_labelled_days_outside_the_scored_window_are_not_counted() -> None:
    early = ScenarioInstance(AFTER_HOURS, "staff:erin", frozenset({date(2026, 1, 9), D1}), "")
    result = evaluate(alerts=(), scenarios=(early,), principal_days=300, first=FIRST, last=LAST)
    assert result.scenarios[0].labelled_days == 1


def test_no_alerts_means_no_recall_and_zero_precision() -> None:
    result = evaluate(alerts=(), scenarios=SCENARIOS, principal_days=300, first=FIRST, last=LAST)
    assert (result.kept, result.precision) == (0, 0.0)
    assert all(score.day_recall == 0.0 for score in result.scenarios)
    assert all(score.instance_recall == 0.0 for score in result.scenarios)


def _entry(seq: int, actor: str, day: date, hour: int) -> AuditEntry:
    draft = AuditDraft(actor, AuditAction.CUSTOMER_READ, Outcome.SUCCESS, "customer", ("c1",))
    when = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return AuditEntry(seq, when, draft, GENESIS_HASH, GENESIS_HASH)


def test_active_principal_days_count_each_actor_once_a_day_within_the_window() -> None:
    entries = [
        _entry(1, "staff:alice", D1, 9),
        _entry(2, "staff:alice", D1, 15),
        _entry(3, "staff:bob", D1, 10),
        _entry(4, "staff:alice", D2, 9),
        _entry(5, "staff:alice", date(2026, 1, 30), 9),
    ]
    assert active_principal_days(entries, FIRST, LAST) == {
        ("staff:alice", D1),
        ("staff:bob", D1),
        ("staff:alice", D2),
    }


def test_the_volume_baseline_scores_each_principal_day_by_its_entries() -> None:
    entries = [
        _entry(1, "staff:alice", D1, 9),
        _entry(2, "staff:alice", D1, 15),
        _entry(3, "staff:bob", D1, 10),
    ]
    alerts = sorted(daily_volume_alerts(entries), key=lambda alert: alert.principal)
    assert [(alert.principal, alert.day, alert.score) for alert in alerts] == [
        ("staff:alice", D1, 2.0),
        ("staff:bob", D1, 1.0),
    ]
    assert all(alert.detectors == {VOLUME_BASELINE} for alert in alerts)
