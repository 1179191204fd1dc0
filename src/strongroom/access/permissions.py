"""Roles, permissions and purposes, declared once as data.

The documentation test checks that every permission, role and purpose here is documented.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Permission(StrEnum):
    SOURCES_MANAGE = "sources.manage"
    TOKENS_MANAGE = "tokens.manage"
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_SEARCH = "customers.search"
    PII_READ = "pii.read"
    AUDIT_READ = "audit.read"
    CARDS_DETOKENIZE = "cards.detokenize"
    CUSTOMERS_ERASE = "customers.erase"


PERMISSION_DESCRIPTIONS: dict[Permission, str] = {
    Permission.SOURCES_MANAGE: "Create and list sources and their write keys",
    Permission.TOKENS_MANAGE: "Issue and revoke staff API tokens",
    Permission.CUSTOMERS_READ: "Read a customer profile; PII masked without pii.read",
    Permission.CUSTOMERS_SEARCH: "Look customers up by email",
    Permission.PII_READ: "See PII and unclassified fields unmasked",
    Permission.AUDIT_READ: "Read and verify the audit log",
    Permission.CARDS_DETOKENIZE: "Reveal the card number behind a card token, stating a purpose",
    Permission.CUSTOMERS_ERASE: "Erase a customer by destroying their data key (crypto-shredding)",
}


@dataclass(frozen=True, slots=True)
class Purpose:
    name: str
    description: str


PURPOSES: tuple[Purpose, ...] = (
    Purpose("administration", "Running the platform: sources, tokens, settings"),
    Purpose("support", "Helping a customer who contacted us"),
    Purpose("dsar", "Answering a data-subject request (access, rectification, erasure)"),
    Purpose("security", "Investigating a security event or incident"),
    Purpose("audit", "Reviewing the audit log"),
    Purpose("collection", "Receiving tracking data from a source"),
    Purpose("payment", "Charging or refunding a card the customer paid with"),
)
PURPOSE_NAMES = frozenset(purpose.name for purpose in PURPOSES)


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    description: str
    permissions: frozenset[Permission]
    purposes: tuple[str, ...]  # the first is the default when a request states none

    @property
    def default_purpose(self) -> str:
        return self.purposes[0]


ROLES: dict[str, Role] = {
    role.name: role
    for role in (
        Role(
            "admin",
            "Manages sources and tokens; reads no customer data",
            frozenset({Permission.SOURCES_MANAGE, Permission.TOKENS_MANAGE}),
            ("administration",),
        ),
        Role(
            "support",
            "Reads customer profiles with PII masked",
            frozenset({Permission.CUSTOMERS_READ, Permission.CUSTOMERS_SEARCH}),
            ("support",),
        ),
        Role(
            "dpo",
            "Data protection officer: reads profiles unmasked to answer data-subject requests",
            frozenset(
                {
                    Permission.CUSTOMERS_READ,
                    Permission.CUSTOMERS_SEARCH,
                    Permission.PII_READ,
                    Permission.CUSTOMERS_ERASE,
                }
            ),
            ("dsar", "security"),
        ),
        Role(
            "auditor",
            "Reads and verifies the audit log; no customer data",
            frozenset({Permission.AUDIT_READ}),
            ("audit",),
        ),
        Role(
            "payments",
            "Reveals card numbers from their tokens to take or refund payments; reads no profiles",
            frozenset({Permission.CARDS_DETOKENIZE}),
            ("payment",),
        ),
    )
}
