"""Roles, permissions and purposes, declared once as data: the permissions here, the roles and
purposes in the policy file (``access.policytext``), parsed and validated on import.

The documentation test checks that every permission, role and purpose here is documented.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from strongroom.access.policytext import BUILTIN_POLICY
from strongroom.core.errors import ConfigurationError


class Permission(StrEnum):
    SOURCES_MANAGE = "sources.manage"
    TOKENS_MANAGE = "tokens.manage"
    MACHINES_MANAGE = "machines.manage"
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_SEARCH = "customers.search"
    PII_READ = "pii.read"
    PII_REVEAL = "pii.reveal"
    AUDIT_READ = "audit.read"
    CARDS_DETOKENIZE = "cards.detokenize"
    CUSTOMERS_ERASE = "customers.erase"
    PRIVACY_MANAGE = "privacy.manage"
    CONSENT_MANAGE = "consent.manage"
    DOCUMENTS_UPLOAD = "documents.upload"
    DOCUMENTS_READ = "documents.read"
    QUARANTINE_READ = "quarantine.read"
    QUARANTINE_RELEASE = "quarantine.release"
    QUARANTINE_PURGE = "quarantine.purge"
    INCIDENTS_MANAGE = "incidents.manage"
    ANALYTICS_READ = "analytics.read"


PERMISSION_DESCRIPTIONS: dict[Permission, str] = {
    Permission.SOURCES_MANAGE: "Create and list sources and their write keys",
    Permission.TOKENS_MANAGE: "Issue and revoke staff API tokens",
    Permission.MACHINES_MANAGE: "Issue and revoke service keys, vendor keys and third-party apps",
    Permission.CUSTOMERS_READ: "Read a customer profile; PII masked without pii.read",
    Permission.CUSTOMERS_SEARCH: "Look customers up by email",
    Permission.PII_READ: "See PII and unclassified fields unmasked",
    Permission.PII_REVEAL: "Reveal one masked field of one customer, stating a reason (audited)",
    Permission.AUDIT_READ: "Read and verify the audit log",
    Permission.CARDS_DETOKENIZE: "Reveal the card number behind a card token, stating a purpose",
    Permission.CUSTOMERS_ERASE: "Erase a customer by destroying their data key (crypto-shredding)",
    Permission.PRIVACY_MANAGE: (
        "Log, verify and answer data-subject requests (export, rectification); place legal holds"
    ),
    Permission.CONSENT_MANAGE: "Record a customer's consent decision given outside tracking",
    Permission.DOCUMENTS_UPLOAD: "Upload a customer's document through the intake pipeline",
    Permission.DOCUMENTS_READ: "List and download a customer's documents",
    Permission.QUARANTINE_READ: "List files held in quarantine",
    Permission.QUARANTINE_RELEASE: "Release a quarantined file for review, stating a reason",
    Permission.QUARANTINE_PURGE: "Delete quarantined files for good",
    Permission.INCIDENTS_MANAGE: (
        "Open and run incidents: playbooks, blast radius, deadlines and notices"
    ),
    Permission.ANALYTICS_READ: (
        "Run analytics (RFM, CLV, cohorts, churn, affinity, funnel) on pseudonymized data"
    ),
}


@dataclass(frozen=True, slots=True)
class Purpose:
    name: str
    description: str
    needs_consent: bool = False  # allowed only for customers whose consent ledger grants it


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    description: str
    permissions: frozenset[Permission]
    purposes: tuple[str, ...]  # the first is the default when a request states none
    # Staff of the role log in only with a security key (WebAuthn), which a look-alike site
    # cannot phish: set for roles that administer, handle incidents or see sensitive data.
    requires_webauthn: bool = False
    # Customer records one principal of the role may read or export an hour; None: no cap.
    volume_per_hour: int | None = None

    @property
    def default_purpose(self) -> str:
        return self.purposes[0]

    @property
    def needs_security_key(self) -> bool:
        """Whether a login of this role must use WebAuthn; always so for roles that see PII."""
        return self.requires_webauthn or Permission.PII_READ in self.permissions


@dataclass(frozen=True, slots=True)
class Policy:
    """A parsed, validated policy file."""

    version: str
    purposes: tuple[Purpose, ...]
    roles: dict[str, Role]
    pii_permissions: frozenset[Permission]
    training_max_age_days: int
    text: str  # the file as given: what ``policy show`` prints and ``policy diff`` compares

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def parse_policy(text: str, *, known_purposes: frozenset[str] | None = None) -> Policy:
    """The policy in ``text`` (TOML); ConfigurationError naming the first bad key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"the policy file is not valid TOML: {exc}") from None
    version = data.get("version")
    if not isinstance(version, str) or not version:
        raise ConfigurationError("policy file: 'version' must be a non-empty string")
    purposes = _purposes(_table(data, "purposes"), known_purposes)
    names = frozenset(purpose.name for purpose in purposes)
    roles = {
        name: _role(name, _table(_table(data, "roles"), name), names)
        for name in _table(data, "roles")
    }
    days = data.get("training_max_age_days", 365)
    if not isinstance(days, int) or not 1 <= days <= 3660:
        raise ConfigurationError("policy file: 'training_max_age_days' must be 1 to 3660")
    pii = _permissions("pii_permissions", data.get("pii_permissions", []))
    return Policy(version, purposes, roles, pii, days, text)


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise ConfigurationError(f"policy file: '{key}' must be a non-empty table")
    return value


