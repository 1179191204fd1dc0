"""BG/NBD reproduces Fader, Hardie & Lee (2005) on CDNOW and refuses what it cannot fit."""

from __future__ import annotations

import math

import pytest

from strongroom.analytics.bgnbd import expected_purchases, fit_bgnbd, p_alive
from strongroom.analytics.models import BgNbdFit, BgNbdParams, CustomerSummary
from strongroom.core.errors import InvalidInputError

PUBLISHED = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(scope="module")
def fitted(cdnow_summary: list[CustomerSummary]) -> BgNbdFit:
    return fit_bgnbd(cdnow_summary)


def test_the_fit_gives_the_published_parameters(fitted: BgNbdFit) -> None:
    assert fitted.params.r == pytest.approx(PUBLISHED.r, abs=1e-3)
    assert fitted.params.alpha == pytest.approx(PUBLISHED.alpha, abs=1e-3)
    assert fitted.params.a == pytest.approx(PUBLISHED.a, abs=1e-3)
    assert fitted.params.b == pytest.approx(PUBLISHED.b, abs=1e-3)


def test_the_fit_gives_the_published_log_likelihood(fitted: BgNbdFit) -> None:
    assert fitted.log_likelihood == pytest.approx(-9582.4, abs=0.1)
    assert fitted.customers == 2357


def test_customer_one_has_the_published_p_alive_and_expected_purchases(
    fitted: BgNbdFit, cdnow_summary: list[CustomerSummary]
) -> None:
    customer = cdnow_summary[0]
    assert (customer.frequency, customer.recency, customer.age) == (2, 30.43, 38.86)
    assert p_alive(fitted.params, customer) == pytest.approx(0.7266, abs=1e-4)
    assert expected_purchases(fitted.params, customer, weeks=39) == pytest.approx(1.2259, abs=1e-4)


def test_a_customer_without_repeat_purchases_is_alive_for_sure() -> None:
    assert p_alive(PUBLISHED, CustomerSummary("c", 0, 0.0, 38.86)) == 1.0


def test_an_extreme_customer_gives_finite_numbers_not_nan() -> None:
    heavy = CustomerSummary("c", 5000, 0.5, 38.86)
    assert 0.0 <= p_alive(PUBLISHED, heavy) <= 1.0
    assert math.isfinite(expected_purchases(PUBLISHED, heavy, weeks=39))


def test_no_purchases_in_the_horizon_are_expected_over_zero_weeks() -> None:
    customer = CustomerSummary("c", 2, 30.43, 38.86)
    assert expected_purchases(PUBLISHED, customer, weeks=0) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("summaries", "reason"),
    [
        ([], "no customers"),
        ([CustomerSummary("c", 0, 0.0, 10.0)] * 3, "repeat purchase"),
        ([CustomerSummary("c", 1, 12.0, 10.0)], "recency <= age"),
        ([CustomerSummary("c", 1, 0.0, 10.0)], "recency must be 0"),
        ([CustomerSummary("c", 1, math.nan, 10.0)], "finite"),
    ],
)
def test_unfittable_summaries_are_refused_with_a_reason(
    summaries: list[CustomerSummary], reason: str
) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        fit_bgnbd(summaries)


def test_a_negative_horizon_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="horizon"):
        expected_purchases(PUBLISHED, CustomerSummary("c", 0, 0.0, 1.0), weeks=-1)
