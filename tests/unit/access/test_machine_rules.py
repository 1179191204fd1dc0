"""The rules machine keys are held to: scopes, networks, time boxes, fingerprints, fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from strongroom.access.machines import rules
from strongroom.access.machines.apps import APP_PURPOSE_FIELDS, check_app_scopes
from strongroom.access.permissions import CONSENT_PURPOSES, ROLES
from strongroom.core.errors import InvalidInputError
from strongroom.core.machines import MachineKey, MachineKind

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _key(valid_from: datetime, expires_at: datetime) -> MachineKey:
    return MachineKey(
        "k", MachineKind.VENDOR, "acme", b"h" * 32, "srx_abc", NOW, "local:ops",
        valid_from, expires_at,
    )  # fmt: skip


def test_scopes_narrow_the_role_and_default_to_all_of_it():
    support = ROLES["support"]
    assert rules.check_scopes(support, ["customers.read"]) == ("customers.read",)
    assert set(rules.check_scopes(support, [])) == {p.value for p in support.permissions}


@pytest.mark.parametrize(
    ("role", "scope", "says"),
    [
        ("support", "pii.read", "does not hold"),
        ("support", "customers.delete", "unknown scope"),
        ("analyst", "customers.read", "does not hold"),
    ],
)
def test_a_scope_outside_the_role_is_refused(role, scope, says):
    with pytest.raises(InvalidInputError, match=says):
        rules.check_scopes(ROLES[role], [scope])


@pytest.mark.parametrize(
    ("networks", "address", "allowed"),
    [
        (("203.0.113.0/24",), "203.0.113.7", True),
        (("203.0.113.0/24",), "198.51.100.7", False),
        (("203.0.113.0/24",), "::ffff:203.0.113.7", True),  # IPv4-mapped IPv6
        (("2001:db8::/32",), "2001:db8::1", True),
        (("2001:db8::/32",), "203.0.113.7", False),
        (("203.0.113.0/24",), None, False),
        (("203.0.113.0/24",), "not-an-ip", False),
        ((), "198.51.100.7", True),  # a key bound to no network
    ],
)
def test_addresses_are_checked_against_the_networks(networks, address, allowed):
    assert rules.address_allowed(networks, address) is allowed


@pytest.mark.parametrize("cidr", ["203.0.113.5/24", "300.1.1.1/8", "example.com", "10.0.0.0/33"])
def test_malformed_networks_are_refused(cidr):
    with pytest.raises(InvalidInputError, match="CIDR"):
        rules.check_networks([cidr], required=False)


def test_a_vendor_must_be_bound_to_a_network_that_is_not_everything():
    with pytest.raises(InvalidInputError, match="must be bound"):
        rules.check_networks([], required=True)
    with pytest.raises(InvalidInputError, match="every address"):
        rules.check_networks(["0.0.0.0/0"], required=True)
    assert rules.check_networks(["10.1.0.0/16", "10.1.0.0/16"], required=True) == ("10.1.0.0/16",)


def test_time_boxes_are_at_most_a_year_and_in_the_future():
    rules.check_time_box(NOW, NOW, NOW + timedelta(days=365))
    with pytest.raises(InvalidInputError, match="at most one year"):
        rules.check_time_box(NOW, NOW, NOW + timedelta(days=400))
    with pytest.raises(InvalidInputError, match="in the past"):
        rules.check_time_box(NOW, NOW - timedelta(days=2), NOW - timedelta(days=1))
    with pytest.raises(InvalidInputError, match="after it becomes valid"):
        rules.check_time_box(NOW, NOW + timedelta(days=2), NOW + timedelta(days=1))


def test_a_key_works_only_inside_its_time_box():
    key = _key(NOW, NOW + timedelta(days=7))
    assert not rules.in_time_box(key, NOW - timedelta(seconds=1))
    assert rules.in_time_box(key, NOW)
    assert rules.in_time_box(key, NOW + timedelta(days=7) - timedelta(microseconds=1))
    assert not rules.in_time_box(key, NOW + timedelta(days=7))


def test_fingerprints_are_normalised_and_checked():
    hex64 = "AB:" * 31 + "AB"
    assert rules.check_fingerprint(hex64) == "ab" * 32
    assert rules.check_fingerprint(None) is None
    with pytest.raises(InvalidInputError, match="SHA-256"):
        rules.check_fingerprint("abc")


def test_vendor_fields_are_declared_profile_fields_and_never_card_data():
    assert rules.check_vendor_fields(["email", "address", "email"]) == ("address", "email")
    for field in ("card_number", "card_token", "card_last4", "extra_traits", ""):
        with pytest.raises(InvalidInputError, match="unknown profile field"):
            rules.check_vendor_fields([field])
    with pytest.raises(InvalidInputError, match="name the profile fields"):
        rules.check_vendor_fields([])


def test_app_scopes_are_purposes_that_need_consent_with_declared_fields():
    assert set(APP_PURPOSE_FIELDS) <= CONSENT_PURPOSES
    assert check_app_scopes(["analytics", "marketing"]) == ("analytics", "marketing")
    for scope in ("support", "dsar", "admin"):
        with pytest.raises(InvalidInputError, match="unknown app scope"):
            check_app_scopes([scope])


@pytest.mark.parametrize("name", ["", "x" * 101, "bad\nname", "<script>"])
def test_names_are_short_and_printable(name):
    with pytest.raises(InvalidInputError, match="name must be"):
        rules.check_name(name, "key")
