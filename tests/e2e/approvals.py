"""Four eyes from the command line: two people, told apart by their operating-system account.

The helpers live in ``harness`` (``trained_token`` needs them for role grants); they are named
here too, where the tests of four eyes look for them.
"""

from __future__ import annotations

from .harness import HasEnv, approved, as_person, granted_staff, granted_token

__all__ = ["HasEnv", "approved", "as_person", "granted_staff", "granted_token"]
