"""Funnel conversion from fact_event: ordered steps (event names) within a time window.

A customer enters the funnel at their first event of step 1 in [$since, $cutoff); step k counts
when they have an event of step k strictly after the time they reached step k - 1 and at most
$window seconds after they entered. Up to MAX_FUNNEL_STEPS steps; a step beyond $steps is empty.
Written out step by step (not generated) so that the text is one constant for both engines.
"""

MAX_FUNNEL_STEPS = 6

FUNNEL_STEPS = """
WITH ev AS (
    SELECT customer_pseudonym AS c, name, occurred_at AS ts
    FROM fact_event
    WHERE name IS NOT NULL
        AND occurred_at >= CAST($since AS TIMESTAMP)
        AND occurred_at < CAST($cutoff AS TIMESTAMP)
),
s1 AS (
    SELECT c, MIN(ts) AS ts, MIN(ts) AS t0 FROM ev WHERE name = $step1 GROUP BY c
),
s2 AS (
    SELECT s.c, MIN(e.ts) AS ts, s.t0
    FROM s1 AS s
    JOIN ev AS e ON e.c = s.c AND e.name = $step2 AND $steps >= 2
        AND e.ts > s.ts AND DATE_DIFF('second', s.t0, e.ts) <= $window
    GROUP BY s.c, s.t0
),
s3 AS (
    SELECT s.c, MIN(e.ts) AS ts, s.t0
    FROM s2 AS s
    JOIN ev AS e ON e.c = s.c AND e.name = $step3 AND $steps >= 3
        AND e.ts > s.ts AND DATE_DIFF('second', s.t0, e.ts) <= $window
    GROUP BY s.c, s.t0
),
s4 AS (
    SELECT s.c, MIN(e.ts) AS ts, s.t0
    FROM s3 AS s
    JOIN ev AS e ON e.c = s.c AND e.name = $step4 AND $steps >= 4
        AND e.ts > s.ts AND DATE_DIFF('second', s.t0, e.ts) <= $window
    GROUP BY s.c, s.t0
),
s5 AS (
    SELECT s.c, MIN(e.ts) AS ts, s.t0
    FROM s4 AS s
    JOIN ev AS e ON e.c = s.c AND e.name = $step5 AND $steps >= 5
        AND e.ts > s.ts AND DATE_DIFF('second', s.t0, e.ts) <= $window
    GROUP BY s.c, s.t0
),
s6 AS (
    SELECT s.c, MIN(e.ts) AS ts, s.t0
    FROM s5 AS s
    JOIN ev AS e ON e.c = s.c AND e.name = $step6 AND $steps >= 6
        AND e.ts > s.ts AND DATE_DIFF('second', s.t0, e.ts) <= $window
    GROUP BY s.c, s.t0
)
SELECT 1 AS step, COUNT(*) AS customers FROM s1
UNION ALL SELECT 2 AS step, COUNT(*) AS customers FROM s2
UNION ALL SELECT 3 AS step, COUNT(*) AS customers FROM s3
UNION ALL SELECT 4 AS step, COUNT(*) AS customers FROM s4
UNION ALL SELECT 5 AS step, COUNT(*) AS customers FROM s5
UNION ALL SELECT 6 AS step, COUNT(*) AS customers FROM s6
ORDER BY step
"""
