"""Fake of the field catalog repository."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from strongroom.adapters.memory.store import Staging
from strongroom.core.catalog import CatalogEntry, FieldCount, FieldKey
from strongroom.core.clock import ensure_utc


def _order(key: FieldKey) -> tuple[str, ...]:
    return (key.scope, key.name, key.data_class, key.protection, key.storage)


class MemoryFieldCatalogRepository:
    """Fake of FieldCatalogRepository, held in the store's ``field_catalog``."""

    def __init__(self, staging: Staging) -> None:
        self._staging = staging

    def record(self, counts: Sequence[FieldCount]) -> None:
        catalog = self._staging.store.field_catalog
        for count in counts:
            seen = ensure_utc(count.seen_at)
            entry = catalog.get(count.key)
            if entry is None:
                catalog[count.key] = CatalogEntry(count.key, count.records, seen, seen)
            else:
                catalog[count.key] = replace(
                    entry,
                    records=entry.records + count.records,
                    last_seen=max(entry.last_seen, seen),
                )

    def entries(self) -> list[CatalogEntry]:
        catalog = self._staging.store.field_catalog
        return [catalog[key] for key in sorted(catalog, key=_order)]
