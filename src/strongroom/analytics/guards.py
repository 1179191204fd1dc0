"""Privacy guards of every analytics run: k-anonymity of groups, consent, finite output.

- k: a grouped output never shows a group of fewer than k distinct customers (a group of none
  reveals no one and is shown). Rows are dropped, or cells masked to None, and counted.
- consent: ``analytics`` is a purpose that needs consent, so only customers whose newest
  decision for it is a grant are analysed; the rest never reach a metric (the engine filters the
  warehouse tables by the allowed pseudonyms).
- finite: no NaN or infinity ever reaches a report or a file.
"""

from __future__ import annotations

from strongroom.access.permissions import CONSENT_PURPOSES
from strongroom.core.analytics import MetricReport, ResultTable, Scalar, as_int
from strongroom.core.errors import InvalidInputError, VaultError
from strongroom.core.ports import UnitOfWork
from strongroom.vault.pseudonyms import Pseudonymizer, pseudonym_key_version

ANALYTICS_PURPOSE = "analytics"


def effective_k(requested: int | None, minimum: int) -> int:
    """The k of a run: the setting's, or a larger one asked for; never a smaller one."""
    if requested is None:
        return minimum
    if requested < minimum:
        raise InvalidInputError(
            f"k may not be below the configured minimum group size {minimum} "
            f"(STRONGROOM_ANALYTICS_MIN_GROUP_SIZE); ask for {minimum} or more"
        )
    return requested


def drop_small_groups(table: ResultTable, *, count_column: str, k: int) -> tuple[ResultTable, int]:
    """Leave out rows whose ``count_column`` is 1..k-1; returns the table and how many left."""
    index = table.columns.index(count_column)
    kept = tuple(row for row in table.rows if not _small(row[index], k))
    return ResultTable(table.columns, kept), len(table.rows) - len(kept)


def is_small(count: Scalar, k: int) -> bool:
    """Whether a group of ``count`` customers is too small to show (0 is not: it is no one)."""
    return _small(count, k)


def _small(count: Scalar, k: int) -> bool:
    return count is not None and 0 < as_int(count) < k


def require_finite(report: MetricReport) -> None:
    """Refuse a report holding NaN or an infinity: checked before anything is shown or written."""
    tables = [report.table] + ([report.summary] if report.summary is not None else [])
    bad = sum(table.non_finite_cells() for table in tables)
    if bad:
        raise InvalidInputError(
            f"the {report.metric} result holds {bad} value(s) that are not finite numbers; "
            "nothing was written. The model or the data is degenerate: check the warehouse"
        )


def consented_pseudonyms(
    uow: UnitOfWork, pseudonyms: Pseudonymizer, *, purpose: str = ANALYTICS_PURPOSE
) -> frozenset[str] | None:
    """The pseudonyms of customers whose consent allows ``purpose`` (None: it needs none).

    Each customer counts under every pseudonym key version still held, so rows the lake wrote
    before a rotation of the pseudonym key are matched too.
    """
    if purpose not in CONSENT_PURPOSES:
        return None
    customers = uow.consents.granted_customers(purpose)
    if not customers:
        return frozenset()
    current = pseudonym_key_version(pseudonyms.pseudonym(customers[0]))
    versions = [current, *_older_versions(pseudonyms, customers[0], current)]
    return frozenset(
        pseudonyms.pseudonym_at(customer, version) for customer in customers for version in versions
    )


def _older_versions(pseudonyms: Pseudonymizer, probe: str, current: int) -> list[int]:
    held = []
    for version in range(1, current):
        try:
            pseudonyms.pseudonym_at(probe, version)  # type: ignore[arg-type]
        except VaultError:
            continue  # a retired pseudonym key: rows under it are unreadable as anyone's
        held.append(version)
    return held
