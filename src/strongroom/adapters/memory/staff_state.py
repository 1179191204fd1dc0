"""What the staff fake holds: one field of ``MemoryStore``, kept apart to stay small."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from strongroom.core.staff import (
    Challenge,
    StaffAccount,
    StaffSession,
    Throttle,
    WebAuthnCredential,
)


@dataclass
class StaffState:
    accounts: dict[str, StaffAccount] = field(default_factory=dict)
    credentials: dict[bytes, WebAuthnCredential] = field(default_factory=dict)
    recovery_codes: dict[tuple[str, bytes], datetime | None] = field(default_factory=dict)
    sessions: dict[str, StaffSession] = field(default_factory=dict)
    throttles: dict[bytes, Throttle] = field(default_factory=dict)
    challenges: dict[bytes, Challenge] = field(default_factory=dict)
