"""The CDNOW 1/10 sample (tests/data/cdnow, see its README for the source and licence)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from strongroom.analytics.models import CustomerSummary, Transaction

CDNOW = Path(__file__).resolve().parents[2] / "data" / "cdnow"
CALIBRATION_END = date(1997, 9, 30)
OBSERVATION_END = date(1998, 6, 30)


@pytest.fixture(scope="session")
def cdnow_log() -> list[Transaction]:
    # The README calls the first column the sample id, but the second one is the summary's ID.
    lines = (CDNOW / "CDNOW_sample.txt").read_text().splitlines()
    return [
        Transaction(
            customer_id=str(int(fields[1])),
            day=datetime.strptime(fields[2], "%Y%m%d").date(),
            amount=float(fields[4]),
        )
        for fields in (line.split() for line in lines)
    ]


@pytest.fixture(scope="session")
def cdnow_summary() -> list[CustomerSummary]:
    with (CDNOW / "cdnow_customers_summary.csv").open() as source:
        return [
            CustomerSummary(
                row["ID"], int(row["frequency"]), float(row["recency"]), float(row["T"])
            )
            for row in csv.DictReader(source)
        ]


@pytest.fixture(scope="session")
def cdnow_spend() -> list[CustomerSummary]:
    with (CDNOW / "cdnow_customers_summary_with_transactions.csv").open() as source:
        return [
            CustomerSummary(
                row["ID"], int(row["x"]), float(row["t_x"]), float(row["T"]), float(row["zbar"])
            )
            for row in csv.DictReader(source)
        ]
