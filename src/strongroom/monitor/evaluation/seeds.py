"""Seeded random generators: the simulation's only source of chance."""

from __future__ import annotations

import random


def seeded(*parts: object) -> random.Random:
    """A generator seeded by ``parts`` (a string seed hashes the same in every run)."""
    return random.Random(":".join(str(part) for part in parts))  # noqa: S311 - made-up data, not secrets
