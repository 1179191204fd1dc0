"""Events as stored: PII and unclassified fields sealed under the customer's key, the rest plain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from strongroom.collect.catalog import CARD_FIELD, FieldTally
from strongroom.collect.classification import Memo, classify_event
from strongroom.collect.detectors.registry import DetectorRegistry
from strongroom.core.models import CustomerId, Event
from strongroom.core.schema import DataClass
from strongroom.vault.eventfields import seal_event_fields
from strongroom.vault.service import SubjectVault


class EventSealer:
    """Classifies each event of a batch, seals what must be sealed, and counts its fields."""

    def __init__(
        self,
        vault: SubjectVault,
        detectors: DetectorRegistry,
        subject_key: Callable[[CustomerId], bytes],
        tally: FieldTally,
    ) -> None:
        self._vault, self._detectors, self._subject_key = vault, detectors, subject_key
        self._tally = tally
        self._memo: Memo = {}  # judgements of this batch's repeated texts, for this batch only
        self.data_classes: set[DataClass] = set()

    def seal(self, event: Event, context: Mapping[str, Any], *, card: bool = False) -> Event:
        """``event`` (its properties already free of card numbers) with its fields protected."""
        classified = classify_event(event.properties, context, self._detectors, self._memo)
        self._tally.add(classified.fields)
        if card:
            self._tally.add_key(CARD_FIELD)
        self.data_classes |= classified.data_classes
        sealed = classified.sealed
        ciphertext = None
        if sealed is not None:
            ciphertext = seal_event_fields(
                self._vault,
                self._subject_key(event.customer_id),
                customer_id=event.customer_id,
                event_id=event.id,
                fields=sealed,
            )
        return replace(
            event, properties=classified.properties, context=classified.context, sealed=ciphertext
        )
