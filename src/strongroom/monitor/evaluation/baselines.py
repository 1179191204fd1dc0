"""The naive baseline the detectors must beat: flag whoever does the most on a day."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from strongroom.core.trail import AuditEntry
from strongroom.monitor.evaluation.models import Alert

VOLUME_BASELINE = "volume-baseline"


def daily_volume_alerts(entries: Iterable[AuditEntry]) -> list[Alert]:
    """Every principal-day, scored by its number of audit entries: the busiest rank first.

    What a reviewer with no detectors might do: read the logs of the busiest principals. It
    knows nothing of anyone's own habits, hours, places or data classes.
    """
    volume: Counter[tuple[str, date]] = Counter(
        (entry.draft.actor, entry.occurred_at.date()) for entry in entries
    )
    detectors = frozenset({VOLUME_BASELINE})
    return [
        Alert(principal, day, 0, float(count), detectors)
        for (principal, day), count in volume.items()
    ]
