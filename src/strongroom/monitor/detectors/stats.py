"""Robust statistics and the per-principal tallies the volume detectors share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

from strongroom.core.trail import AuditEntry, Outcome

MAD_SCALE = 1.4826  # makes the MAD estimate the standard deviation of normal data
RELATIVE_FLOOR = 0.1  # the spread is taken to be at least a tenth of the median...
ABSOLUTE_FLOOR = 1.0  # ...and at least one record, so a perfectly regular principal has one


@dataclass(frozen=True, slots=True)
class RobustScore:
    """How far ``observed`` lies above ``median``, in robust standard deviations."""

    median: float
    mad: float
    score: float


def robust_score(observed: float, history: Sequence[float]) -> RobustScore:
    """The robust z-score of ``observed`` against ``history`` (median and MAD, floored)."""
    centre = float(median(history))
    mad = float(median([abs(value - centre) for value in history]))
    spread = max(MAD_SCALE * mad, RELATIVE_FLOOR * centre, ABSOLUTE_FLOOR)
    return RobustScore(centre, mad, (observed - centre) / spread)


class DailyTally:
    """Records handed to each principal per UTC day, and the entries that did it."""

    def __init__(self, actions: Collection[str]) -> None:
        self._actions = frozenset(actions)
        self.counts: defaultdict[str, defaultdict[date, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self.seqs: defaultdict[tuple[str, date], list[int]] = defaultdict(list)

    def feed(self, entries: Sequence[AuditEntry]) -> None:
        actions, counts, seqs = self._actions, self.counts, self.seqs
        for entry in entries:
            draft = entry.draft
            if draft.action.stored_name not in actions or draft.outcome is not Outcome.SUCCESS:
                continue
            day = entry.occurred_at.date()
            counts[draft.actor][day] += len(draft.resource_ids)
            seqs[(draft.actor, day)].append(entry.seq)

    def seqs_between(self, principal: str, days: Sequence[date]) -> tuple[int, ...]:
        return tuple(seq for day in days for seq in self.seqs.get((principal, day), ()))
