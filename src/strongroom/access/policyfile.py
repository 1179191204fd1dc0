"""The policy in force: the built-in file, a file named in the settings, or the newest applied.

The policy is process-wide (the roles dict ``access.permissions.ROLES`` is updated in place), so
``install`` runs once, when the app is built.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from strongroom.access.permissions import BUILTIN, PURPOSE_NAMES, ROLES, Policy, parse_policy
from strongroom.core.errors import ConfigurationError

MAX_POLICY_BYTES = 256 * 1024
_ACTIVE: list[Policy] = [BUILTIN]


def active_policy() -> Policy:
    """The policy every decision is made by."""
    return _ACTIVE[0]


def parse_text(text: str) -> Policy:
    """``text`` as a policy whose purposes are all known to the code."""
    return parse_policy(text, known_purposes=PURPOSE_NAMES)


def read_policy_file(path: Path) -> Policy:
    """The policy file at ``path``, validated; ConfigurationError naming what is wrong."""
    try:
        if path.stat().st_size > MAX_POLICY_BYTES:
            raise ConfigurationError(f"the policy file {path} is over {MAX_POLICY_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"cannot read the policy file {path}: {exc}") from None
    return parse_text(text)


def install(policy: Policy) -> None:
    """Make ``policy`` the one in force for this process."""
    ROLES.clear()
    ROLES.update(policy.roles)
    _ACTIVE[0] = policy


def diff_policies(old: Policy, new: Policy) -> str:
    """A unified diff of two policy files' text."""
    return "".join(
        difflib.unified_diff(
            old.text.splitlines(keepends=True),
            new.text.splitlines(keepends=True),
            fromfile=f"policy {old.version}",
            tofile=f"policy {new.version}",
        )
    )
