"""The rules machine keys are held to: scopes, networks, time boxes, certificates, fields.

Pure functions of their arguments (the caller passes the clock's time), so they are tested on
their own with fixed times.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from strongroom.access.permissions import Permission, Role
from strongroom.core.errors import InvalidInputError
from strongroom.core.machines import MachineKey
from strongroom.core.schema import FIELDS_BY_NAME

MAX_KEY_LIFETIME = timedelta(days=366)  # a year, and a day of slack for "one year from now"
MAX_NETWORKS = 32
_FINGERPRINT = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}")


def check_name(name: str, what: str) -> str:
    """A printable name of up to 100 characters: letters, digits, space, '.', '_' and '-'."""
    if not _NAME.fullmatch(name):
        raise InvalidInputError(
            f"the {what} name must be 1-100 letters, digits, spaces, '.', '_' or '-'"
        )
    return name


def check_scopes(role: Role, scopes: Sequence[str]) -> tuple[str, ...]:
    """The scopes as declared permission names held by ``role``; none given: all of the role's."""
    if not scopes:
        return tuple(sorted(permission.value for permission in role.permissions))
    known = {permission.value for permission in Permission}
    held = {permission.value for permission in role.permissions}
    for scope in scopes:
        if scope not in known:
            raise InvalidInputError(f"unknown scope {scope!r}; a scope is a permission name")
        if scope not in held:
            raise InvalidInputError(
                f"the {role.name} role does not hold {scope!r}; a key's scopes narrow its role"
            )
    return tuple(sorted(set(scopes)))


def check_networks(cidrs: Sequence[str], *, required: bool) -> tuple[str, ...]:
    """The networks in canonical form; a vendor's must be given and may not be everything."""
    if required and not cidrs:
        raise InvalidInputError("a vendor key must be bound to networks: give --network CIDRs")
    if len(cidrs) > MAX_NETWORKS:
        raise InvalidInputError(f"at most {MAX_NETWORKS} networks per key")
    networks: list[str] = []
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr.strip(), strict=True)
        except ValueError:
            raise InvalidInputError(
                f"{cidr!r} is not a network in CIDR form (e.g. 203.0.113.0/24), host bits zero"
            ) from None
        if required and network.prefixlen == 0:
            raise InvalidInputError(f"{cidr} is every address: bind the vendor to its own network")
        networks.append(str(network))
    return tuple(dict.fromkeys(networks))


def address_allowed(networks: Sequence[str], address: str | None) -> bool:
    """Whether ``address`` is inside one of ``networks``; no networks means any address."""
    if not networks:
        return True
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in ipaddress.ip_network(network) for network in networks)


def check_time_box(now: datetime, valid_from: datetime, expires_at: datetime) -> None:
    """A key must end after it starts, after now, and within a year of now."""
    if expires_at <= valid_from:
        raise InvalidInputError("the key must expire after it becomes valid")
    if expires_at <= now:
        raise InvalidInputError("the expiry is in the past; give a future date")
    if expires_at - max(now, valid_from) > MAX_KEY_LIFETIME:
        raise InvalidInputError("a machine key lives at most one year: choose an earlier expiry")


def in_time_box(key: MachineKey, now: datetime) -> bool:
    return key.valid_from <= now < key.expires_at


def check_fingerprint(fingerprint: str | None) -> str | None:
    """A certificate's SHA-256 fingerprint as 64 lower-case hex digits (colons allowed)."""
    if fingerprint is None:
        return None
    normal = fingerprint.replace(":", "").strip().lower()
    if not _FINGERPRINT.fullmatch(normal):
        raise InvalidInputError("a certificate fingerprint is its SHA-256 in hex (64 digits)")
    return normal


def check_vendor_fields(fields: Sequence[str]) -> tuple[str, ...]:
    """A vendor's field list: declared profile fields only; card data is never one of them."""
    if not fields:
        raise InvalidInputError("name the profile fields the vendor needs: give --field")
    for name in fields:
        if name not in FIELDS_BY_NAME:
            known = ", ".join(sorted(FIELDS_BY_NAME))
            raise InvalidInputError(f"unknown profile field {name!r}; the fields are: {known}")
    return tuple(sorted(set(fields)))
