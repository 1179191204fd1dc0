"""Gamma-Gamma reproduces Fader, Hardie & Lee (2005, "RFM and CLV") on CDNOW's repeat buyers."""

from __future__ import annotations

import pytest

from strongroom.analytics.gammagamma import expected_spend, fit_gamma_gamma
from strongroom.analytics.models import CustomerSummary, GammaGammaParams, Transaction
from strongroom.analytics.summary import calibration_summary
from strongroom.core.errors import InvalidInputError

from .conftest import CALIBRATION_END, OBSERVATION_END


def test_the_fit_on_the_published_summary_gives_the_published_parameters(
    cdnow_spend: list[CustomerSummary],
) -> None:
    fit = fit_gamma_gamma(cdnow_spend)
    assert fit.customers == 946
    assert fit.excluded == 0
    assert fit.params.p == pytest.approx(6.25, abs=5e-3)
    assert fit.params.q == pytest.approx(3.74, abs=5e-3)
    # zbar in this file is rounded to cents, which moves gamma to 15.448 (the raw log gives 15.444).
    assert fit.params.gamma == pytest.approx(15.44, abs=1e-2)


def test_the_fit_on_the_raw_log_gives_the_published_parameters_to_the_cent(
    cdnow_log: list[Transaction],
) -> None:
    summaries = calibration_summary(cdnow_log, period_end=CALIBRATION_END, today=OBSERVATION_END)
    params = fit_gamma_gamma(summaries).params
    assert (params.p, params.q, params.gamma) == pytest.approx((6.25, 3.74, 15.44), abs=5e-3)


def test_repeat_buyers_with_zero_spend_are_excluded_and_counted(
    cdnow_spend: list[CustomerSummary],
) -> None:
    free_only = [
        CustomerSummary("free-1", 1, 2.0, 10.0, 0.0),
        CustomerSummary("free-2", 2, 5.0, 9.0),
    ]
    fit = fit_gamma_gamma([*cdnow_spend, *free_only])
    assert (fit.customers, fit.excluded) == (946, 2)
    assert fit.params == fit_gamma_gamma(cdnow_spend).params


def test_fewer_than_two_repeat_buyers_with_spend_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least two repeat buyers"):
        fit_gamma_gamma([CustomerSummary("a", 2, 5.0, 10.0, 20.0)])


def test_expected_spend_lies_between_the_population_mean_and_the_customer_mean() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)
    population = 6.25 * 15.44 / 2.74
    spend = expected_spend(params, CustomerSummary("a", 2, 30.43, 38.86, 22.35))
    assert 22.35 < spend < population
    assert expected_spend(params, CustomerSummary("b", 0, 0.0, 38.86)) == pytest.approx(population)


def test_a_q_of_at_most_one_is_refused_rather_than_dividing_by_zero() -> None:
    with pytest.raises(InvalidInputError, match="q is <= 1"):
        expected_spend(GammaGammaParams(1.0, 1.0, 1.0), CustomerSummary("a", 1, 1.0, 2.0, 5.0))
