"""Per-customer lifetime value forecasts combine BG/NBD purchases and Gamma-Gamma spend."""

from __future__ import annotations

import math

import pytest

from strongroom.analytics.clv import forecast_customers
from strongroom.analytics.models import BgNbdParams, CustomerSummary, GammaGammaParams

PURCHASES = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
SPEND = GammaGammaParams(p=6.25, q=3.74, gamma=15.44)


def test_every_customer_gets_a_finite_forecast_whose_value_is_purchases_times_spend() -> None:
    summaries = [
        CustomerSummary("1", 2, 30.43, 38.86, 22.35),
        CustomerSummary("3", 0, 0.0, 38.86),
        CustomerSummary("heavy", 3000, 38.0, 38.86, 15.0),
    ]
    forecasts = forecast_customers(purchases=PURCHASES, spend=SPEND, summaries=summaries, weeks=39)
    assert [f.customer_id for f in forecasts] == ["1", "3", "heavy"]
    assert forecasts[0].p_alive == pytest.approx(0.7266, abs=1e-4)
    for forecast in forecasts:
        assert math.isfinite(forecast.value)
        assert forecast.value == pytest.approx(
            forecast.expected_purchases * forecast.expected_spend
        )
