"""Product affinity: pairs of SKUs bought in the same order, with support, confidence and lift.

Only lines with a positive quantity are items of a basket (returns are not purchases). For a pair
(a, b) with a < b: support = orders with both / all orders; confidence = orders with both /
orders with a (P(b | a)); reverse_confidence = P(a | b); lift = support / (P(a) P(b)).
``customers`` counts the distinct customers behind the pair, for k-anonymity.
"""

PAIR_AFFINITY = """
WITH items AS (
    SELECT DISTINCT order_id, customer_pseudonym, sku
    FROM fact_order_line
    WHERE quantity > 0 AND ordered_at < CAST($cutoff AS TIMESTAMP)
),
baskets AS (
    SELECT COUNT(DISTINCT order_id) AS orders FROM items
),
sku_orders AS (
    SELECT sku, COUNT(DISTINCT order_id) AS orders FROM items GROUP BY sku
),
pairs AS (
    SELECT
        a.sku AS sku_a,
        b.sku AS sku_b,
        COUNT(DISTINCT a.order_id) AS orders,
        COUNT(DISTINCT a.customer_pseudonym) AS customers
    FROM items AS a
    JOIN items AS b ON a.order_id = b.order_id AND a.sku < b.sku
    GROUP BY a.sku, b.sku
)
SELECT
    p.sku_a,
    p.sku_b,
    p.orders,
    p.customers,
    CAST(p.orders AS DOUBLE) / t.orders AS support,
    CAST(p.orders AS DOUBLE) / sa.orders AS confidence,
    CAST(p.orders AS DOUBLE) / sb.orders AS reverse_confidence,
    CAST(p.orders AS DOUBLE) * t.orders / (CAST(sa.orders AS DOUBLE) * sb.orders) AS lift
FROM pairs AS p
CROSS JOIN baskets AS t
JOIN sku_orders AS sa ON sa.sku = p.sku_a
JOIN sku_orders AS sb ON sb.sku = p.sku_b
ORDER BY p.sku_a, p.sku_b
"""
