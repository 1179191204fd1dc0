"""Rate limits: a token bucket per source, held in the memory of one server process.

With N server processes a source may send up to N times its limit in all; the limit is there
to keep one misbehaving client from crowding out the others, not to meter exactly.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_RATE_LIMIT = 1000  # requests per second per source, when its settings give none
MAX_RATE_LIMIT = 1_000_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Answers, per source, whether one more request fits in its rate (requests per second).

    A bucket holds up to one second's worth of requests, so short bursts pass and a steady
    flood above the rate is refused.
    """

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, source_id: str, rate: int) -> int | None:
        """Take a token; None if one was free, else the whole seconds to wait before retrying."""
        now = self._monotonic()
        with self._lock:
            bucket = self._buckets.get(source_id)
            if bucket is None:
                bucket = self._buckets[source_id] = _Bucket(float(rate), now)
            bucket.tokens = min(float(rate), bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / rate))
