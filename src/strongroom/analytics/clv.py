"""Customer lifetime value: BG/NBD purchases times Gamma-Gamma spend, per customer."""

from __future__ import annotations

from collections.abc import Sequence

from strongroom.analytics.bgnbd import expected_purchases, p_alive
from strongroom.analytics.gammagamma import expected_spend
from strongroom.analytics.models import (
    BgNbdParams,
    CustomerForecast,
    CustomerSummary,
    GammaGammaParams,
)


def forecast_customers(
    *,
    purchases: BgNbdParams,
    spend: GammaGammaParams,
    summaries: Sequence[CustomerSummary],
    weeks: float,
) -> list[CustomerForecast]:
    """P(alive), expected purchases in `weeks` and expected spend per purchase, per customer."""
    return [
        CustomerForecast(
            customer_id=summary.customer_id,
            p_alive=p_alive(purchases, summary),
            expected_purchases=expected_purchases(purchases, summary, weeks=weeks),
            expected_spend=expected_spend(spend, summary),
        )
        for summary in summaries
    ]
