"""Fixtures of the analytics integration tests (see world.py)."""

from __future__ import annotations

from .world import world

__all__ = ["world"]
