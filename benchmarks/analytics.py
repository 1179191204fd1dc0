"""RFM plus cohort retention on synthetic order lines: the DuckDB path against plain pandas.

    .venv/bin/python benchmarks/analytics.py [--rows 10000000] [--threads 2]

Generates the order lines with numpy (vectorised; ~20 lines per customer, ~3 per order, 2% of
lines refunds), writes them once to a DuckDB warehouse (the declared fact_order_line table) and to
Parquet. Then, each in its own subprocess so that peak memory (ru_maxrss from os.wait4) is that
path's alone, in the same run:

- duckdb: Strongroom's path: the metric SQL (analytics/metrics) on DuckDbEngine, then the Python
  scoring (reports.rfm_report, reports.cohort_report), no consent filter.
- pandas: a straightforward pandas implementation of the same definitions, reading the Parquet.

Both print their RFM segment sizes and cohort counts; the parent checks they agree.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

AS_OF = date(2024, 6, 30)
DAYS = 730


def generate(rows: int, directory: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(7)
    customers = max(rows // 20, 10)
    orders = max(rows // 3, 1)
    order_customer = rng.integers(0, customers, orders)
    order_day = rng.integers(0, DAYS, orders)
    order_second = rng.integers(0, 86_400, orders)
    order_of_line = np.sort(rng.integers(0, orders, rows))
    quantity = rng.integers(1, 4, rows)
    quantity[rng.random(rows) < 0.02] *= -1
    lines = pa.table(
        {
            "order_no": order_of_line,
            "line_no": np.ones(rows, dtype=np.int32),
            "customer_no": order_customer[order_of_line],
            "seconds": (order_day[order_of_line] * 86_400 + order_second[order_of_line]),
            "sku_no": rng.zipf(1.6, rows) % 2000,
            "quantity": quantity.astype(np.int32),
            "cents": rng.integers(0, 10_000, rows),
        }
    )
    warehouse = directory / "warehouse.duckdb"
    connection = duckdb.connect(str(warehouse))
    connection.register("generated", lines)
    connection.execute(_CREATE)
    connection.execute(_FILL)
    parquet = directory / "fact_order_line.parquet"
    connection.execute("COPY fact_order_line TO '" + str(parquet) + "' (FORMAT parquet)")
    for table in ("dim_customer", "fact_order", "fact_event"):
        connection.execute(_EMPTY[table])
    connection.close()
    return warehouse, parquet


_CREATE = """
CREATE TABLE fact_order_line (
    order_id VARCHAR, line_no INTEGER, customer_pseudonym VARCHAR, ordered_at TIMESTAMP,
    sku VARCHAR, name VARCHAR, quantity INTEGER, unit_price DECIMAL(14,2))
"""
_FILL = """
INSERT INTO fact_order_line
SELECT 'o' || order_no, line_no, 'ps1_' || lpad(CAST(customer_no AS VARCHAR), 32, '0'),
       TIMESTAMP '2022-07-01' + to_seconds(seconds), 'sku' || sku_no, NULL, quantity,
       CAST(cents AS DECIMAL(14,2)) / 100
