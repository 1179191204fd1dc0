"""Every warehouse aggregation of the analytics, written once as SQL (DuckDB dialect).

The DuckDB engine runs these texts as they are; the Spark engine transpiles them with SQLGlot.
Parameters are bound (``$name``), never formatted in; the texts are constants of this package.
Python then does only the light work on the aggregated rows (scores, model fits, pivots).
"""

from strongroom.analytics.metrics.baskets import PAIR_AFFINITY
from strongroom.analytics.metrics.events import FUNNEL_STEPS, MAX_FUNNEL_STEPS
from strongroom.analytics.metrics.purchases import (
    CALIBRATION_SUMMARY,
    COHORT_ACTIVITY,
    FUTURE_LINES,
    RFM_INPUTS,
)

# Every definition, by name: the Spark test runs each one on both engines.
DEFINITIONS: dict[str, str] = {
    "rfm_inputs": RFM_INPUTS,
    "calibration_summary": CALIBRATION_SUMMARY,
    "cohort_activity": COHORT_ACTIVITY,
    "future_lines": FUTURE_LINES,
    "pair_affinity": PAIR_AFFINITY,
    "funnel_steps": FUNNEL_STEPS,
}

__all__ = [
    "CALIBRATION_SUMMARY",
    "COHORT_ACTIVITY",
    "DEFINITIONS",
    "FUNNEL_STEPS",
    "FUTURE_LINES",
    "MAX_FUNNEL_STEPS",
    "PAIR_AFFINITY",
    "RFM_INPUTS",
]
