"""Purchases from order lines: RFM inputs, the BG/NBD calibration summary, cohort activity.

A purchase is a customer-day (as in analytics/summary.py): the lines of one customer on one day
are netted, in exact decimals; a day whose net value is below zero (a refund with nothing bought)
is not a purchase; a zero-value day is. Lines at or after ``$cutoff`` (the start of the day after
the as-of date) are left out, and counted by FUTURE_LINES.
"""

# The shared first step. Concatenated with constants below, never with input.
_PURCHASE_DAYS = """
WITH purchase_days AS (
    SELECT
        customer_pseudonym,
        CAST(ordered_at AS DATE) AS day,
        SUM(quantity * unit_price) AS value
    FROM fact_order_line
    WHERE ordered_at < CAST($cutoff AS TIMESTAMP)
    GROUP BY customer_pseudonym, CAST(ordered_at AS DATE)
    HAVING SUM(quantity * unit_price) >= 0
)"""

FUTURE_LINES = """
SELECT COUNT(*) AS lines
FROM fact_order_line
WHERE ordered_at >= CAST($cutoff AS TIMESTAMP)
"""

# Recency in days since the last purchase, frequency in purchase days, monetary the net value.
RFM_INPUTS = (
    _PURCHASE_DAYS
    + """
SELECT
    customer_pseudonym,
    DATE_DIFF('day', MAX(day), CAST($as_of AS DATE)) AS recency_days,
    COUNT(*) AS frequency,
    CAST(SUM(value) AS DOUBLE) AS monetary
FROM purchase_days
GROUP BY customer_pseudonym
ORDER BY customer_pseudonym
"""
)

# x = repeat purchase days, t_x and T in weeks, zbar = mean value of the repeat days.
CALIBRATION_SUMMARY = (
    _PURCHASE_DAYS
    + """,
ranked AS (
    SELECT
        customer_pseudonym,
        day,
        value,
        ROW_NUMBER() OVER (PARTITION BY customer_pseudonym ORDER BY day) AS n
    FROM purchase_days
)
SELECT
    customer_pseudonym,
    COUNT(*) - 1 AS frequency,
    CAST(DATE_DIFF('day', MIN(day), MAX(day)) AS DOUBLE) / 7 AS recency,
    CAST(DATE_DIFF('day', MIN(day), CAST($as_of AS DATE)) AS DOUBLE) / 7 AS age,
    COALESCE(
        CAST(SUM(CASE WHEN n > 1 THEN value END) AS DOUBLE) / NULLIF(COUNT(*) - 1, 0), 0.0
    ) AS monetary
FROM ranked
GROUP BY customer_pseudonym
ORDER BY customer_pseudonym
"""
)

# Cohort = month of the first purchase (year * 12 + month - 1); period = months after it.
COHORT_ACTIVITY = (
    _PURCHASE_DAYS  # noqa: S608 - constants joined at import; values are bound parameters
    + """,
firsts AS (
    SELECT customer_pseudonym, MIN(day) AS first_day
    FROM purchase_days
    GROUP BY customer_pseudonym
),
active AS (
    SELECT DISTINCT
        p.customer_pseudonym,
        YEAR(f.first_day) * 12 + MONTH(f.first_day) - 1 AS cohort,
        (YEAR(p.day) * 12 + MONTH(p.day)) - (YEAR(f.first_day) * 12 + MONTH(f.first_day))
            AS period
    FROM purchase_days AS p
    JOIN firsts AS f ON p.customer_pseudonym = f.customer_pseudonym
)
SELECT cohort, period, COUNT(*) AS customers
FROM active
GROUP BY cohort, period
ORDER BY cohort, period
"""
)
