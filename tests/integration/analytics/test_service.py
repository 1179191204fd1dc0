"""Analytics runs on a real DuckDB warehouse: the SQL definitions agree with the pure models,
and the guards (consent, k, permission, audit, bad input) hold."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from strongroom.analytics.cohorts import cohort_retention
from strongroom.analytics.models import Transaction
from strongroom.analytics.requests import MetricRequest
from strongroom.analytics.rfm import score_rfm
from strongroom.analytics.summary import calibration_summary
from strongroom.core.errors import ConfigurationError, InvalidInputError, PermissionDeniedError
from strongroom.core.models import Actor, CustomerId, PrincipalKind
from strongroom.core.trail import AuditAction, Outcome

from .warehouse_rows import Rows, cdnow_rows, synthetic_rows
from .world import ANALYST, END, NOW, World, grant

AS_OF = date(2024, 6, 30)
CDNOW_END = date(1997, 9, 30)


def _transactions(world: World) -> list[Transaction]:
    connection_rows = _rows(world)
    return [
        Transaction(str(line[2]), line[3].date(), float(line[6] * line[7]))  # type: ignore[union-attr,operator]
        for line in connection_rows.fact_order_line
    ]


def _rows(world: World) -> Rows:
    return synthetic_rows([world.pseudonym(c) for c in world.customers], end=END)


def _audit(world: World) -> list:
    return list(world.uow_factory.store.audit_entries.values())


def test_rfm_in_sql_scores_every_customer_as_the_pure_model_does(world: World) -> None:
    report = world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=AS_OF))
    expected = {s.customer_id: s for s in score_rfm(_transactions(world), as_of=AS_OF)}
    got = {row["customer_pseudonym"]: row for row in report.table.records()}
    assert got.keys() == expected.keys()
    for pseudonym, score in expected.items():
        row = got[pseudonym]
        assert (row["recency_days"], row["frequency"]) == (score.recency_days, score.frequency)
        assert row["monetary"] == pytest.approx(score.monetary)
        assert (row["recency_score"], row["frequency_score"], row["monetary_score"]) == (
            score.recency_score,
            score.frequency_score,
            score.monetary_score,
        )
        assert row["segment"] == score.segment
    sizes = Counter(s.segment for s in expected.values())
    shown = {row["segment"]: row["customers"] for row in report.summary.records()}
    assert shown == {name: n for name, n in sizes.items() if n >= 5}
    assert report.suppressed_groups == sum(1 for n in sizes.values() if n < 5)
    assert report.chart is not None
    assert len(report.chart.labels) == len(shown)


def test_every_run_is_audited_with_counts_and_no_pseudonym(world: World) -> None:
    report = world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=AS_OF))
    entry = _audit(world)[-1]
    assert entry.draft.action is AuditAction.ANALYTICS_RUN
    assert entry.draft.outcome is Outcome.SUCCESS
    assert entry.draft.purpose == "analytics"
    assert entry.draft.detail["rows"] == len(report.table.rows) == 60
    assert entry.draft.detail["suppressed_groups"] == report.suppressed_groups
    assert entry.draft.detail["consented_customers"] == 60
    assert "ps1_" not in str(entry.draft)


def test_clv_from_the_warehouse_reproduces_the_published_cdnow_fit(world: World) -> None:
    customers = [CustomerId(str(n)) for n in range(1, 2358)]
    grant(world.uow_factory, customers, True, NOW - timedelta(days=1))
    rows, transactions = cdnow_rows({c: world.pseudonym(c) for c in customers})
    world.rebuild(rows)
    report = world.service.run(actor=ANALYST, request=MetricRequest("clv", as_of=CDNOW_END))
    params = report.parameters
    assert [float(params[f"bgnbd_{n}"]) for n in ("r", "alpha", "a", "b")] == pytest.approx(
        [0.2426, 4.4135, 0.7929, 2.4258], abs=1e-3
    )
    assert float(params["gamma_gamma_gamma"]) == pytest.approx(15.44, abs=0.02)
    later = sum(1 for t in transactions if t.day > CDNOW_END)
    assert report.notes[-1] == f"{later} order line(s) dated after 1997-09-30 were left out"
    expected = {
        s.customer_id: s
        for s in calibration_summary(transactions, period_end=CDNOW_END, today=date(1998, 6, 30))
    }
    got = {row["customer_pseudonym"]: row for row in report.table.records()}
    assert got.keys() == expected.keys()
    for pseudonym, summary in expected.items():
        assert got[pseudonym]["frequency"] == summary.frequency
        assert got[pseudonym]["recency_weeks"] == pytest.approx(summary.recency, abs=1e-4)
        assert got[pseudonym]["monetary"] == pytest.approx(summary.monetary, abs=0.01)
        assert 0 <= got[pseudonym]["p_alive"] <= 1
    assert report.table.non_finite_cells() == 0
    assert {"bgnbd_r", "gamma_gamma_q"} <= set(report.parameters)


def test_cohorts_in_sql_equal_the_pure_retention_with_small_cells_masked(world: World) -> None:
    report = world.service.run(actor=ANALYST, request=MetricRequest("cohorts", as_of=AS_OF))
    expected = {c.cohort: c for c in cohort_retention(_transactions(world), through=AS_OF)}
    shown = {row[0]: row for row in report.table.rows}
    assert set(shown) == {name for name, c in expected.items() if c.size >= 5}
    for name, row in shown.items():
        cohort = expected[name]
        assert row[1] == cohort.size
        for period, share in enumerate(cohort.retention):
            cell = row[2 + period]
            customers = round(share * cohort.size)
            assert cell is None if 0 < customers < 5 else cell == pytest.approx(share, abs=1e-4)


def test_customers_without_an_analytics_grant_are_never_analysed(world: World) -> None:
    withdrawn, silent = world.customers[:3], world.customers[3]
    grant(world.uow_factory, withdrawn, False, NOW - timedelta(days=1))
    stored = world.uow_factory.store.consents  # a customer who never decided is left out too
    stored[:] = [c for c in stored if c.customer_id != silent]
    report = world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=AS_OF))
    pseudonyms = set(report.table.column("customer_pseudonym"))
    assert len(pseudonyms) == 56
    assert not pseudonyms & {world.pseudonym(c) for c in [*withdrawn, silent]}
    assert report.consented_customers == 56


def test_k_cannot_be_lowered_but_can_be_raised(world: World) -> None:
    with pytest.raises(InvalidInputError, match="minimum group size 5"):
        world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=AS_OF, k=2))
    report = world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=AS_OF, k=61))
    assert report.summary is not None
    assert report.summary.rows == ()
    assert report.parameters["k"] == "61"


def test_a_role_without_analytics_read_is_refused_and_audited(world: World) -> None:
    support = Actor(PrincipalKind.STAFF, "sam", role="support")
    with pytest.raises(PermissionDeniedError):
        world.service.run(actor=support, request=MetricRequest("rfm", as_of=AS_OF))
    assert _audit(world)[-1].draft.action is AuditAction.ACCESS_DENIED


def test_future_lines_are_left_out_and_counted(world: World) -> None:
    rows = _rows(world)
    rows.add_order(
        world.pseudonym(world.customers[0]), END + timedelta(days=30), [("apple", 1, "9.99")]
    )
    world.rebuild(rows)
    report = world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=AS_OF))
    assert "1 order line(s) dated after 2024-06-30 were left out" in report.notes
    with pytest.raises(InvalidInputError, match="in the future"):
        world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=date(2024, 8, 1)))


def test_refund_days_are_not_purchases_and_zero_value_days_are(world: World) -> None:
    rows = Rows()
    refunder, freebie = (world.pseudonym(c) for c in world.customers[:2])
    rows.add_order(refunder, datetime(2024, 5, 1), [("apple", -1, "4.50")])
    rows.add_order(freebie, datetime(2024, 5, 1), [("apple", 1, "0.00")])
    rows.add_order(freebie, datetime(2024, 5, 3), [("apple", 1, "3.00")])
    world.rebuild(rows)
    report = world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=AS_OF))
    assert report.table.column("customer_pseudonym") == [freebie]
    assert report.table.records()[0]["frequency"] == 2
    assert report.table.records()[0]["monetary"] == 3.0


def test_an_empty_warehouse_gets_a_clear_message_and_a_failed_audit_entry(world: World) -> None:
    world.rebuild(Rows())
    for metric in ("rfm", "clv", "cohorts", "churn", "affinity"):
        with pytest.raises(InvalidInputError, match=r"no purchases|no order"):
            world.service.run(actor=ANALYST, request=MetricRequest(metric, as_of=AS_OF))
    entry = _audit(world)[-1]
    assert entry.draft.outcome is Outcome.FAILED
    assert entry.draft.detail["error"] == "invalid_input"


def test_one_purchase_customers_only_cannot_fit_bgnbd_and_say_so(world: World) -> None:
    rows = Rows()
    for customer in world.customers:
        rows.add_order(world.pseudonym(customer), datetime(2024, 5, 1), [("apple", 1, "5.00")])
    world.rebuild(rows)
    with pytest.raises(InvalidInputError, match="repeat purchase"):
        world.service.run(actor=ANALYST, request=MetricRequest("churn", as_of=AS_OF))


def test_a_missing_warehouse_says_to_build_it(world: World) -> None:
    world.warehouse.unlink()
    with pytest.raises(ConfigurationError, match="strongroom warehouse build"):
        world.service.run(actor=ANALYST, request=MetricRequest("rfm", as_of=AS_OF))


def test_affinity_lift_matches_a_hand_count_and_rare_pairs_are_dropped(world: World) -> None:
    rows = Rows()
    people = [world.pseudonym(c) for c in world.customers[:10]]
    for person in people:  # 10 baskets of apple+bread, 10 of cheese alone
        rows.add_order(person, datetime(2024, 5, 1), [("apple", 1, "1"), ("bread", 1, "1")])
        rows.add_order(person, datetime(2024, 5, 2), [("cheese", 1, "1")])
    for person in people[:2]:  # a pair bought by 2 customers only
        rows.add_order(person, datetime(2024, 5, 3), [("cheese", 1, "1"), ("dates", 1, "1")])
    world.rebuild(rows)
    report = world.service.run(actor=ANALYST, request=MetricRequest("affinity", as_of=AS_OF))
    (pair,) = report.table.records()
    assert (pair["sku_a"], pair["sku_b"], pair["orders"], pair["customers"]) == (
        "apple",
        "bread",
        10,
        10,
    )
    assert pair["support"] == pytest.approx(10 / 22, abs=1e-6)
    assert pair["confidence"] == pytest.approx(1.0)
    assert pair["lift"] == pytest.approx((10 / 22) / ((10 / 22) * (10 / 22)), abs=1e-6)
    assert report.suppressed_groups == 1


def test_funnel_counts_ordered_steps_within_the_window(world: World) -> None:
    rows = Rows()
    people = [world.pseudonym(c) for c in world.customers[:12]]
    start = datetime(2024, 6, 20, 10, 0)
    for n, person in enumerate(people):
        rows.add_event(person, "Viewed", start)
        if n < 10:
            rows.add_event(person, "Added", start + timedelta(minutes=5))
        if n < 6:
            rows.add_event(person, "Bought", start + timedelta(minutes=10))
        elif n < 8:  # too late for a one-hour window
            rows.add_event(person, "Bought", start + timedelta(hours=2))
    rows.add_event(people[11], "Bought", start - timedelta(minutes=1))  # out of order
    world.rebuild(rows)
    request = MetricRequest(
        "funnel", as_of=AS_OF, steps=("Viewed", "Added", "Bought"), window_hours=1
    )
    report = world.service.run(actor=ANALYST, request=request)
    assert report.table.column("customers") == [12, 10, 6]
    assert report.table.column("conversion_from_previous") == [
        1.0,
        pytest.approx(10 / 12, abs=1e-4),
        0.6,
    ]
    wide = world.service.run(
        actor=ANALYST,
        request=MetricRequest("funnel", as_of=AS_OF, steps=request.steps, window_hours=3),
    )
    assert wide.table.column("customers") == [12, 10, 8]


def test_small_funnel_steps_are_masked_with_every_later_step(world: World) -> None:
    rows = Rows()
    for n, customer in enumerate(world.customers[:8]):
        rows.add_event(world.pseudonym(customer), "A", datetime(2024, 6, 20, 10))
        if n < 3:
            rows.add_event(world.pseudonym(customer), "B", datetime(2024, 6, 20, 11))
            rows.add_event(world.pseudonym(customer), "C", datetime(2024, 6, 20, 12))
    world.rebuild(rows)
    request = MetricRequest("funnel", as_of=AS_OF, steps=("A", "B", "C"))
    report = world.service.run(actor=ANALYST, request=request)
    assert report.table.column("customers") == [8, None, None]
    assert report.suppressed_groups == 2
