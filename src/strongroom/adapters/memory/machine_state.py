"""What the machine principal fakes hold inside the shared MemoryStore (apart from the
repositories, so that store.py can hold it without importing them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from strongroom.core.machines import AppGrant, AppToken, MachineKey, ThirdPartyApp


@dataclass
class MachineState:
    keys: dict[str, MachineKey] = field(default_factory=dict)
    apps: dict[str, ThirdPartyApp] = field(default_factory=dict)
    tokens: dict[bytes, AppToken] = field(default_factory=dict)
    grants: list[AppGrant] = field(default_factory=list)
