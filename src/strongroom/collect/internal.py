"""Tracking calls made by Strongroom itself (honeytokens), through the real ingest path.

They come from a dedicated source, ``strongroom-internal``, created on first use with a write
key nobody is ever shown: no client can send as it. The calls are validated by the same parser
as ``POST /v1/batch`` and stored by the same ``Ingestor``, so what they create is
indistinguishable from data that came over the API.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from strongroom.collect.segment import parse_request
from strongroom.collect.service import Ingestor
from strongroom.collect.sources import create_source
from strongroom.core.clock import Clock
from strongroom.core.errors import ConflictError
from strongroom.core.models import Actor, Channel, JsonObject, PrincipalKind, Source
from strongroom.core.ports import AuditTrail, UnitOfWorkFactory

INTERNAL_SOURCE = "strongroom-internal"
SYSTEM_ACTOR = Actor(PrincipalKind.LOCAL, "strongroom", role="admin")


class InternalFeed:
    """Implements ``core.ports.TrackingFeed`` with the Ingestor and the internal source."""

    def __init__(
        self,
        *,
        ingestor: Ingestor,
        uow_factory: UnitOfWorkFactory,
        audit: AuditTrail,
        clock: Clock,
    ) -> None:
        self._ingestor, self._uow_factory = ingestor, uow_factory
        self._audit, self._clock = audit, clock

    def ingest_calls(self, calls: Sequence[JsonObject]) -> None:
        """Validate ``calls`` as one batch and store them under the internal source."""
        body = json.dumps({"batch": list(calls)}).encode("utf-8")
        self._ingestor.ingest(source=self._source(), request=parse_request(body, endpoint="batch"))

    def _source(self) -> Source:
        with self._uow_factory() as uow:
            source = uow.sources.by_name(INTERNAL_SOURCE)
        if source is not None:
            return source
        try:
            return create_source(
                uow_factory=self._uow_factory,
                audit=self._audit,
                clock=self._clock,
                actor=SYSTEM_ACTOR,
                name=INTERNAL_SOURCE,
                channel=Channel.SERVER,
            ).source  # the write key is dropped here, never shown: only its hash is stored
        except ConflictError:  # another process created it first
            with self._uow_factory() as uow:
                created = uow.sources.by_name(INTERNAL_SOURCE)
            assert created is not None
            return created
