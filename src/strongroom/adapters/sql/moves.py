"""Giving rows to another customer: what identity merges (and undoing them) do to history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.engine import Connection

from strongroom.adapters.sql._support import chunked, unique, write
from strongroom.core.models import CustomerId


def row_ids(connection: Connection, table: Table, customer_id: CustomerId) -> list[Any]:
    """The primary keys of ``table`` rows that belong to the customer, in key order."""
    statement = select(table.c.id).where(table.c.customer_id == customer_id).order_by(table.c.id)
    return list(connection.scalars(statement))


def reassign(
    connection: Connection, table: Table, ids: Sequence[Any], customer_id: CustomerId
) -> None:
    """Set the customer of every ``table`` row with one of these ids."""
    statement = update(table).where(table.c.id == bindparam("b_id"))
    for chunk in chunked(unique(ids)):
        write(connection, statement, [{"b_id": i, "customer_id": customer_id} for i in chunk])