FROM generated
"""
_EMPTY = {
    "dim_customer": "CREATE TABLE dim_customer (customer_pseudonym VARCHAR, age_band VARCHAR, "
    "region VARCHAR, lifecycle_stage VARCHAR, first_order_at TIMESTAMP, last_order_at TIMESTAMP)",
    "fact_order": "CREATE TABLE fact_order (order_id VARCHAR, customer_pseudonym VARCHAR, "
    "source VARCHAR, ordered_at TIMESTAMP, total DECIMAL(14,2), currency VARCHAR)",
    "fact_event": "CREATE TABLE fact_event (event_id VARCHAR, customer_pseudonym VARCHAR, "
    "source VARCHAR, type VARCHAR, name VARCHAR, occurred_at TIMESTAMP)",
}


def run_duckdb(warehouse: Path, threads: int) -> dict[str, object]:
    from strongroom.adapters.duckdb_engine import DuckDbEngine  # noqa: PLC0415 - each child imports only its path
    from strongroom.analytics.reports import cohort_report, rfm_report  # noqa: PLC0415 - each child imports only its path
    from strongroom.analytics.requests import RunContext  # noqa: PLC0415 - each child imports only its path

    engine = DuckDbEngine(warehouse, threads=threads)
    run = RunContext(lambda sql, params: engine.run(sql, params, allowed=None), AS_OF, 5)
    rfm = rfm_report(run)
    cohorts = cohort_report(run)
    engine.close()
    segments = {str(r[0]): int(r[1]) for r in rfm.summary.rows} if rfm.summary else {}
    sizes = {str(r[0]): int(r[1]) for r in cohorts.table.rows}  # type: ignore[arg-type]
    return {"customers": len(rfm.table.rows), "segments": segments, "cohorts": sizes}


def run_pandas(parquet: Path) -> dict[str, object]:
    import pandas as pd  # noqa: PLC0415 - each child imports only its path

    from strongroom.analytics.rfm import segment_for  # noqa: PLC0415 - each child imports only its path

    lines = pd.read_parquet(
        parquet, columns=["customer_pseudonym", "ordered_at", "quantity", "unit_price"]
    )
    lines["value"] = lines["quantity"] * lines["unit_price"].astype("float64")
    lines["day"] = lines["ordered_at"].dt.normalize()
    lines = lines[lines["ordered_at"] < pd.Timestamp(AS_OF) + pd.Timedelta(days=1)]
    daily = lines.groupby(["customer_pseudonym", "day"], as_index=False)["value"].sum()
    daily = daily[daily["value"].round(2) >= 0]
    per = daily.groupby("customer_pseudonym").agg(
        last=("day", "max"),
        frequency=("day", "size"),
        monetary=("value", "sum"),
        first=("day", "min"),
    )
    per["recency"] = (pd.Timestamp(AS_OF) - per["last"]).dt.days
    n = len(per)

    def score(values: pd.Series) -> pd.Series:
        return ((values.rank(method="min") - 1) * 5 // n + 1).astype(int)

    r, f, m = score(-per["recency"]), score(per["frequency"]), score(per["monetary"].round(2))
    segments = pd.Series([segment_for(a, b, c) for a, b, c in zip(r, f, m, strict=True)])
    counts = segments.value_counts()
    first = per["first"].dt.year * 12 + per["first"].dt.month - 1
    daily = daily.join(first.rename("cohort"), on="customer_pseudonym")
    daily["period"] = daily["day"].dt.year * 12 + daily["day"].dt.month - 1 - daily["cohort"]
    active = daily.drop_duplicates(["customer_pseudonym", "period"])
    table = active.groupby(["cohort", "period"]).size()
    sizes = {f"{c // 12:04d}-{c % 12 + 1:02d}": int(v) for (c, p), v in table.items() if p == 0}
    return {
        "customers": n,
        "segments": {k: int(v) for k, v in counts.items() if v >= 5},
        "cohorts": {k: v for k, v in sizes.items() if v >= 5},
    }


def measure(path: str, args: list[str]) -> tuple[float, float, dict[str, object]]:
    """Run one path in a child process: seconds, peak RSS in MiB, and its answer."""
    command = [sys.executable, __file__, "--child", path, *args]
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"the {path} path failed")
    return seconds, usage.ru_maxrss / 1024, json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "FILE"))
    args = parser.parse_args()
    if args.child:
        which, target = args.child
        answer = (
            run_duckdb(Path(target), args.threads)
            if which == "duckdb"
            else run_pandas(Path(target))
        )
        print(json.dumps(answer))
        return
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        warehouse, parquet = generate(args.rows, Path(scratch))
        print(f"generated {args.rows:,} order lines in {time.perf_counter() - started:.1f} s")
        duck = measure("duckdb", [str(warehouse), "--threads", str(args.threads)])
        panda = measure("pandas", [str(parquet)])
    for name, (seconds, rss, answer) in (("duckdb", duck), ("pandas", panda)):
        print(
            f"{name:>7}: {seconds:7.1f} s  peak RSS {rss:7.0f} MiB  "
            f"customers {answer['customers']:,}"
        )
    print(
        f"  ratio: pandas/duckdb time {panda[0] / duck[0]:.2f}x, memory {panda[1] / duck[1]:.2f}x"
    )
    agree = duck[2] == panda[2]
    print(f"  same RFM segment sizes and cohort sizes: {agree}")
    if not agree:
        raise SystemExit("the two paths disagree")


if __name__ == "__main__":
    main()
