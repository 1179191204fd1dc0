"""Indexes the lake export reads by: events and orders in the order the store received them."""

from __future__ import annotations

from sqlalchemy import Index

from strongroom.adapters.sql.tables import events, orders

# Named explicitly: the naming convention spells index names from every column, these are shorter.
events_by_receipt = Index("ix_events_received_at_id", events.c.received_at, events.c.id)
orders_by_receipt = Index("ix_orders_received_at_id", orders.c.received_at, orders.c.id)