def _purposes(table: dict[str, Any], known: frozenset[str] | None) -> tuple[Purpose, ...]:
    purposes = []
    for name, spec in table.items():
        if known is not None and name not in known:
            raise ConfigurationError(
                f"policy file: purposes.{name}: unknown purpose; the known ones are: "
                + ", ".join(sorted(known))
            )
        if not isinstance(spec, dict) or not isinstance(spec.get("description"), str):
            raise ConfigurationError(f"policy file: purposes.{name}: give a description")
        consent = spec.get("needs_consent", False)
        purposes.append(Purpose(name, spec["description"], needs_consent=consent is True))
    return tuple(purposes)


def _permissions(key: str, names: object) -> frozenset[Permission]:
    if not isinstance(names, list):
        raise ConfigurationError(f"policy file: {key} must be a list of permission names")
    known = {permission.value for permission in Permission}
    for name in names:
        if name not in known:
            raise ConfigurationError(f"policy file: {key}: unknown permission {name!r}")
    return frozenset(Permission(name) for name in names)


def _role(name: str, spec: dict[str, Any], purpose_names: frozenset[str]) -> Role:
    key = f"roles.{name}"
    purposes = spec.get("purposes")
    if not isinstance(purposes, list) or not purposes:
        raise ConfigurationError(f"policy file: {key}.purposes must list at least one purpose")
    for purpose in purposes:
        if purpose not in purpose_names:
            raise ConfigurationError(f"policy file: {key}.purposes: unknown purpose {purpose!r}")
    volume = spec.get("volume_per_hour")
    if volume is not None and (not isinstance(volume, int) or volume < 1):
        raise ConfigurationError(f"policy file: {key}.volume_per_hour must be a positive integer")
    return Role(
        name,
        str(spec.get("description", "")),
        _permissions(f"{key}.permissions", spec.get("permissions", [])),
        tuple(purposes),
        requires_webauthn=spec.get("requires_webauthn", False) is True,
        volume_per_hour=volume,
    )


BUILTIN: Policy = parse_policy(BUILTIN_POLICY)
PURPOSES: tuple[Purpose, ...] = BUILTIN.purposes
PURPOSE_NAMES = frozenset(purpose.name for purpose in PURPOSES)
CONSENT_PURPOSES = frozenset(purpose.name for purpose in PURPOSES if purpose.needs_consent)
# The roles of the policy in force: ``access.policyfile.install`` swaps their contents in place,
# so every module that imported the dict sees the applied policy.
ROLES: dict[str, Role] = dict(BUILTIN.roles)
