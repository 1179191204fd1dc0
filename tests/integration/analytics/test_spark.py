"""SLOW (~30 s, starts a JVM): every metric definition gives the same rows on Spark local[2] over
Parquet as on DuckDB over the warehouse file. On CI this runs; it never skips."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime

import pytest

from strongroom.adapters.duckdb_engine import DuckDbEngine
from strongroom.adapters.spark_engine import SparkEngine, to_spark_sql
from strongroom.analytics.metrics import DEFINITIONS
from strongroom.core.analytics import ResultTable

from .warehouse_rows import Rows, synthetic_rows, write_warehouse

pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)

PEOPLE = [f"ps1_{n:032d}" for n in range(80)]
ALLOWED = frozenset(PEOPLE[5:])  # five customers without an analytics grant
PARAMS = {
    "as_of": "2024-06-30",
    "cutoff": "2024-07-01 00:00:00",
    "since": "2024-05-01 00:00:00",
    "window": 3600,
    "steps": 3,
    "step1": "Product Viewed",
    "step2": "Product Added",
    "step3": "Order Completed",
    "step4": "",
    "step5": "",
    "step6": "",
}


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DuckDbEngine, SparkEngine]]:
    root = tmp_path_factory.mktemp("spark")
    rows: Rows = synthetic_rows(PEOPLE, end=datetime(2024, 6, 30, 12))
    rows.add_order(PEOPLE[9], datetime(2024, 8, 1), [("apple", 2, "1.00")])  # in the future
    rows.add_order(PEOPLE[9], datetime(2024, 6, 2), [("bread", -1, "4.50")])  # a refund
    duck = DuckDbEngine(write_warehouse(root / "warehouse.duckdb", rows))
    parquet = duck.export_parquet(root / "parquet")
    spark = SparkEngine(master="local[2]", sources={k: str(v) for k, v in parquet.items()})
    yield duck, spark
    duck.close()
    spark.close()


def _same(left: ResultTable, right: ResultTable) -> bool:
    if left.columns != right.columns or len(left.rows) != len(right.rows):
        return False
    for a, b in zip(left.rows, right.rows, strict=True):
        for x, y in zip(a, b, strict=True):
            if isinstance(x, float) or isinstance(y, float):
                if not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-9):  # type: ignore[arg-type]
                    return False
            elif x != y:
                return False
    return True


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_spark_and_duckdb_agree_on_every_definition(engines, name: str) -> None:
    duck, spark = engines
    sql = DEFINITIONS[name]
    on_duckdb = duck.run(sql, PARAMS, allowed=ALLOWED)
    on_spark = spark.run(sql, PARAMS, allowed=ALLOWED)
    assert on_duckdb.rows, "the synthetic warehouse must give every metric some rows"
    assert _same(on_duckdb, on_spark), (name, on_duckdb.rows[:3], on_spark.rows[:3])


def test_spark_sees_only_allowed_customers(engines) -> None:
    _, spark = engines
    table = spark.run(DEFINITIONS["rfm_inputs"], PARAMS, allowed=ALLOWED)
    assert set(table.column("customer_pseudonym")) <= ALLOWED
    everyone = spark.run(DEFINITIONS["rfm_inputs"], PARAMS, allowed=None)
    assert set(everyone.column("customer_pseudonym")) - ALLOWED == set(PEOPLE[:5])


def test_the_spark_text_is_a_transpilation_not_a_second_definition() -> None:
    text = to_spark_sql(DEFINITIONS["rfm_inputs"])
    assert ":cutoff" in text
    assert "$" not in text
