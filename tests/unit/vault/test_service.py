"""SubjectVault: per-customer keys, JSON field values and blind-index lookups."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from strongroom.core.errors import DecryptionError, InvalidInputError
from strongroom.core.models import CustomerId, JsonValue, SubjectKey, WrappedDataKey
from strongroom.vault.envelope import decrypt_field, new_key, wrap_key
from strongroom.vault.keyring import KeyKind, Keyring, data_key_context
from strongroom.vault.rootkey import LocalRootKey
from strongroom.vault.service import SUBJECT_KEY_VERSION, SubjectVault

ROOT = LocalRootKey(bytes(range(32)))
NOW = datetime(2025, 1, 1, tzinfo=UTC)
ADA = CustomerId("cus_ada")
BOB = CustomerId("cus_bob")


def _vault(*, blind_index_versions: int = 1) -> SubjectVault:
    stored = Keyring.create_initial(ROOT, now=NOW)
    for version in range(2, blind_index_versions + 1):
        context = data_key_context(KeyKind.BLIND_INDEX, version)
        wrapped = wrap_key(ROOT.material, new_key(), context=context)
        stored.append(WrappedDataKey(KeyKind.BLIND_INDEX.value, version, wrapped, NOW))
    return SubjectVault(Keyring.open(ROOT, stored))


@pytest.fixture(scope="module")
def vault() -> SubjectVault:
    return _vault()


@pytest.fixture(scope="module")
def ada_key(vault: SubjectVault) -> bytes:
    key, _ = vault.new_subject_key(ADA)
    return key


def test_a_new_subject_key_is_wrapped_under_the_current_field_kek(vault: SubjectVault) -> None:
    key, stored = vault.new_subject_key(ADA)

    assert len(key) == 32
    assert stored.customer_id == ADA
    assert stored.kek_version == 1
    assert key not in stored.wrapped
    assert vault.open_subject_key(stored) == key


def test_each_customer_gets_their_own_key(vault: SubjectVault) -> None:
    assert vault.new_subject_key(ADA)[0] != vault.new_subject_key(ADA)[0]


def test_a_subject_key_moved_to_another_customer_is_refused(vault: SubjectVault) -> None:
    _, stored = vault.new_subject_key(ADA)
    moved = SubjectKey(BOB, stored.wrapped, stored.kek_version)

    with pytest.raises(DecryptionError, match="subject-key"):
        vault.open_subject_key(moved)


VALUES: list[JsonValue] = [
    "ada@example.com",
    "Zoë Ωmega 日本",
    0,
    -12345678901234567890,
    3.25,
    True,
    None,
    [],
    ["a", 1, None],
    {"street": "1 Main St", "city": "Springfield", "geo": {"lat": 1.5, "lon": -2.0}},
]


@pytest.mark.parametrize("value", VALUES)
def test_a_json_value_round_trips(vault: SubjectVault, ada_key: bytes, value: JsonValue) -> None:
    sealed = vault.encrypt(ada_key, customer_id=ADA, field="address", value=value)

    assert vault.decrypt(ada_key, customer_id=ADA, field="address", ciphertext=sealed) == value


def test_values_are_stored_as_compact_sorted_json_under_the_subject_key_version(
    vault: SubjectVault, ada_key: bytes
) -> None:
    sealed = vault.encrypt(ada_key, customer_id=ADA, field="address", value={"b": 1, "a": [2]})

    plaintext = decrypt_field(
        ada_key, sealed, record_id=ADA, field="address", key_version=SUBJECT_KEY_VERSION
    )
    assert plaintext == b'{"a":[2],"b":1}'


@pytest.mark.parametrize(
    ("customer_id", "field"),
    [(BOB, "email"), (ADA, "phone")],
    ids=["other-customer", "other-field"],
)
def test_a_ciphertext_moved_to_another_customer_or_field_is_refused_without_showing_it(
    vault: SubjectVault, ada_key: bytes, customer_id: CustomerId, field: str
) -> None:
    sealed = vault.encrypt(ada_key, customer_id=ADA, field="email", value="ada@example.com")

    with pytest.raises(DecryptionError, match="does not authenticate") as caught:
        vault.decrypt(ada_key, customer_id=customer_id, field=field, ciphertext=sealed)

    assert "ada@" not in caught.value.message


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {"when": datetime.now(UTC)}])
def test_a_value_that_is_not_plain_json_is_refused_without_showing_it(
    vault: SubjectVault, ada_key: bytes, value: object
) -> None:
    with pytest.raises(InvalidInputError, match="field 'birthday'") as caught:
        vault.encrypt(ada_key, customer_id=ADA, field="birthday", value=value)  # type: ignore[arg-type]

    assert "inf" not in caught.value.message.replace("infinite", "")
    assert "2025" not in caught.value.message


def test_an_email_written_differently_gives_the_same_lookup(vault: SubjectVault) -> None:
    assert vault.lookup_values("email", "A@Example.com ") == vault.lookup_values(
        "email", "a@example.com"
    )
    assert vault.index_value("email", " A@EXAMPLE.com") == vault.index_value(
        "email", "a@example.com"
    )


def test_the_same_value_in_another_field_gives_another_index(vault: SubjectVault) -> None:
    assert vault.index_value("email", "x1") != vault.index_value("user_id", "x1")


def test_lookups_use_every_blind_index_version_current_first() -> None:
    vault = _vault(blind_index_versions=3)

    lookups = vault.lookup_values("email", "a@example.com")

    assert [version for version, _ in lookups] == [3, 2, 1]
    assert len({value for _, value in lookups}) == 3
    assert vault.index_value("email", "a@example.com") == lookups[0]
